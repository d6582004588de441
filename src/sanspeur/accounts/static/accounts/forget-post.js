// A page that answers a form sent with POST keeps the form's body in the browser's session
// history, which Chromium saves on disk to restore tabs: names, birth dates, addresses and
// passwords typed at the desk would stay on the staff laptop after the browser is closed.
// Replacing the history entry by itself drops that body (issue 14). On a page reached by GET it
// changes nothing. A reload then asks for the page again instead of sending the form again.
if (window.history && typeof window.history.replaceState === "function") {
  window.history.replaceState(window.history.state, "", window.location.href);
}
