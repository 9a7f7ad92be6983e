/* Unit dashboard: a responder's own unit on a tablet. State from /ws/unit/ (snapshot, then the
 * events of this unit's stream); actions through the REST API. A new, unacknowledged assignment
 * pops up over everything with a beep until it is acknowledged. The call card, notes, alerts and
 * history are <template> fragments of responders/unit_dashboard.html, updated in place. */
import { api, errorText } from "./lib/api.js";
import { agencyLabel } from "./lib/config.js";
import { $, agencyBadge, clone, h, joined, keyedUpdate, priorityBadge, replace, setNodes, setText, show, slot, statusBadge } from "./lib/dom.js";
import { clock, date, tick } from "./lib/format.js";
import { connect } from "./lib/live.js";

const screen = $("unit-screen");
const CALL_SIGN = screen.dataset.callSign;
const IS_ACS = screen.dataset.agency === "ACS";
const IS_POLICE = screen.dataset.agency === "POLICE";
const LANGUAGES = JSON.parse($("caller-languages").textContent);

const state = { unit: null, call: null, notes: {}, alerts: {}, history: [] };
// Issue 13: static/js/unit_avl.js sends positions only while the unit is on duty.
window.ACSUnitOnDuty = () => !!state.unit && state.unit.status !== "OUT_OF_SERVICE";
const alerted = {}; // assignment ids already announced
let extra = { callId: null, loaded: false, cautions: [], earlier: [] };

// --- reducer -------------------------------------------------------------------------------
function onSnapshot(snap) {
  state.unit = snap.unit;
  state.call = snap.call;
  state.notes = {};
  for (const n of snap.notes || []) state.notes[n.id] = n;
  state.alerts = {};
  for (const a of snap.alerts || []) state.alerts[a.id] = a;
  state.history = snap.history || [];
  render();
}

function onEvent(frame) {
  const d = frame.data || {};
  const me = state.unit;
  if (d.unit && me && d.unit.id === me.id) {
    if (d.unit.status !== me.status || d.unit.call_id !== me.call_id) {
      state.history.unshift({ event_id: frame.id, kind: frame.kind, at: frame.at, status: d.unit.status, call_number: d.unit.call_number });
      state.history = state.history.slice(0, 30);
    }
    state.unit = d.unit;
  }
  if (d.call && me) {
    const onIt = (d.call.units || []).some((u) => u.unit_id === me.id);
    // The notes on screen are the current call's: a new call (or none) starts with none, never
    // the last person's (tests/calls/test_snapshot_apply_events.py restates this reducer).
    if (onIt) {
      if (!state.call || state.call.id !== d.call.id) state.notes = {};
      state.call = d.call;
    } else if (state.call && state.call.id === d.call.id) {
      state.call = null;
      state.notes = {};
    }
  }
  if (d.note && d.note.id && state.call && d.note.call_id === state.call.id) state.notes[d.note.id] = d.note;
  if (d.alert && d.alert.id) {
    if (d.alert.acknowledged_at || d.alert.resolved_at) delete state.alerts[d.alert.id];
    else state.alerts[d.alert.id] = d.alert;
  }
  render();
  // Police made the scene safe: the waiting ACS team hears it at once, not at its next glance.
  if (frame.kind === "assignment.scene_safe" && d.scene_safe && me && d.unit && d.unit.id !== me.id) {
    flash(true, `Police (${d.scene_safe.unit}) report the scene safe.`);
    beep();
  }
}

function myAssignment() {
  if (!state.call || !state.unit) return null;
  return (state.call.units || []).find((u) => u.unit_id === state.unit.id) || null;
}

// --- rendering -----------------------------------------------------------------------------
function render() {
  const u = state.unit;
  if (!u) return;
  const status = $("unit-status");
  if (status.dataset.status !== u.status) {
    status.dataset.status = u.status;
    replace(status, statusBadge(u.status));
  }
  $("unit-since").dataset.since = u.status_since;
  renderCall();
  renderButtons();
  renderNotes();
  renderAlerts();
  renderHistory();
  announce();
  tick();
}

// Every danger known for the call: screening answers, what the narrative says (with the words),
// safety guards that fired (calls.policies.call_dangers), and caution flags at the location.
function safety(c) {
  const lines = (c.dangers || []).map((d) => `${d.label}: ${d.details.map((x) => `${x.text} (${x.source.replace("_", " ")})`).join("; ")}`);
  if (extra.callId === c.id) for (const f of extra.cautions) lines.push(`Caution at this location: ${f}`);
  if (lines.length) return h("ul", { class: "safety" }, lines.map((t) => h("li", {}, t)));
  if (extra.callId === c.id && extra.loaded) return "None reported";
  return "None reported so far (checking cautions at this location…)";
}

