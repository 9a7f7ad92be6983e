// Call intake: type-ahead over call types, optional map pick, POST /api/v1/calls, then the
// triage decision and the location/caller history shown in place. Keyboard-first: every action
// has a key (listed on screen) and no step needs the mouse.
import { ApiError, api, csrfToken } from "./lib/api.js";
import { agencyLabel } from "./lib/config.js";
import { $, agencyBadge, clone, h, joined, replace, setText, show, slot } from "./lib/dom.js";
import { dateTime } from "./lib/format.js";
import { callLocate, geocodeAttach, geocodeReverse, zoneDescribe } from "./geocode.js";
import { streetsLayerAttach } from "./streets.js";

const leaflet = window.L; // static/vendor/leaflet/leaflet.js, loaded before this module
const form = document.getElementById("intake-form");
const apiUrl = form.dataset.api;
const previewUrl = form.dataset.preview;
const historyUrl = form.dataset.history;
const callTypes = JSON.parse(document.getElementById("call-types-data").textContent);
const zones = JSON.parse(document.getElementById("zones-data").textContent);

// The co-response modes of triage/engine.py (MODES), in the words a call-taker reads.
const MODE_LABELS = {
  ACS_ALONE: "ACS alone",
  ACS_LEAD_POLICE_STAGED: "ACS leads; police staged nearby",
  POLICE_LEAD_ACS_FOLLOW: "Police lead; ACS follows up",
  POLICE_ALONE: "Police alone",
  POLICE_LEAD_FIRE_EMS: "Police lead; fire/EMS staged",
  POLICE_LEAD_FIRE_EMS_ACS: "Police lead; fire/EMS staged; ACS follows up",
  FIRE_EMS_ALONE: "Fire/EMS alone",
  FIRE_EMS_WITH_POLICE: "Fire/EMS lead; police assist",
  FIRE_EMS_WITH_ACS: "Fire/EMS lead; ACS follows up",
  FIRE_EMS_WITH_POLICE_ACS: "Fire/EMS lead; police assist; ACS follows up",
};
const FIELDS = ["call_type", "narrative", "address", "lat", "lon", "caller_name", "caller_phone",
  "caller_language", "interpreter_needed", "weapons", "violence", "medical", "caller_is_subject"];
const SCREENING = ["weapons", "violence", "medical", "caller_is_subject"];

// --- call type combobox -------------------------------------------------------------------------

const typeInput = $("call_type");
const typeList = $("call_type-list");
const typeChosen = $("call_type-chosen");
let matches = [];
let active = -1;

function typeSearch(q) {
  q = q.trim().toLowerCase();
  if (!q) return [];
  const byCode = callTypes.filter((t) => t.code.toLowerCase().startsWith(q));
  const byName = callTypes.filter((t) => !t.code.toLowerCase().startsWith(q) && t.name.toLowerCase().includes(q));
  return byCode.concat(byName).slice(0, 12);
}

function listRender() {
  replace(typeList, matches.map((t, i) => h("li", {
    role: "option", id: `ct-opt-${i}`, "data-code": t.code, "aria-selected": String(i === active), class: i === active ? "active" : "",
  }, h("b", {}, t.code), ` ${t.name}`)));
  const open = matches.length > 0;
  typeList.hidden = !open;
  typeInput.setAttribute("aria-expanded", String(open));
  if (active >= 0) typeInput.setAttribute("aria-activedescendant", `ct-opt-${active}`);
  else typeInput.removeAttribute("aria-activedescendant");
}

function listClose() {
  matches = [];
  active = -1;
  listRender();
}

function typePick(t) {
  typeInput.value = t.code;
  typeChosen.textContent = `${t.code}: ${t.name}`;
  listClose();
}

function typeExact() {
  const code = typeInput.value.trim().toLowerCase();
  return callTypes.find((x) => x.code.toLowerCase() === code);
}

function typeDescribe() {
  const t = typeExact();
  typeChosen.textContent = t ? `${t.code}: ${t.name}` : "";
}

// Nothing is highlighted while typing: the first ArrowDown highlights the FIRST match (highlighting
// it on typing made that ArrowDown pick the second, PARTY-CR instead of PARTY).
typeInput.addEventListener("input", () => {
  matches = typeSearch(typeInput.value);
  active = -1;
  listRender();
  typeDescribe();
});

