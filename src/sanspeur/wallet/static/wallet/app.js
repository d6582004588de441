// Sans peur "My card": the holder's card in their phone (docs/wallet.md).
// The card (its signed code, which carries the signed photo, the QR to show and, when the city
// has a pass certificate, the Apple Wallet pass) is kept in IndexedDB. The only request this
// page ever makes is the one-time claim of a link the agent gave; everything else is local.
// The card's face is read from the signed code with the verifier's own parser.
import { b45decode, cborDecode, parseSign1 } from "../verify/mtl1.js";
import { zlibInflate } from "../verify/inflate.js";

const root = document.getElementById("wallet-app");
const $ = (id) => document.getElementById(id);
const config = JSON.parse($("wa-config").textContent);
const LANG_KEY = "sanspeur.wallet.lang";
const DB_NAME = "sanspeur-wallet";
const STORE = "kv";
const PIN_ITERATIONS = 200000;

const state = { lang: "fr", card: null, face: null, pin: null, unlocked: false, passUrl: null, wakeLock: null };

// ------------------------------------------------------------------ storage (IndexedDB)

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function dbDo(mode, action) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = action(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}
const dbGet = (key) => dbDo("readonly", (store) => store.get(key));
const dbPut = (key, value) => dbDo("readwrite", (store) => store.put(value, key));
const dbDelete = (key) => dbDo("readwrite", (store) => store.delete(key));

function storageGet(key) {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}
function storageSet(key, value) {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // private mode: the language simply is not remembered
  }
}

// ------------------------------------------------------------------ language

function t(key, params = {}) {
  let text = config.strings[state.lang][key] ?? config.strings.en[key] ?? key;
  for (const [name, value] of Object.entries(params)) text = text.replace(`{${name}}`, `\u2068${value}\u2069`);
  return text;
}

function chooseLanguage() {
  const available = config.languages.map((l) => l.code);
  const stored = storageGet(LANG_KEY);
  if (stored && available.includes(stored)) return stored;
  for (const tag of navigator.languages || [navigator.language]) {
    const code = String(tag).toLowerCase().split("-")[0];
    if (available.includes(code)) return code;
  }
  return "fr";
}

function applyLanguage() {
  const info = config.languages.find((l) => l.code === state.lang);
  document.documentElement.lang = state.lang;
  document.documentElement.dir = info ? info.dir : "ltr";
  document.title = `${t("title")} · Sans peur`;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-alt]")) el.alt = t(el.dataset.i18nAlt);
  $("wa-lang").value = state.lang;
  if (root.dataset.message) showMessage(root.dataset.message);
  pinMessage($("wa-pin-msg").dataset.key);
  render();
}

function formatDate(seconds) {
  const date = new Date(seconds * 1000);
  const timeZone = "America/Toronto";
  try {
    if (!Intl.DateTimeFormat.supportedLocalesOf([state.lang]).length) {
      // No calendar for this language in the browser (Haitian Creole): day, month name, year.
      const parts = Object.fromEntries(
        new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "numeric", day: "numeric", timeZone })
          .formatToParts(date)
          .map((part) => [part.type, part.value]),
      );
      return `${parts.day} ${config.months[state.lang][Number(parts.month) - 1]} ${parts.year}`;
    }
    return new Intl.DateTimeFormat(`${state.lang}-CA`, { dateStyle: "long", timeZone, numberingSystem: "latn" }).format(date);
  } catch {
    return date.toISOString().slice(0, 10);
  }
}

function pinMessage(key) {
  const el = $("wa-pin-msg");
  el.dataset.key = key || "";
  el.textContent = key ? t(key) : "";
  el.className = key === "pin_invalid" ? "wa-small wa-error" : "wa-small";
}

function showMessage(key) {
  root.dataset.message = key || "";
  const el = $("wa-message");
  el.hidden = !key;
  el.textContent = key ? t(key) : "";
  el.className = key === "claim_failed" || key === "claim_offline" ? "wa-message wa-error" : "wa-message";
}