// Police make the scene safe first: an ACS team waits until they report it safe.
function sceneNote(c) {
  if (!c.police_first) return null;
  if (c.scene_safe_at) {
    const by = (c.units || []).filter((x) => x.scene_safe_at).map((x) => x.unit);
    return { safe: true, text: `Police (${by.join(", ")}) report the scene safe at ${clock(c.scene_safe_at)}.` };
  }
  if (IS_ACS) return { safe: false, text: `Wait for police: they make the scene safe first (${c.police_first}). Stage nearby until they report it safe.` };
  if (IS_POLICE) return { safe: false, text: `ACS waits for you: report the scene safe when it is (${c.police_first}).` };
  return null;
}

function otherUnits(c) {
  const others = (c.units || []).filter((x) => x.unit_id !== state.unit.id);
  const listed = others.map((x) => h("span", { class: "contents" }, agencyBadge(x.agency), ` ${x.unit} `, statusBadge(x.unit_status), (x.staged ? " (staged)" : "") + (x.scene_safe_at ? " · scene safe" : "")));
  return listed.length ? joined(listed, ", ") : "None yet";
}

// The caller's language and whether an interpreter is needed: the crew knows before arriving.
function language(c) {
  const known = c.caller_language ? LANGUAGES[c.caller_language] || c.caller_language : "";
  const parts = [];
  if (known) parts.push(h("strong", { class: "caller-language" }, `Speaks ${known}`));
  if (c.interpreter_needed) parts.push(h("span", { class: "tag tag-warn interpreter" }, "Interpreter needed"));
  return parts.length ? joined(parts, " · ") : "Not known";
}

// Repeat calls are normal for ACS clients: what happened here before is part of the briefing.
function earlierCalls(c) {
  if (extra.callId !== c.id || !extra.earlier.length) return "None in the last 90 days";
  const more = extra.earlier.length - 5;
  return [
    h("ul", { class: "earlier" }, extra.earlier.slice(0, 5).map((e) =>
      h("li", {}, `${date(e.received_at)} · ${e.call_type ? e.call_type.name : "(no type)"} · ${e.disposition_description || e.disposition || e.status}`))),
    more > 0 ? `and ${more} more` : null,
  ];
}

/* Fill a call card (tpl-call-card) with the call. */
function cardUpdate(card, c) {
  setText(card, "number", c.number);
  setNodes(card, "priority", String(c.priority), () => priorityBadge(c.priority));
  setNodes(card, "status", c.status, () => statusBadge(c.status));
  setText(card, "type", c.call_type ? `${c.call_type.code} ${c.call_type.name}` : "(no type)");
  setText(card, "address", (c.address || "(no address)") + (c.zone ? ` · ${c.zone}` : ""));
  const point = c.lat !== null && c.lon !== null && c.lat !== undefined;
  show(card, "point-gap", point);
  setText(card, "point", point ? `(${Number(c.lat).toFixed(5)}, ${Number(c.lon).toFixed(5)})` : "");
  setText(card, "narrative", c.narrative);
  const cautions = extra.callId === c.id ? [extra.loaded, extra.cautions] : null;
  setNodes(card, "safety", [c.dangers || [], cautions], () => safety(c));
  const note = sceneNote(c);
  const p = show(card, "scene", !!note);
  p.classList.toggle("scene-safe", !!(note && note.safe));
  setText(card, "scene", note ? note.text : "");
  setNodes(card, "triage", c.reasons || [], () => (c.reasons && c.reasons.length ? h("ul", { class: "reasons" }, c.reasons.map((r) => h("li", {}, r))) : "–"));
  const others = (c.units || []).filter((x) => x.unit_id !== state.unit.id).map((x) => [x.agency, x.unit, x.unit_status, x.staged, !!x.scene_safe_at]);
  setNodes(card, "others", others, () => otherUnits(c));
  const needed = (c.missing_agencies || []).map(agencyLabel);
  setText(card, "needed", needed.length ? ` · still to be sent: ${needed.join(", ")}` : "");
  setText(card, "caller", (c.caller_name || "–") + (c.caller_phone ? ` · ${c.caller_phone}` : ""));
  setNodes(card, "language", [c.caller_language, c.interpreter_needed], () => language(c));
  setNodes(card, "earlier", [extra.callId === c.id, extra.earlier.map((e) => e.id ?? e.number)], () => earlierCalls(c));
}

/* The call card of `box` (kept across updates), or "No call assigned." */
function cardShow(box, c) {
  let card = box.querySelector(":scope > dl");
  if (!c) {
    if (card || !box.firstElementChild) replace(box, h("p", { class: "muted" }, "No call assigned."));
    return;
  }
  if (!card) {
    card = clone("tpl-call-card");
    replace(box, card);
  }
  cardUpdate(card, c);
}