typeInput.addEventListener("keydown", (e) => {
  const open = !typeList.hidden;
  if (e.key === "ArrowDown") {
    e.preventDefault();
    if (!open) { matches = typeSearch(typeInput.value); active = matches.length ? 0 : -1; }
    else active = Math.min(active + 1, matches.length - 1);
    listRender();
  } else if (e.key === "ArrowUp" && open) {
    e.preventDefault();
    if (active > 0) active -= 1;
    listRender();
  } else if (e.key === "Enter" && open) {
    // Enter picks the highlighted type, or with none highlighted the exact code typed, else the
    // first match; the next Enter (list closed) saves the call.
    e.preventDefault();
    typePick(active >= 0 ? matches[active] : typeExact() || matches[0]);
  } else if (e.key === "Escape" && open) {
    e.preventDefault();
    listClose();
  } else if (e.key === "Tab" && open && active >= 0) {
    typePick(matches[active]);
  }
});

typeInput.addEventListener("blur", () => setTimeout(listClose, 150));
typeList.addEventListener("mousedown", (e) => {
  const li = e.target.closest("li[data-code]");
  if (!li) return;
  e.preventDefault();
  typePick(callTypes.find((t) => t.code === li.dataset.code));
});

// --- map (optional, for mouse users; the point can always be typed) ------------------------------

let map = null;
let marker = null;
if (leaflet && $("intake-map")) {
  // zoomSnap below 1: with whole zoom levels the city fits at a size too small to pick a point.
  map = leaflet.map("intake-map", { keyboard: false, zoomControl: false, attributionControl: false, zoomSnap: 0.25 });
  map.getContainer().removeAttribute("tabindex");
  // Not interactive: no focusable SVG paths in the tab order; a click goes to the map itself.
  const layer = leaflet.geoJSON(zones, {
    style: { color: "#6cb6ff", weight: 1, fillOpacity: 0.08 },
    interactive: false,
  }).addTo(map);
  if (zones.features.length) map.fitBounds(layer.getBounds());
  else map.setView([35.0844, -106.6504], 11);
  streetsLayerAttach(map); // issue 13: the imported centerlines, drawn for the current view
  map.on("click", (e) => {
    $("lat").value = e.latlng.lat.toFixed(6);
    $("lon").value = e.latlng.lng.toFixed(6);
    markerMove();
    historySoon();
    mapPicked(e.latlng.lat, e.latlng.lng); // issue 13: say what is there; place a flagged call
  });
}

