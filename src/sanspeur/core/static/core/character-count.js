// The character count of a text box with a limit (docs/design.md "Character count"), on the GOV.UK
// model. Without JavaScript the page says how many characters are allowed and the server refuses
// more, with a translated message. With it, the count of what is left follows the typing; a screen
// reader hears it once the person pauses (one second), not at every key. Line breaks count twice,
// as the server receives them (CR LF), so the count agrees with the server's limit.
(function () {
  "use strict";
  var PAUSE_MS = 1000;

  function length(text) {
    return text.replace(/\r?\n/g, "\r\n").length;
  }

  function enhance(box) {
    var field = box.querySelector("textarea");
    var message = box.querySelector(".character-count__message");
    if (!field || !message) { return; }
    var max = parseInt(message.getAttribute("data-max"), 10);
    if (!(max > 0)) { return; }
    var spoken = document.createElement("span");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    box.appendChild(spoken);
    var described = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    if (described.indexOf(message.id) < 0) { described.push(message.id); }
    field.setAttribute("aria-describedby", described.join(" "));
    var timer = null;

    function text() {
      var left = max - length(field.value);
      var over = left < 0;
      return {
        over: over,
        words: (over ? message.getAttribute("data-over") : message.getAttribute("data-left")) + " " + Math.abs(left),
      };
    }
    function show() {
      var now = text();
      message.textContent = now.words;
      message.classList.toggle("character-count__message--over", now.over);
      field.classList.toggle("character-count--over", now.over);
      return now.words;
    }
    field.addEventListener("input", function () {
      var words = show();
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(function () { spoken.textContent = words; }, PAUSE_MS);
    });
    if (field.value) { show(); }
  }

  var boxes = document.querySelectorAll("[data-character-count]");
  for (var i = 0; i < boxes.length; i++) { enhance(boxes[i]); }
})();
