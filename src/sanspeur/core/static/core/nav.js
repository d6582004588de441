// Progressive enhancement of the main navigation (docs/design.md "Header and main navigation"):
// without JavaScript every link is shown; on a narrow screen a "Menu" button folds them away so
// that the page's own content starts on the first screen.
(function () {
  "use strict";
  var nav = document.querySelector(".main-nav");
  var toggle = nav && nav.querySelector(".main-nav__toggle");
  var list = nav && nav.querySelector("ul");
  if (!toggle || !list || !window.matchMedia) { return; }
  var narrow = window.matchMedia("(max-width: 40rem)");

  function set(open) {
    list.hidden = !open;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }
  function layout() {
    toggle.hidden = !narrow.matches;
    set(!narrow.matches);
  }
  toggle.addEventListener("click", function () { set(list.hidden); });
  if (narrow.addEventListener) { narrow.addEventListener("change", layout); }
  layout();
})();
