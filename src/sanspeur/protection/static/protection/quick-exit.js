// "Exit this page" (the GOV.UK pattern): the button, or the Shift key pressed three times within
// five seconds, leaves for a neutral site. Escape never exits: people press it to close an
// autocomplete list or an input method's candidates while typing a report.
// Leaving clears every form first (so "Back" or the browser's page cache shows nothing typed) and
// uses location.replace(), so this page is replaced in the history instead of added to it.
// Without JavaScript the button is a plain link to the same neutral site.
(function () {
  "use strict";
  var link = document.getElementById("quick-exit");
  if (!link) { return; }
  var PRESSES = 3;
  var WINDOW_MS = 5000;
  var count = 0;
  var timer = null;
  var lastKeyWasModified = false;

  function clearForms() {
    var forms = document.forms;
    for (var i = 0; i < forms.length; i++) {
      var fields = forms[i].elements;
      for (var j = 0; j < fields.length; j++) {
        var field = fields[j];
        if (field.type === "file") { field.value = ""; }
        else if (field.tagName === "TEXTAREA" || /^(text|email|tel|number|password|search)$/.test(field.type)) {
          field.value = "";
        }
      }
      forms[i].reset();
    }
  }

  function leave(event) {
    if (event) { event.preventDefault(); }
    clearForms();
    document.documentElement.setAttribute("data-exiting", "true");
    window.location.replace(link.href);
  }

  function resetCount() {
    count = 0;
    if (timer !== null) { window.clearTimeout(timer); timer = null; }
    link.removeAttribute("data-shift-presses");
  }

  var hint = document.querySelector("[data-exit-hint]");
  if (hint) { hint.hidden = false; }  // the Shift shortcut exists only with JavaScript
  link.addEventListener("click", leave);
  // While the header's button is scrolled out of view (a long report on a phone), the same button
  // stays at the top of the screen.
  if ("IntersectionObserver" in window) {
    var floating = link.cloneNode(true);
    floating.removeAttribute("id");
    floating.className = "exit-this-page-button exit-this-page-floating";
    floating.hidden = true;
    floating.addEventListener("click", leave);
    document.body.appendChild(floating);
    new IntersectionObserver(function (entries) {
      floating.hidden = entries[0].isIntersecting;
    }).observe(link);
  }
  document.addEventListener("keyup", function (event) {
    // A Shift released after typing a capital letter (Shift held with another key) does not count.
    if (event.key === "Shift" && !lastKeyWasModified) {
      count += 1;
      link.setAttribute("data-shift-presses", String(count));
      if (count >= PRESSES) { resetCount(); leave(); return; }
      if (timer === null) { timer = window.setTimeout(resetCount, WINDOW_MS); }
    } else if (event.key !== "Shift") {
      resetCount();
    }
    lastKeyWasModified = event.key !== "Shift" && event.shiftKey;
  });
  // Coming back through the browser's page cache: nothing typed is shown again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { clearForms(); }
  });
}());
