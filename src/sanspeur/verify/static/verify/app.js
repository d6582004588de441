// Sans peur offline verifier: page logic. Verification itself is in mtl1.js.
// Lists are loaded into memory at start-up (and when the service worker says they changed);
// a scan then runs entirely in this page, with no network request.
import { loadRoots, loadTrustList, parseStatusList, verify } from "./mtl1.js";
import { decodeImage, startCamera } from "./scanner.js";
import { counted, EMPTY_RESULT, isEmpty, texts, UNREADABLE, VALID } from "./verdict.js";

const root = document.getElementById("verify-app");
const $ = (id) => document.getElementById(id);
const LANG_KEY = "sanspeur.verify.lang";
const PROFILE_KEY = "sanspeur.verify.profile";
const TALLY_KEY = "sanspeur.verify.tally";
const CHARTER_KEY = "sanspeur.verify.charter";

const state = {
  config: null,
  roots: new Map(),
  trustList: null,
  statusTokens: [],
  lang: "fr",
  camera: null,
  busy: false,
};

// The test clock (Playwright) and real devices both go through Date.now().
const nowSeconds = () => Date.now() / 1000;

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
    // private mode: settings simply are not remembered
  }
}

// ------------------------------------------------------------------ language

function t(key, params = {}) {
  const strings = (state.config && state.config.strings[state.lang]) || {};
  let text = strings[key] ?? (state.config && state.config.strings.en[key]) ?? key;
  // Each inserted value is isolated (FSI … PDI): a count or an age keeps its place in an Arabic
  // sentence, as the server's pages do with <bdi> (sanspeur/core/formats.py).
  for (const [name, value] of Object.entries(params)) text = text.replace(`{${name}}`, `\u2068${value}\u2069`);
  return text;
}

function chooseLanguage() {
  const available = state.config.languages.map((l) => l.code);
  const stored = storageGet(LANG_KEY);
  if (stored && available.includes(stored)) return stored;
  for (const tag of navigator.languages || [navigator.language]) {
    const code = String(tag).toLowerCase().split("-")[0];
    if (available.includes(code)) return code;
  }
  return "fr";
}

function applyLanguage() {
  const info = state.config.languages.find((l) => l.code === state.lang);
  document.documentElement.lang = state.lang;
  document.documentElement.dir = info ? info.dir : "ltr";
  document.title = `${t("title")} · Sans peur`;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  $("vf-lang").value = state.lang;
  const profileSelect = $("vf-profile");
  for (const option of profileSelect.options) {
    const profile = state.config.profiles.find((p) => p.id === option.value);
    if (profile) option.textContent = profile.label[state.lang] || profile.label.en;
  }
  renderTally();
  renderLists();
}

function buildProfileOptions() {
  const select = $("vf-profile");
  const current = storageGet(PROFILE_KEY);
  select.replaceChildren();
  for (const profile of state.config.profiles) {
    const option = document.createElement("option");
    option.value = profile.id;
    option.textContent = profile.label[state.lang] || profile.label.en;
    select.append(option);
  }
  if (current && state.config.profiles.some((p) => p.id === current)) select.value = current;
}

function currentProfile() {
  const id = $("vf-profile").value;
  return state.config.profiles.find((p) => p.id === id) || state.config.profiles[0];
}

// ------------------------------------------------------------------ lists

async function fetchOrNull(url, kind) {
  try {
    const response = await fetch(url, { credentials: "omit" });
    if (!response.ok) return null;
    return kind === "bytes" ? new Uint8Array(await response.arrayBuffer()) : await response.text();
  } catch {
    return null;
  }
}

async function loadLists() {
  const response = await fetch(root.dataset.configUrl, { credentials: "omit" });
  state.config = await response.json();
  state.roots = await loadRoots(state.config.trust_root_pem);
  const jws = await fetchOrNull(state.config.trust_list_url, "text");
  if (jws !== null) {
    try {
      state.trustList = await loadTrustList(jws, state.roots, nowSeconds());
    } catch {
      // a list that does not verify against the pinned root is ignored: keep the previous one
    }
  }
  const tokens = [];
  for (const url of state.config.status_list_urls) {
    const bytes = await fetchOrNull(url, "bytes");
    if (bytes === null) continue;
    try {
      tokens.push(await parseStatusList(bytes));
    } catch {
      // malformed list: ignored (cards then read as status_list_stale)
    }
  }
  if (tokens.length || !state.statusTokens.length) state.statusTokens = tokens;
  root.dataset.listsLoads = String(Number(root.dataset.listsLoads || 0) + 1);
  renderLists();
}

