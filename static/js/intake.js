// Call intake: type-ahead over call types, optional map pick, POST /api/v1/calls, then the
// triage decision and the location/caller history shown in place. Keyboard-first: every action
// has a key (listed on screen) and no step needs the mouse.

import { callLocate, geocodeAttach, geocodeReverse, zoneDescribe } from "./geocode.js";
import { streetsLayerAttach } from "./streets.js";

const form = document.getElementById("intake-form");
const apiUrl = form.dataset.api;
const previewUrl = form.dataset.preview;
const historyUrl = form.dataset.history;
const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
const callTypes = JSON.parse(document.getElementById("call-types-data").textContent);
const zones = JSON.parse(document.getElementById("zones-data").textContent);

const $ = (id) => document.getElementById(id);

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
const AGENCY = { POLICE: "Police", FIRE_EMS: "Fire / EMS", ACS: "ACS (Community Safety)" };

function esc(text) {
  const div = document.createElement("div");
  div.textContent = text == null ? "" : String(text);
  return div.innerHTML;
}

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
  typeList.innerHTML = matches
    .map((t, i) => `<li role="option" id="ct-opt-${i}" data-code="${esc(t.code)}" aria-selected="${i === active}"`
      + ` class="${i === active ? "active" : ""}"><b>${esc(t.code)}</b> ${esc(t.name)}</li>`)
    .join("");
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
if (window.L && $("intake-map")) {
  // zoomSnap below 1: with whole zoom levels the city fits at a size too small to pick a point.
  map = L.map("intake-map", { keyboard: false, zoomControl: false, attributionControl: false, zoomSnap: 0.25 });
  map.getContainer().removeAttribute("tabindex");
  // Not interactive: no focusable SVG paths in the tab order; a click goes to the map itself.
  const layer = L.geoJSON(zones, {
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
  if (!marker) marker = L.circleMarker([lat, lon], { radius: 7, color: "#ffd866", weight: 3 }).addTo(map);
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
    const placed = await callLocate(`${apiUrl}/${savedCall.id}/location`, csrf, lat, lon);
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
  const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!response.ok) return;
  const history = await response.json();
  if (seq === historySeq) historyRender(history);
}

const MATCH = { address: "same address", nearby: "within 100 m", phone: "same phone" };

function historyRender(h) {
  const parts = [];
  if (h.caution_flags.length) {
    parts.push('<h3 class="caution-title">Caution</h3><ul class="cautions">'
      + h.caution_flags.map((f) => `<li><span class="tag tag-warn">CAUTION</span> ${esc(f.text)}`
        + `${f.address ? ` <span class="muted">(${esc(f.address)})</span>` : ""}</li>`).join("")
      + "</ul>");
  }
  if (h.calls.length) {
    parts.push(`<p>${h.calls.length} earlier call${h.calls.length === 1 ? "" : "s"} in the last 90 days:</p>`
      + '<table class="history-table"><thead><tr><th scope="col">When</th><th scope="col">Call</th>'
      + '<th scope="col">Type</th><th scope="col">Disposition</th><th scope="col">Match</th></tr></thead><tbody>'
      + h.calls.map((c) => `<tr><td>${esc(new Date(c.received_at).toLocaleString("en-US", { timeZone: "America/Denver", hour12: false }))}</td><td>${esc(c.number)}</td>`
        + `<td>${c.call_type ? esc(`${c.call_type.code} ${c.call_type.name}`) : "—"}</td>`
        + `<td>${c.disposition ? esc(`${c.disposition} ${c.disposition_description}`) : esc(c.status)}</td>`
        + `<td>${esc(c.matched.map((m) => MATCH[m] || m).join(", "))}</td></tr>`).join("")
      + "</tbody></table>");
  }
  $("history-body").innerHTML = parts.length ? parts.join("") : '<p class="muted">No earlier calls, no cautions.</p>';
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
  const agencies = t.agencies.map((a) => `<span class="badge ag-${esc(a)}">${esc(AGENCY[a] || a)}</span>`).join(" ");
  $("result-body").innerHTML = `
    <p class="result-head"><strong id="result-number">Call ${esc(call.number)}</strong> saved ·
      status <span id="result-status">${esc(call.status)}</span> ·
      zone ${call.zone ? esc(call.zone) : call.location_unverified ? '<span class="tag tag-warn">no point yet</span>'
        : '<span class="tag tag-warn">outside the service area</span>'}</p>
    <dl class="decision">
      <dt>Send</dt><dd id="result-agencies">${agencies}</dd>
      <dt>Lead</dt><dd id="result-lead">${esc(AGENCY[t.lead] || t.lead)}</dd>
      <dt>Priority</dt><dd><span class="badge p${esc(t.priority)}" id="result-priority">P${esc(t.priority)}</span>
        ${t.priority === 1 ? "(most urgent)" : ""}</dd>
      ${t.mode ? `<dt>Mode</dt><dd>${esc(MODE_LABELS[t.mode] || t.mode.replace(/_/g, " ").toLowerCase())}</dd>` : ""}
      <dt>Rule</dt><dd>${esc(t.rule || "—")} <span class="muted">(rule set v${esc(t.ruleset_version ?? "—")})</span></dd>
    </dl>
    <h3>Why</h3>
    <ul class="reasons" id="result-reasons">${t.reasons.map((r) => `<li>${esc(r)}</li>`).join("")}</ul>
    ${t.recognised === false ? '<p class="tag tag-warn" id="result-unrecognised">Not recognised: police by default</p>' : ""}
    ${t.guards && t.guards.length ? `<p>Safety guards: ${esc(t.guards.join(", "))}</p>` : ""}
    ${call.location_unverified ? '<p class="notice notice-warn" id="result-unverified"><strong>Location not verified:</strong> '
      + "the address matched nothing. Click the map, or type its latitude and longitude, to place the call.</p>" : ""}
    <p class="muted">Press <kbd>Alt</kbd>+<kbd>C</kbd> for a new call.</p>`;
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
    const response = await fetch(previewUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ call_type: data.call_type, narrative: data.narrative, weapons: data.weapons,
        violence: data.violence, medical: data.medical, caller_is_subject: data.caller_is_subject }),
    });
    if (response.status !== 200) return true;
    const decision = await response.json();
    if (decision.recognised !== false) return true;
  } catch (err) {
    return true;
  }
  confirmedAsIs = JSON.stringify(data);
  $("unrecognised").hidden = false;
  return false;
}

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
    const response = await fetch(apiUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(data),
    });
    const body = await response.json().catch(() => ({}));
    if (response.status === 201) {
      savedCall = body;
      resultRender(body);
      clearTimeout(historyTimer);
      historyLoad(`${apiUrl}/${body.id}/history`);
    } else if (response.status === 400) {
      errorsShow(body.errors || body, body.errors ? body.detail : "");
    } else {
      errorsShow({}, body.detail || `The call was not saved (HTTP ${response.status}). Try again.`);
      $("form-error").focus();
    }
  } catch (err) {
    errorsShow({}, "The call was not saved: the server did not answer. Try again.");
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
  $("history-body").innerHTML = '<p class="muted">Type an address, a point or a phone number.</p>';
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
