/* Enrollment photo from the device camera: capture to a canvas, crop to the face frame (4:5),
   and put the JPEG in the hidden photo_data field. Without a camera, the file upload remains. */
(function () {
  "use strict";
  var root = document.querySelector("[data-camera]");
  if (!root) { return; }
  var video = document.getElementById("camera-video");
  var canvas = document.getElementById("camera-canvas");
  var preview = document.getElementById("camera-preview");
  var start = document.getElementById("camera-start");
  var capture = document.getElementById("camera-capture");
  var retake = document.getElementById("camera-retake");
  var message = document.getElementById("camera-message");
  var field = document.querySelector("input[name=photo_data]");
  var stream = null;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !field) { return; }
  start.hidden = false;

  function stop() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.hidden = true;
    capture.hidden = true;
  }

  start.addEventListener("click", function () {
    message.textContent = "";
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "user", width: { ideal: 1280 } }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        preview.hidden = true;
        return video.play();
      })
      .then(function () {
        // Show the capture button only once frames (and their size) are known.
        function whenReady() {
          if (video.readyState >= 2 && video.videoWidth > 0) {
            capture.hidden = false; start.hidden = true; capture.focus();
          } else if (stream) {
            window.setTimeout(whenReady, 50);
          }
        }
        whenReady();
      })
      .catch(function () { message.textContent = root.getAttribute("data-error") || "Camera unavailable."; stop(); start.hidden = false; });
  });

  capture.addEventListener("click", function () {
    var w = video.videoWidth, h = video.videoHeight;
    if (!w || !h) { return; }
    // Centre crop to the 4:5 face frame.
    var cropW = Math.min(w, h * 4 / 5), cropH = cropW * 5 / 4;
    var sx = (w - cropW) / 2, sy = Math.max(0, (h - cropH) / 2);
    var ctx = canvas.getContext("2d");
    ctx.drawImage(video, sx, sy, cropW, cropH, 0, 0, canvas.width, canvas.height);
    var dataUrl = canvas.toDataURL("image/jpeg", 0.9);
    field.value = dataUrl;
    preview.src = dataUrl;
    preview.hidden = false;
    stop();
    retake.hidden = false;
    message.textContent = root.getAttribute("data-taken") || "";
  });

  retake.addEventListener("click", function () {
    retake.hidden = true;
    field.value = "";
    start.click();
  });
})();