function formatAge(seconds) {
  const s = Math.max(0, seconds);
  if (s < 3600) return t("age_minutes", { n: Math.max(1, Math.round(s / 60)) });
  if (s < 48 * 3600) return t("age_hours", { n: Math.round(s / 3600) });
  return t("age_days", { n: Math.floor(s / 86400) });
}

function renderLists() {
  if (!state.config) return;
  const now = nowSeconds();
  $("vf-net").textContent = navigator.onLine ? t("online") : t("offline");
  const trustItem = $("vf-trust-age");
  const statusItem = $("vf-status-age");
  if (!state.trustList) {
    trustItem.textContent = t("lists_missing");
    statusItem.hidden = true;
    return;
  }
  trustItem.textContent = t("trust_list_age", { age: formatAge(now - state.trustList.issuedAt) });
  if (state.statusTokens.length) {
    const newest = state.statusTokens.reduce((a, b) => (b.issuedAt > a.issuedAt ? b : a));
    statusItem.textContent = t("status_list_age", { age: formatAge(now - newest.issuedAt) });
    statusItem.hidden = false;
    statusItem.classList.toggle("vf-stale", now - newest.issuedAt > state.config.policy.max_status_age);
  } else {
    statusItem.hidden = true;
  }
  root.dataset.ready = "true";
}

// ------------------------------------------------------------------ tally (this device only)

function today() {
  const d = new Date();
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

function readTally() {
  try {
    const data = JSON.parse(storageGet(TALLY_KEY) || "{}");
    return data.date === today() ? Number(data.count) || 0 : 0;
  } catch {
    return 0;
  }
}

function renderTally() {
  $("vf-tally").textContent = t("tally", { count: readTally() });
}

function countScan() {
  storageSet(TALLY_KEY, JSON.stringify({ date: today(), count: readTally() + 1 }));
  renderTally();
}

// ------------------------------------------------------------------ result

function isAdult(dateOfBirth, now) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateOfBirth);
  if (!m) return false;
  const d = new Date(now * 1000);
  const years = d.getFullYear() - Number(m[1]);
  const beforeBirthday = d.getMonth() + 1 < Number(m[2]) || (d.getMonth() + 1 === Number(m[2]) && d.getDate() < Number(m[3]));
  return years - (beforeBirthday ? 1 : 0) >= 18;
}

function formatDate(value) {
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(`${value}T12:00:00Z`);
  const timeZone = typeof value === "number" ? "America/Toronto" : "UTC";
  try {
    if (!Intl.DateTimeFormat.supportedLocalesOf([state.lang]).length && state.config.months) {
      // No calendar for this language in the browser (Haitian Creole): day, month name, year.
      const parts = Object.fromEntries(
        new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "numeric", day: "numeric", timeZone })
          .formatToParts(date)
          .map((part) => [part.type, part.value]),
      );
      return `${parts.day} ${state.config.months[state.lang][Number(parts.month) - 1]} ${parts.year}`;
    }
    return new Intl.DateTimeFormat(`${state.lang}-CA`, { dateStyle: "long", timeZone, numberingSystem: "latn" }).format(date);
  } catch {
    return date.toISOString().slice(0, 10);
  }
}

function photoDataUrl(bytes) {
  let bin = "";
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  return `data:image/webp;base64,${btoa(bin)}`;
}

function fieldRow(field, label, value) {
  const row = document.createElement("div");
  row.className = "vf-row";
  row.dataset.field = field;
  const dt = document.createElement("p");
  dt.className = "vf-label";
  dt.textContent = label;
  const dd = document.createElement("p");
  dd.className = "vf-value";
  const isolated = document.createElement("bdi"); // a name or a date: its own direction
  isolated.textContent = value;
  dd.append(isolated);
  row.append(dt, dd);
  return row;
}