function markerMove() {
  if (!map) return;
  const lat = parseFloat($("lat").value);
  const lon = parseFloat($("lon").value);
  if (Number.isNaN(lat) || Number.isNaN(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return;
  if (!marker) marker = leaflet.circleMarker([lat, lon], { radius: 7, color: "#ffd866", weight: 3 }).addTo(map);
  else marker.setLatLng([lat, lon]);
}
$("lat").addEventListener("change", markerMove);
$("lon").addEventListener("change", markerMove);

// --- geocoding (issue 13): candidates as the call-taker types; see static/js/geocode.js ---------

let savedCall = null; // the call just saved: placed by the next map click when its address found nothing
const geo = geocodeAttach({
  input: $("address"),
  list: $("address-list"),
  status: $("address-found"),
  url: form.dataset.geocode,
  onPick: (c) => {
    $("lat").value = c.lat.toFixed(6);
    $("lon").value = c.lon.toFixed(6);
    markerMove();
    if (map) map.setView([c.lat, c.lon], 15);
    historySoon();
  },
  onUnpick: () => { $("lat").value = ""; $("lon").value = ""; if (marker) { marker.remove(); marker = null; } },
});

async function mapPicked(lat, lon) {
  if (savedCall && savedCall.location_unverified) {
    const placed = await callLocate(`${apiUrl}/${savedCall.id}/location`, csrfToken(), lat, lon);
    if (placed) {
      savedCall = { ...savedCall, ...placed };
      geo.say(`Call ${placed.number} placed on the map: ${zoneDescribe(placed)}.`);
      const warn = $("result-unverified");
      if (warn) warn.textContent = `Placed by map pick: ${zoneDescribe(placed)}.`;
    }
    return;
  }
  const near = await geocodeReverse(form.dataset.geocodeReverse, lat, lon);
  if (near) geo.say(`Map point near ${near.label}, ${zoneDescribe(near)}.`);
}

// From the keyboard too: a point typed after saving places a call whose address found nothing.
["lat", "lon"].forEach((id) => $(id).addEventListener("change", () => {
  const lat = parseFloat($("lat").value);
  const lon = parseFloat($("lon").value);
  if (savedCall && savedCall.location_unverified && !Number.isNaN(lat) && !Number.isNaN(lon)) mapPicked(lat, lon);
}));

// --- history ----------------------------------------------------------------------------------

let historyTimer = null;
// Only the newest lookup may draw: a lookup typed before a save can answer after the saved call's
// own history and would list the new call as "earlier".
let historySeq = 0;
function historySoon() {
  clearTimeout(historyTimer);
  historyTimer = setTimeout(historyLoad, 300);
}

async function historyLoad(url) {
  const seq = ++historySeq;
  const params = new URLSearchParams();
  if (!url) {
    const address = $("address").value.trim();
    const phone = $("caller_phone").value.trim();
    const lat = $("lat").value.trim();
    const lon = $("lon").value.trim();
    if (address) params.set("address", address);
    if (phone) params.set("phone", phone);
    if (lat && lon && !Number.isNaN(+lat) && !Number.isNaN(+lon) && Math.abs(+lat) <= 90 && Math.abs(+lon) <= 180) {
      params.set("lat", lat);
      params.set("lon", lon);
    }
    if (![...params.keys()].length) return;
    url = `${historyUrl}?${params}`;
  }
  let history;
  try {
    history = await api(url);
  } catch (err) {
    return;
  }
  if (seq === historySeq) historyRender(history);
}

const MATCH = { address: "same address", nearby: "within 100 m", phone: "same phone" };

function historyRender(hist) {
  const parts = [];
  if (hist.caution_flags.length) {
    parts.push(h("h3", { class: "caution-title" }, "Caution"), h("ul", { class: "cautions" }, hist.caution_flags.map((f) =>
      h("li", {}, h("span", { class: "tag tag-warn" }, "CAUTION"), ` ${f.text}`, f.address ? [" ", h("span", { class: "muted" }, `(${f.address})`)] : null))));
  }
  if (hist.calls.length) {
    const n = hist.calls.length;
    parts.push(h("p", {}, `${n} earlier call${n === 1 ? "" : "s"} in the last 90 days:`), h("table", { class: "history-table" },
      h("thead", {}, h("tr", {}, ["When", "Call", "Type", "Disposition", "Match"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, hist.calls.map((c) => h("tr", {},
        h("td", {}, dateTime(c.received_at)), // on the city's clock, whatever the workstation's zone
        h("td", {}, c.number),
        h("td", {}, c.call_type ? `${c.call_type.code} ${c.call_type.name}` : "—"),
        h("td", {}, c.disposition ? `${c.disposition} ${c.disposition_description}` : c.status),
        h("td", {}, c.matched.map((m) => MATCH[m] || m).join(", ")))))));
  }
  replace($("history-body"), parts.length ? parts : h("p", { class: "muted" }, "No earlier calls, no cautions."));
}

["address", "caller_phone", "lat", "lon"].forEach((id) => $(id).addEventListener("change", historySoon));

// --- submit -----------------------------------------------------------------------------------

function errorsClear() {
  $("form-error").hidden = true;
  for (const name of FIELDS) {
    const p = $(`${name}-error`);
    if (p) { p.hidden = true; p.textContent = ""; }
    const input = $(name);
    if (input) input.removeAttribute("aria-invalid");
    const group = $(`${name}-group`);
    if (group) group.removeAttribute("aria-invalid");
  }
}

function errorsShow(fieldErrors, detail) {
  let first = null;
  for (const [name, messages] of Object.entries(fieldErrors)) {
    const p = $(`${name}-error`);
    if (!p) continue;
    p.textContent = [].concat(messages).join(" ");
    p.hidden = false;
    const input = $(name) || form.querySelector(`input[name=${name}]`);
    if ($(name)) $(name).setAttribute("aria-invalid", "true");
    if ($(`${name}-group`)) $(`${name}-group`).setAttribute("aria-invalid", "true");
    first = first || input;
  }
  const names = Object.keys(fieldErrors).filter((n) => $(`${n}-error`));
  $("form-error").textContent = detail || `Please correct: ${names.map((n) => n.replace(/_/g, " ")).join(", ")}.`;
  $("form-error").hidden = false;
  if (first) first.focus();
}

function payload() {
  const data = {
    call_type: typeInput.value.trim(),
    narrative: $("narrative").value,
    address: $("address").value,
    caller_name: $("caller_name").value,
    caller_phone: $("caller_phone").value,
    caller_language: $("caller_language").value,
    interpreter_needed: $("interpreter_needed").checked,
  };
  // Sent as typed: the server answers a bad number with a field error.
  data.lat = $("lat").value.trim() === "" ? null : $("lat").value.trim();
  data.lon = $("lon").value.trim() === "" ? null : $("lon").value.trim();
  for (const name of SCREENING) {
    const checked = form.querySelector(`input[name=${name}]:checked`);
    data[name] = !checked || checked.value === "" ? null : checked.value === "true";
  }
  return data;
}

function resultRender(call) {
  const t = call.triage;
  const card = clone("tpl-intake-result");
  setText(card, "number", `Call ${call.number}`);
  setText(card, "status", call.status);
  setText(card, "zone", call.zone || "");
  show(card, "no-zone", !call.zone && !call.location_unverified);
  show(card, "no-point", !call.zone && !!call.location_unverified); // issue 13: the address matched nothing
  show(card, "unverified", !!call.location_unverified);
  replace(slot(card, "agencies"), joined(t.agencies.map(agencyBadge)));
  setText(card, "lead", agencyLabel(t.lead));
  slot(card, "priority").classList.add(`p${t.priority}`);
  setText(card, "priority", `P${t.priority}`);
  setText(card, "urgent", t.priority === 1 ? "(most urgent)" : "");
  show(card, "mode-term", !!t.mode);
  show(card, "mode", !!t.mode);
  setText(card, "mode", t.mode ? MODE_LABELS[t.mode] || t.mode.replace(/_/g, " ").toLowerCase() : "");
  setText(card, "rule", t.rule || "—");
  setText(card, "ruleset", `(rule set v${t.ruleset_version ?? "—"})`);
  replace(slot(card, "reasons"), t.reasons.map((r) => h("li", {}, r)));
  show(card, "unrecognised", t.recognised === false);
  const guards = t.guards && t.guards.length ? `Safety guards: ${t.guards.join(", ")}` : "";
  show(card, "guards", !!guards);
  setText(card, "guards", guards);
  replace($("result-body"), card);
  $("result").hidden = false;
  $("result-title").focus();
}

// The payload the call-taker last confirmed to save although nothing in it was recognised.
let confirmedAsIs = null;

// Before saving, ask the engine (nothing stored) whether anything in the call was recognised. If
// not, say so and let the call-taker pick a call type, answer the screening questions, or press
// Enter again to save as it is. A failed preview never blocks a call: it is saved as typed.
async function recognised(data) {
  if (confirmedAsIs === JSON.stringify(data)) return true;
  try {
    const decision = await api(previewUrl, { method: "POST", body: { call_type: data.call_type, narrative: data.narrative,
      weapons: data.weapons, violence: data.violence, medical: data.medical, caller_is_subject: data.caller_is_subject } });
    if (!decision || decision.recognised !== false) return true;
  } catch (err) {
    return true;
  }
  confirmedAsIs = JSON.stringify(data);
  $("unrecognised").hidden = false;
  return false;
}

// Idempotency-Key of POST /api/v1/calls: one per call, kept across retries of that call (a retry
// after a lost answer gets the same call back, 200), a new one once a call is saved.
let idempotencyKey = crypto.randomUUID();

let sending = false;
async function submit() {
  if (sending) return;
  sending = true;
  errorsClear();
  $("intake-submit").disabled = true;
  try {
    const data = payload();
    if (!(data.call_type || data.narrative.trim()) || !(await recognised(data))) return;
    $("unrecognised").hidden = true;
    let body;
    try {
      body = await api(apiUrl, { method: "POST", body: data, headers: { "Idempotency-Key": idempotencyKey } });
    } catch (err) {
      if (!(err instanceof ApiError) || err.status === 0) {
        errorsShow({}, "The call was not saved: the server did not answer. Try again.");
      } else if (err.status === 400) {
        errorsShow(err.fields, err.body.errors ? err.detail : "");
      } else {
        errorsShow({}, err.detail || `The call was not saved (HTTP ${err.status}). Try again.`);
        $("form-error").focus();
      }
      return;
    }
    idempotencyKey = crypto.randomUUID(); // saved: the next call is another call
    savedCall = body;
    resultRender(body);
    clearTimeout(historyTimer);
    historyLoad(`${apiUrl}/${body.id}/history`);
  } finally {
    sending = false;
    $("intake-submit").disabled = false;
    // Asked whether to save an unrecognised call: Enter on the focused button saves it as it is.
    if (!$("unrecognised").hidden) $("intake-submit").focus();
  }
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  submit();
});

$("narrative").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    submit();
  }
});

