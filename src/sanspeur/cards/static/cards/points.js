/* The running total of the enrollment form's documents: the server renders it (cards/forms.py
   EnrollForm.points_total) and this keeps it current as boxes are ticked. The server checks the
   rules again when the form is sent. */
(function () {
  "use strict";
  var root = document.querySelector("[data-points]");
  var total = document.getElementById("points-total");
  if (!root || !total) { return; }
  var boxes = root.querySelectorAll("input[type=checkbox][data-identity]");
  var needs = {};
  total.querySelectorAll("[data-need]").forEach(function (row) {
    needs[row.getAttribute("data-points-row")] = parseInt(row.getAttribute("data-need"), 10) || 0;
  });

  function mark(kind, met) {
    var row = total.querySelector('[data-points-row="' + kind + '"]');
    if (!row) { return; }
    row.className = met ? "points-met" : "points-unmet";
    var state = row.querySelector(".points-state");
    if (state) { state.textContent = total.getAttribute(met ? "data-met" : "data-unmet"); }
  }

  function update() {
    var sums = { identity: 0, residence: 0 }, photo = false, birth = false;
    boxes.forEach(function (box) {
      if (!box.checked) { return; }
      sums.identity += parseInt(box.getAttribute("data-identity"), 10) || 0;
      sums.residence += parseInt(box.getAttribute("data-residence"), 10) || 0;
      photo = photo || box.getAttribute("data-photo") === "1";
      birth = birth || box.getAttribute("data-birth-date") === "1";
    });
    ["identity", "residence"].forEach(function (kind) {
      var got = total.querySelector('[data-points-got="' + kind + '"]');
      if (got) { got.textContent = String(sums[kind]); }
      mark(kind, sums[kind] >= (needs[kind] || 0));
    });
    mark("photo", photo);
    mark("birth-date", birth);
  }

  boxes.forEach(function (box) { box.addEventListener("change", update); });
})();