// ------------------------------------------------------------------ the card's face, from the signed code

const MAX_COSE_BYTES = 8192;

export function readFace(code) {
  const text = String(code).trim();
  if (!text.startsWith("MTL1:")) throw new Error("not a card code");
  const message = parseSign1(zlibInflate(b45decode(text.slice(5)), MAX_COSE_BYTES));
  const payload = cborDecode(message.payload);
  const card = payload.get(-65537);
  if (!(card instanceof Map)) throw new Error("no card claim");
  const number = String(card.get(1));
  return {
    number: `${number.slice(0, 5)}-${number.slice(5)}`,
    given: String(card.get(2)),
    family: String(card.get(3)),
    city: String(card.get(5)),
    photo: card.get(7),
    expires: Number(payload.get(4)),
  };
}

function bytesToBase64(bytes) {
  let bin = "";
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  return btoa(bin);
}

function base64ToBytes(text) {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// ------------------------------------------------------------------ PIN (gates the display only)

async function pinHash(pin, salt) {
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(pin), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations: PIN_ITERATIONS },
    material,
    256,
  );
  return bytesToBase64(new Uint8Array(bits));
}

const PIN_FORMAT = /^[0-9]{4,8}$/;

async function setPin(pin) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  state.pin = { salt: bytesToBase64(salt), hash: await pinHash(pin, salt) };
  await dbPut("pin", state.pin);
}

async function checkPin(pin) {
  if (!state.pin) return true;
  return (await pinHash(pin, base64ToBytes(state.pin.salt))) === state.pin.hash;
}

// ------------------------------------------------------------------ rendering