function newCall() {
  form.reset();
  confirmedAsIs = null;
  $("unrecognised").hidden = true;
  errorsClear();
  typeChosen.textContent = "";
  $("result").hidden = true;
  savedCall = null;
  geo.reset();
  replace($("history-body"), h("p", { class: "muted" }, "Type an address, a point or a phone number."));
  if (marker) { marker.remove(); marker = null; }
  typeInput.focus();
}
$("intake-new").addEventListener("click", newCall);

// --- screening answers from the keyboard ------------------------------------------------------------

// In a screening question: Y / N / U (or 1 / 2 / 3) answer it and go on to the next question (after
// the last, to the save button). The arrows move within the question but stop at its ends: native
// radio groups wrap around, and a right arrow from "Unknown" landed on "Yes" (weapon = Yes, a P1
// police call for a loud party). Space keeps its native meaning: check the focused answer.
const ANSWER_KEYS = { y: "true", 1: "true", n: "false", 2: "false", u: "", 3: "" };

function screeningFocus(name) {
  const checked = form.querySelector(`input[name=${name}]:checked`);
  (checked || form.querySelector(`input[name=${name}]`)).focus();
}

form.querySelector("fieldset.screening").addEventListener("keydown", (e) => {
  const radio = e.target;
  if (radio.type !== "radio" || !SCREENING.includes(radio.name) || e.altKey || e.ctrlKey || e.metaKey) return;
  const radios = [...form.querySelectorAll(`input[name=${radio.name}]`)];
  const at = radios.indexOf(radio);
  const key = e.key.toLowerCase();
  if (key in ANSWER_KEYS) {
    e.preventDefault();
    const answer = radios.find((r) => r.value === ANSWER_KEYS[key]);
    answer.checked = true;
    answer.dispatchEvent(new Event("change", { bubbles: true }));
    const next = SCREENING[SCREENING.indexOf(radio.name) + 1];
    if (next) screeningFocus(next);
    else $("intake-submit").focus();
  } else if (["ArrowLeft", "ArrowUp", "ArrowRight", "ArrowDown"].includes(e.key)) {
    e.preventDefault();
    const step = e.key === "ArrowLeft" || e.key === "ArrowUp" ? -1 : 1;
    const to = radios[Math.min(Math.max(at + step, 0), radios.length - 1)];
    if (to === radio) return;
    to.checked = true;
    to.dispatchEvent(new Event("change", { bubbles: true }));
    to.focus();
  }
});

// Alt+<letter> shortcuts (listed on screen). Handled here rather than with accesskey, which on a
// radio button would also check it, and whose modifier differs between browsers.
document.addEventListener("keydown", (e) => {
  if (!e.altKey || e.ctrlKey || e.metaKey || !/^Key[A-Z]$/.test(e.code)) return;
  const key = e.code.slice(3).toLowerCase();
  const target = document.querySelector(`[data-shortcut="${key}"]`);
  if (!target) return;
  e.preventDefault();
  if (target.id === "intake-new") { newCall(); return; }
  if (target.type === "radio") {
    const checked = form.querySelector(`input[name=${target.name}]:checked`);
    (checked || target).focus();
    return;
  }
  target.focus();
});