function renderFields(result, profile) {
  const container = $("vf-fields");
  container.replaceChildren();
  if (!result.valid) return;
  const c = result.claims;
  const now = nowSeconds();
  for (const field of profile.fields) {
    if (field === "photo") {
      const figure = document.createElement("figure");
      figure.className = "vf-photo";
      figure.dataset.field = "photo";
      const img = document.createElement("img");
      img.src = photoDataUrl(result.photo);
      img.alt = t("field_photo");
      img.width = 240;
      img.height = 300;
      const caption = document.createElement("figcaption");
      caption.textContent = t("field_photo");
      figure.append(img, caption);
      container.append(figure);
    } else if (field === "names") {
      container.append(fieldRow(field, t("field_names"), `${c.given_names} ${c.family_names}`));
    } else if (field === "expiry") {
      container.append(fieldRow(field, t("field_expiry"), formatDate(c.expires_at)));
    } else if (field === "resident") {
      const resident = c.city === state.config.city;
      container.append(fieldRow(field, t("field_resident"), resident ? t("yes") : t("no")));
    } else if (field === "borough") {
      container.append(fieldRow(field, t("field_borough"), c.borough || "—"));
    } else if (field === "age_18") {
      container.append(fieldRow(field, t("field_age_18"), isAdult(c.date_of_birth, now) ? t("yes") : t("no")));
    } else if (field === "date_of_birth") {
      container.append(fieldRow(field, t("field_date_of_birth"), formatDate(c.date_of_birth)));
    }
  }
}

function showResult(result) {
  const section = $("vf-result");
  const shown = texts(result);
  section.dataset.reason = result.reason;
  section.dataset.outcome = shown.kind;
  section.classList.toggle("vf-is-valid", shown.kind === VALID);
  section.classList.toggle("vf-is-not-valid", shown.kind === "not_valid");
  section.classList.toggle("vf-is-neutral", shown.kind !== VALID && shown.kind !== "not_valid");
  const verdict = t(shown.verdict);
  $("vf-verdict-text").textContent = verdict;
  $("vf-reason").textContent = t(shown.reason);
  $("vf-advice").textContent = t(shown.advice);
  const warning = $("vf-warning");
  warning.hidden = !result.warnings.includes("status_list_old");
  warning.textContent = warning.hidden ? "" : t("warning_status_list_old");
  const done = $("vf-done");
  done.dataset.i18n = shown.kind === UNREADABLE ? "try_again" : "done";
  done.textContent = t(done.dataset.i18n);
  renderFields(result, currentProfile());
  section.hidden = false;
  $("vf-scan").hidden = true;
  $("vf-announce").textContent = `${verdict}. ${t(shown.reason)}`;
  section.focus();
}

function clearResult() {
  const section = $("vf-result");
  section.hidden = true;
  delete section.dataset.reason;
  $("vf-fields").replaceChildren();
  $("vf-verdict-text").textContent = "";
  $("vf-reason").textContent = "";
  $("vf-advice").textContent = "";
  $("vf-announce").textContent = "";
  $("vf-code").value = "";
  $("vf-photo").value = "";
  delete section.dataset.outcome;
  const done = $("vf-done");
  done.dataset.i18n = "done";
  done.textContent = t("done");
  $("vf-scan").hidden = false;
  $("vf-code").focus();
}

async function check(code) {
  if (state.busy) return null;
  state.busy = true;
  try {
    // An empty box is not a card: the neutral "could not read" state, nothing verified or counted.
    const result = isEmpty(code)
      ? EMPTY_RESULT
      : await verify(code, state.trustList, state.statusTokens, nowSeconds(), {
          maxStatusAge: state.config.policy.max_status_age,
          leeway: state.config.policy.leeway,
        });
    if (counted(texts(result).kind)) countScan();
    showResult(result);
    return result;
  } finally {
    state.busy = false;
  }
}

// ------------------------------------------------------------------ scanning

// What the scan loop says while no code is read, from the code's size in the frame.
const GUIDANCE = { closer: "move_closer", farther: "move_farther", still: "hold_still" };

// The camera's status line, kept in the page's language when it changes (data-i18n).
function cameraMessage(key) {
  const msg = $("vf-camera-msg");
  msg.dataset.i18n = key;
  msg.textContent = t(key);
}

function showGuidance(kind) {
  const msg = $("vf-camera-msg");
  if (kind) msg.dataset.guidance = kind;
  else delete msg.dataset.guidance;
  cameraMessage(GUIDANCE[kind] || "camera_hint");
}