function renderCall() {
  const c = state.call;
  cardShow($("call-body"), c);
  if (c && extra.callId !== c.id) loadCautions(c.id);
}

async function loadCautions(callId) {
  extra = { callId, loaded: false, cautions: [], earlier: [] };
  let hist;
  try {
    hist = await api(`/api/v1/calls/${callId}/history`);
  } catch (err) {
    return;
  }
  if (extra.callId !== callId) return;
  const flags = hist.caution_flags || hist.cautions || [];
  extra.cautions = flags.map((f) => (typeof f === "string" ? f : f.text));
  extra.earlier = hist.calls || [];
  extra.loaded = true;
  render();
}

function renderButtons() {
  const a = myAssignment();
  const status = state.unit.status;
  const busy = !!a && (status === "ON_SCENE" || status === "EN_ROUTE" || status === "DISPATCHED");
  const enable = {
    acknowledge: !!a && !a.acknowledged_at,
    EN_ROUTE: !!a && status === "DISPATCHED",
    ON_SCENE: !!a && (status === "DISPATCHED" || status === "EN_ROUTE"),
    "backup-POLICE": busy,
    "backup-FIRE_EMS": busy,
    "scene-safe": !!a && IS_POLICE && !a.scene_safe_at,
    AVAILABLE: !a && status !== "AVAILABLE",
    OUT_OF_SERVICE: !a && status !== "OUT_OF_SERVICE",
  };
  for (const btn of document.querySelectorAll("[data-action]")) {
    const key = btn.dataset.action;
    if (key in enable) btn.disabled = !enable[key];
  }
  $("clear-btn").disabled = !a;
  $("clear-disposition").disabled = !a;
  if (!enable["backup-POLICE"] && !$("backup-form").hidden) backupClose(false);
}

/* A keyed list, or one muted line when empty. */
function listUpdate(container, items, key, tplId, update, emptyTag, emptyText) {
  keyedUpdate(container, items, key, () => clone(tplId), update);
  if (!items.length) container.append(h(emptyTag, { class: "muted" }, emptyText));
}

function renderNotes() {
  const panel = $("notes-panel");
  panel.hidden = !(IS_ACS && state.call);
  if (panel.hidden) return;
  const notes = Object.values(state.notes).sort((x, y) => x.id - y.id);
  listUpdate($("notes"), notes, (n) => n.id, "tpl-unit-note", (div, n) => {
    setText(div, "meta", `${clock(n.created_at)} ${n.author || ""}`);
    setText(div, "text", n.text);
  }, "p", "No notes yet.");
}

function renderAlerts() {
  listUpdate($("unit-alerts"), Object.values(state.alerts), (a) => a.id, "tpl-unit-alert", (li, a) => {
    li.className = `alert-row alert-level-${a.level}`;
    setText(li, "text", `${a.level_label || "Alert"}: ${a.message}`);
  }, "li", "No open alert.");
}

function renderHistory() {
  listUpdate($("history"), state.history, (x) => x.event_id, "tpl-unit-history", (li, x) => {
    setText(li, "at", clock(x.at));
    if (slot(li, "status").dataset.status !== x.status) {
      slot(li, "status").dataset.status = x.status;
      replace(slot(li, "status"), statusBadge(x.status));
    }
    setText(li, "call", x.call_number ? ` · ${x.call_number}` : "");
  }, "li", "No status change yet.");
}

// --- the assignment alert ------------------------------------------------------------------
let audio = null;
function beep() {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    if (audio.state === "suspended") audio.resume();
    for (const t of [0, 0.35, 0.7]) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = "square";
      osc.frequency.value = 880;
      gain.gain.value = 0.15;
      osc.connect(gain);
      gain.connect(audio.destination);
      osc.start(audio.currentTime + t);
      osc.stop(audio.currentTime + t + 0.2);
    }
  } catch (err) {
    /* no audio device: the visual alert still shows */
  }
}

function announce() {
  const a = myAssignment();
  const overlay = $("assign-alert");
  if (a && !a.acknowledged_at) {
    cardShow($("assign-alert-body"), state.call);
    if (overlay.hidden) {
      overlay.hidden = false;
      $("assign-alert-ack").focus();
    }
    if (!alerted[a.id]) {
      alerted[a.id] = true;
      beep();
    }
  } else {
    overlay.hidden = true;
  }
}

// --- actions -------------------------------------------------------------------------------
function flash(ok, text) {
  replace($("flash"), h("p", { class: `flash ${ok ? "flash-ok" : "flash-err"}` }, text));
}

