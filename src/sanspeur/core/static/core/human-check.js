// The proof-of-work widget of the public forms (core/humancheck.py), configured without any inline
// script (the CSP allows none): its PBKDF2 worker is served from our own origin, its texts are the
// page's translations, and if it cannot work (an old browser, no Web Crypto), the question meant
// for browsers without JavaScript is shown in its place: never a dead end.
const config = JSON.parse(document.getElementById("human-check-config").textContent);
const registry = globalThis.$altcha;

if (registry) {
  registry.algorithms.set("PBKDF2/SHA-256", () => new Worker(config.worker));
  registry.i18n.set(config.language, { ...(registry.i18n.get("en") || {}), ...config.strings });
}

function showQuestion(widget) {
  const box = widget.closest(".human-check");
  const hidden = box && box.querySelector("noscript[data-human-check]");
  if (hidden) {
    const template = document.createElement("template");
    template.innerHTML = hidden.textContent; // our own server-rendered markup
    hidden.replaceWith(template.content);
  }
  if (typeof widget.configure === "function") {
    widget.configure({ auto: "off" }); // the form now goes out with the answer instead
  }
  widget.hidden = true;
  for (const note of document.querySelectorAll("[data-human-check-note]")) {
    note.hidden = true; // "your browser does a short check": not any more
  }
  const help = box && box.querySelector("#id_human_answer_help");
  if (help) {
    help.textContent = config.strings.error;
  }
  const answer = box && box.querySelector("input[name=answer]");
  if (answer) {
    answer.focus();
  }
}

for (const note of document.querySelectorAll("[data-human-check-note]")) {
  note.hidden = false; // explains the check, which only happens with JavaScript
}

for (const widget of document.querySelectorAll("altcha-widget")) {
  if (!registry || !globalThis.isSecureContext || !globalThis.crypto?.subtle || !globalThis.Worker) {
    showQuestion(widget);
    continue;
  }
  widget.addEventListener("statechange", (event) => {
    if (event.detail && event.detail.state === "error") {
      showQuestion(widget);
    }
  });
}