function render() {
  const hasCard = Boolean(state.card && state.face);
  const locked = hasCard && state.pin && !state.unlocked;
  $("wa-empty").hidden = hasCard;
  $("wa-lock").hidden = !locked;
  $("wa-card").hidden = !hasCard || locked;
  $("wa-settings").hidden = !hasCard || locked;
  $("wa-lock-now").hidden = !state.pin;
  $("wa-pin-save").textContent = t(state.pin ? "pin_change" : "pin_set");
  $("wa-pin-remove").hidden = !state.pin;
  if (!hasCard || locked) {
    closeQr();
    return;
  }
  const face = state.face;
  $("wa-photo").src = `data:image/webp;base64,${bytesToBase64(face.photo)}`;
  const names = $("wa-names");
  names.textContent = "";
  const bdi = document.createElement("bdi");
  bdi.textContent = `${face.given} ${face.family}`;
  names.append(bdi);
  $("wa-expiry").textContent = formatDate(face.expires);
  $("wa-number").textContent = face.number;
  $("wa-resident").textContent = t("field_resident", { city: face.city });
  $("wa-expired").hidden = face.expires > Date.now() / 1000;
  $("wa-qr-img").src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(state.card.qr_svg)}`;
  if (state.passUrl) URL.revokeObjectURL(state.passUrl);
  state.passUrl = null;
  $("wa-pass-block").hidden = !state.card.pkpass;
  if (state.card.pkpass) {
    const blob = new Blob([base64ToBytes(state.card.pkpass)], { type: "application/vnd.apple.pkpass" });
    state.passUrl = URL.createObjectURL(blob);
    $("wa-pass").href = state.passUrl;
  }
  root.dataset.card = "shown";
}

async function openQr() {
  const overlay = $("wa-qr");
  overlay.hidden = false;
  document.body.classList.add("wa-qr-open");
  root.dataset.qr = "open";
  $("wa-qr-close").focus();
  try {
    if (overlay.requestFullscreen && !document.fullscreenElement) await overlay.requestFullscreen();
  } catch {
    // not allowed here: the overlay already fills the window
  }
  try {
    if (navigator.wakeLock) state.wakeLock = await navigator.wakeLock.request("screen");
  } catch {
    // the screen may dim; nothing else to do
  }
}

function closeQr() {
  const overlay = $("wa-qr");
  if (overlay.hidden) return;
  overlay.hidden = true;
  document.body.classList.remove("wa-qr-open");
  root.dataset.qr = "closed";
  if (document.fullscreenElement && document.exitFullscreen) document.exitFullscreen().catch(() => {});
  if (state.wakeLock) state.wakeLock.release().catch(() => {});
  state.wakeLock = null;
  $("wa-show").focus();
}

// ------------------------------------------------------------------ claiming a one-time link

async function claim(token) {
  showMessage("claiming");
  let response;
  try {
    response = await fetch(config.claim_url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token }),
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    });
  } catch {
    showMessage("claim_offline");
    return;
  }
  if (!response.ok) {
    showMessage("claim_failed");
    return;
  }
  let data;
  let face;
  try {
    data = await response.json();
    face = readFace(data.code);
  } catch {
    showMessage("claim_failed");
    return;
  }
  const card = { code: data.code, qr_svg: data.qr_svg, pkpass: data.pkpass || null, saved_at: Date.now() };
  await dbPut("card", card);
  state.card = card;
  state.face = face;
  state.unlocked = true; // the person is at the desk, taking this very card
  showMessage("claim_saved");
}

// ------------------------------------------------------------------ start

async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register(root.dataset.swUrl, { scope: root.dataset.scope });
    await navigator.serviceWorker.ready;
    root.dataset.swReady = "true";
  } catch {
    // without a service worker the card still shows while the page stays open
  }
}

async function main() {
  state.lang = chooseLanguage();
  // A one-time link is /wallet/app/#claim=<token>: the token never reaches the server in a URL
  // (browsers do not send what follows "#"), and it leaves the address bar at once.
  const match = /^#claim=([A-Za-z0-9_-]{20,100})$/.exec(window.location.hash);
  if (window.location.hash) history.replaceState(null, "", window.location.pathname);
  try {
    state.pin = (await dbGet("pin")) || null;
    state.card = (await dbGet("card")) || null;
    state.face = state.card ? readFace(state.card.code) : null;
  } catch {
    state.card = null;
    state.face = null;
  }
  if (match) await claim(match[1]);
  applyLanguage();

  $("wa-lang").addEventListener("change", (e) => {
    state.lang = e.target.value;
    storageSet(LANG_KEY, state.lang);
    applyLanguage();
  });
  $("wa-show").addEventListener("click", openQr);
  $("wa-qr-close").addEventListener("click", closeQr);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") closeQr();
  });
  $("wa-unlock").addEventListener("submit", async (e) => {
    e.preventDefault();
    const input = $("wa-pin");
    const ok = await checkPin(input.value);
    input.value = "";
    $("wa-pin-error").hidden = ok;
    $("wa-pin-error").textContent = ok ? "" : t("pin_wrong");
    if (ok) {
      state.unlocked = true;
      render();
      $("wa-show").focus();
    }
  });
  $("wa-pin-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const input = $("wa-new-pin");
    if (!PIN_FORMAT.test(input.value)) {
      pinMessage("pin_invalid");
      return;
    }
    await setPin(input.value);
    state.unlocked = true; // the person who just chose it is looking at the card
    input.value = "";
    pinMessage("pin_saved");
    render();
  });
  $("wa-pin-remove").addEventListener("click", async () => {
    await dbDelete("pin");
    state.pin = null;
    pinMessage("pin_removed");
    render();
  });
  $("wa-lock-now").addEventListener("click", () => {
    state.unlocked = false;
    showMessage("");
    render();
    $("wa-pin").focus();
  });
  $("wa-remove").addEventListener("click", async () => {
    if (!window.confirm(t("remove_confirm"))) return;
    await dbDelete("card");
    await dbDelete("pin");
    state.card = null;
    state.face = null;
    state.pin = null;
    showMessage("removed");
    render();
  });
  root.dataset.ready = "true";
  await registerServiceWorker();
}

main();