async function act(key) {
  const a = myAssignment();
  let path;
  let body = {};
  if (key === "acknowledge") {
    if (!a) return;
    path = `/api/v1/assignments/${a.id}/acknowledge`;
  } else if (key === "scene-safe") {
    if (!a) return;
    path = `/api/v1/assignments/${a.id}/scene-safe`;
  } else if (key.startsWith("backup-")) {
    if (state.call) backupOpen(key.slice(7));
    return;
  } else {
    path = `/api/v1/units/${encodeURIComponent(CALL_SIGN)}/status`;
    body = { status: key };
  }
  try {
    await api(path, { method: "POST", body });
    flash(true, "Done.");
    if (key === "acknowledge") $("assign-alert").hidden = true;
  } catch (err) {
    flash(false, errorText(err));
  }
}

document.addEventListener("click", (ev) => {
  const btn = ev.target.closest && ev.target.closest("[data-action]");
  if (btn && !btn.disabled) act(btn.dataset.action);
});

// --- backup request: a short form asking why (required), Enter sends, Esc cancels ----------------
let backup = { agency: null, opener: null };

function backupError(text) {
  const p = $("backup-reason-error");
  p.textContent = text || "";
  p.hidden = !text;
  if (text) $("backup-reason").setAttribute("aria-invalid", "true");
  else $("backup-reason").removeAttribute("aria-invalid");
}

function backupOpen(agency) {
  backup = { agency, opener: document.activeElement };
  $("backup-h").textContent = `Request ${agencyLabel(agency)} backup`;
  $("backup-reason-label").textContent = `Why do you need ${agencyLabel(agency)}?`;
  $("backup-reason").value = "";
  backupError("");
  $("backup-form").hidden = false;
  $("backup-reason").focus();
}

function backupClose(refocus) {
  $("backup-form").hidden = true;
  backupError("");
  if (refocus && backup.opener && backup.opener.focus) backup.opener.focus();
  backup = { agency: null, opener: null };
}

$("backup-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const reason = $("backup-reason").value.trim();
  if (!reason) {
    backupError("Give a reason: the dispatcher tells the backup what they will face.");
    $("backup-reason").focus();
    return;
  }
  if (!state.call || !backup.agency) return;
  const agency = backup.agency;
  $("backup-send").disabled = true;
  try {
    await api(`/api/v1/calls/${state.call.id}/backup`, { method: "POST", body: { agency, reason } });
    backupClose(true);
    flash(true, `${agencyLabel(agency)} backup requested.`);
  } catch (err) {
    if (err.status === 400 && err.fields && err.fields.reason) {
      backupError(err.fields.reason.join(" "));
      $("backup-reason").focus();
    } else {
      backupClose(true);
      flash(false, errorText(err));
    }
  } finally {
    $("backup-send").disabled = false;
  }
});

$("backup-cancel").addEventListener("click", () => backupClose(true));

$("backup-form").addEventListener("keydown", (ev) => {
  if (ev.key === "Escape") {
    ev.preventDefault();
    backupClose(true);
  }
});

$("clear-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const a = myAssignment();
  if (!a) return;
  if (!$("clear-disposition").value) {
    flash(false, "Choose a disposition first.");
    $("clear-disposition").focus();
    return;
  }
  try {
    const body = { disposition: $("clear-disposition").value };
    // Issue 14: where an ACS team took the person (static/js/facilities.js fills the list).
    if ($("clear-destination") && $("clear-destination").value) body.destination = Number($("clear-destination").value);
    await api(`/api/v1/assignments/${a.id}/clear`, { method: "POST", body });
    flash(true, "Cleared.");
  } catch (err) {
    flash(false, errorText(err));
  }
});

$("note-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (!state.call) return;
  try {
    await api(`/api/v1/calls/${state.call.id}/notes`, { method: "POST", body: { text: $("note-text").value } });
    flash(true, "Note saved.");
    $("note-text").value = "";
  } catch (err) {
    flash(false, errorText(err));
  }
});

async function loadDispositions() {
  let list = [];
  try {
    const rows = await api("/api/v1/dispositions");
    list = Array.isArray(rows) ? rows.slice() : [];
  } catch (err) {
    list = [];
  }
  if (IS_ACS) list.sort((x, y) => (y.acs_outcome ? 1 : 0) - (x.acs_outcome ? 1 : 0));
  // No default outcome: a tired thumb must not close a call as the first code in the list.
  replace($("clear-disposition"), h("option", { value: "" }, "Choose a disposition"), list.map((d) => h("option", { value: d.code }, `${d.code} ${d.description}`)));
}
loadDispositions();

connect({ path: "/ws/unit/", indicator: $("live"), onSnapshot, onEvent });