async function onCameraStart() {
  cameraMessage("camera_hint");
  try {
    state.camera = await startCamera(
      $("vf-video"),
      root.dataset.ponyfillUrl,
      state.config.wasm_url,
      async (text) => {
        stopCamera();
        await check(text);
      },
      showGuidance,
    );
    root.dataset.cameraResolution = state.camera.resolution;
    $("vf-video").hidden = false;
    $("vf-camera-start").hidden = true;
    $("vf-camera-stop").hidden = false;
    $("vf-torch").hidden = !state.camera.torch;
  } catch {
    cameraMessage("no_camera");
  }
}

async function onTorch() {
  if (!state.camera) return;
  const on = await state.camera.toggleTorch();
  const button = $("vf-torch");
  button.setAttribute("aria-pressed", String(on));
  button.dataset.i18n = on ? "torch_off" : "torch_on";
  button.textContent = t(button.dataset.i18n);
}

function stopCamera() {
  if (state.camera) state.camera.stop();
  state.camera = null;
  $("vf-video").hidden = true;
  $("vf-camera-start").hidden = false;
  $("vf-camera-stop").hidden = true;
  const torch = $("vf-torch");
  torch.hidden = true;
  torch.setAttribute("aria-pressed", "false");
  torch.dataset.i18n = "torch_on";
  torch.textContent = t("torch_on");
  const msg = $("vf-camera-msg");
  msg.textContent = "";
  delete msg.dataset.guidance;
  delete msg.dataset.i18n;
}

async function onPhoto(event) {
  const file = event.target.files && event.target.files[0];
  if (!file) return;
  try {
    const text = await decodeImage(file, root.dataset.ponyfillUrl, state.config.wasm_url);
    if (!text) {
      cameraMessage("no_code_found");
      return;
    }
    await check(text);
  } catch {
    cameraMessage("no_code_found");
  }
}

// ------------------------------------------------------------------ start

async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register(root.dataset.swUrl, { scope: root.dataset.scope });
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "lists-updated" && !state.busy) loadLists().catch(() => {});
    });
    await navigator.serviceWorker.ready;
    root.dataset.swReady = "true";
  } catch {
    // without a service worker the page still verifies while it stays open
  }
}

function requestRefresh() {
  if (navigator.onLine && navigator.serviceWorker && navigator.serviceWorker.controller) {
    navigator.serviceWorker.controller.postMessage({ type: "refresh" });
  }
}

async function main() {
  await loadLists();
  state.lang = chooseLanguage();
  buildProfileOptions();
  applyLanguage();
  $("vf-lang").addEventListener("change", (e) => {
    state.lang = e.target.value;
    storageSet(LANG_KEY, state.lang);
    applyLanguage();
  });
  $("vf-profile").addEventListener("change", (e) => {
    storageSet(PROFILE_KEY, e.target.value);
    const section = $("vf-result");
    if (!section.hidden) clearResult();
  });
  $("vf-paste").addEventListener("submit", (e) => {
    e.preventDefault();
    check($("vf-code").value);
  });
  $("vf-photo").addEventListener("change", onPhoto);
  $("vf-camera-start").addEventListener("click", onCameraStart);
  $("vf-camera-stop").addEventListener("click", stopCamera);
  $("vf-torch").addEventListener("click", onTorch);
  $("vf-done").addEventListener("click", clearResult);
  // The charter's three rules, on first use and after a new version: read once per device.
  const charter = $("vf-charter");
  if (storageGet(CHARTER_KEY) !== charter.dataset.version) charter.hidden = false;
  $("vf-charter-ok").addEventListener("click", () => {
    storageSet(CHARTER_KEY, charter.dataset.version);
    charter.hidden = true;
    $("vf-camera-start").focus();
  });
  $("vf-tally-reset").addEventListener("click", () => {
    storageSet(TALLY_KEY, JSON.stringify({ date: today(), count: 0 }));
    renderTally();
  });
  window.addEventListener("online", () => {
    renderLists();
    requestRefresh();
  });
  window.addEventListener("offline", renderLists);
  const refreshMs = Math.max(30, state.config.policy.refresh_seconds) * 1000;
  setInterval(() => {
    if (!state.busy && $("vf-result").hidden) requestRefresh();
    renderLists();
  }, refreshMs);
  root.dataset.loaded = "true";
  await registerServiceWorker();
}

main();
