/* Dispatch board: pending queue, call detail with recommendations, active calls, units by status.
 * State comes from /ws/dispatch/ (snapshot, then events); every event carries whole call / unit
 * summaries, so applying one means replacing that call or unit by id. Rows are <template>
 * fragments of calls/board.html, updated by key (lib/dom.js keyedUpdate): an event redraws the
 * rows it changed, not the board. Actions go through the REST API; their effects come back as
 * events, so the board shows what the server committed.
 *
 * The snapshot's calls are brief rows (`brief: true`, calls.events.call_board_row: what the queue
 * and active rows show); events carry full summaries, which replace them by id. Before the detail
 * panel shows a brief call, ensureFull fetches it once from GET /api/v1/calls/<id>.
 *
 * The queue has ONE order, the server's (calls.selectors.calls_pending: open backup requests
 * first, then priority, then oldest), handed over as the page config's queue_order. */
import { api, errorText } from "./lib/api.js";
import { agencyLabel, config, statusGroup, statusLabel } from "./lib/config.js";
import { $, agencyBadge, clone, h, joined, keyedUpdate, priorityBadge, replace, setNodes, setText, show, slot, statusBadge } from "./lib/dom.js";
import { clock, clockShort, dateTime, sortBy, tick, zoneName } from "./lib/format.js";
import { connect } from "./lib/live.js";

const WAITING = statusGroup("call_waiting");
const ACTIVE = statusGroup("call_active");
const UNIT_ORDER = statusGroup("unit_order");
const AGENCY_ORDER = config.agencies || [];
const QUEUE_ORDER = sortBy(config.queue_order || []);
const PRIORITY_THEN_AGE = sortBy([{ field: "priority", missing: 9 }, { field: "received_at" }]);
const BY_CALL_SIGN = (a, b) => (a.call_sign < b.call_sign ? -1 : 1);

let state = { calls: {}, units: {}, alerts: {} };
let selectedId = null; // highlighted in the queue
let openId = null; // shown in the detail panel
let recs = { callId: null, entries: null };
const dispositions = {}; // by the agencies of the call ("ACS,POLICE"): the codes they may close with
const closedGroups = {}; // units panel: "ACS" or "ACS/AVAILABLE" -> true when the dispatcher folded it

// --- reducer -------------------------------------------------------------------------------
function putCall(c) {
  // needs_backup: the server's queue key (calls_pending), from the call summary's requests.
  c.needs_backup = (c.backup_requests || []).some((b) => !b.handled_at);
  if (WAITING.includes(c.status) || ACTIVE.includes(c.status)) state.calls[c.id] = c;
  else delete state.calls[c.id];
}

function onSnapshot(snap) {
  state = { calls: {}, units: {}, alerts: {} };
  (snap.calls || []).forEach(putCall);
  for (const u of snap.units || []) state.units[u.id] = u;
  for (const a of snap.alerts || []) state.alerts[a.id] = a;
  render();
  // A new snapshot (a reconnect) holds the open call brief again: fetch it, keep the panel as is.
  if (openId && state.calls[openId] && state.calls[openId].brief) ensureFull(openId).then(render, () => {});
}

// The whole call for a brief row of the snapshot, fetched once however often it is asked for.
const fullLoads = {}; // call id -> Promise of the call in state
function ensureFull(id) {
  const c = state.calls[id];
  if (!c || !c.brief) return Promise.resolve(c);
  if (!fullLoads[id]) {
    fullLoads[id] = api(`/api/v1/calls/${id}`)
      .then((full) => {
        // The dispatch board never holds clinical notes, even when an admin's API answer has them.
        delete full.clinical_notes;
        // An event may have brought the full summary meanwhile: it is as new or newer, keep it.
        const now = state.calls[id];
        if (now && now.brief) putCall(full);
        return state.calls[id];
      })
      .finally(() => {
        delete fullLoads[id];
      });
  }
  return fullLoads[id];
}

function onEvent(frame) {
  const d = frame.data || {};
  if (d.call && d.call.id) putCall(d.call);
  if (d.unit && d.unit.id) state.units[d.unit.id] = d.unit;
  if (d.alert && d.alert.id) {
    if (d.alert.acknowledged_at || d.alert.resolved_at) delete state.alerts[d.alert.id];
    else state.alerts[d.alert.id] = d.alert;
  }
  render();
  if (openId && d.unit && recs.callId === openId) refreshRecsSoon();
}

// --- selection and filters -----------------------------------------------------------------
function filters() {
  return { agency: $("f-agency").value, zone: $("f-zone").value };
}

function callMatches(c, f) {
  if (f.agency && !(c.agencies || []).includes(f.agency)) return false;
  if (f.zone && c.zone !== f.zone) return false;
  return true;
}

function unitMatches(u, f) {
  if (f.agency && u.agency !== f.agency) return false;
  if (f.zone && u.home_zone !== f.zone) return false;
  return true;
}

const missing = (c) => c.missing_agencies || [];

// A call waits in the queue until every agency its decision requires has a unit or a recorded
// reason why not, and no unit's backup request is unanswered: the server answers it
// (calls.policies.call_in_queue, `in_queue` in brief rows and summaries alike).
function inQueue(c) {
  return c.in_queue === true;
}

function pendingCalls() {
  const f = filters();
  return Object.values(state.calls)
    .filter((c) => inQueue(c) && callMatches(c, f))
    .sort(QUEUE_ORDER);
}

const agencyNames = (list) => list.map(agencyLabel).join(", ");

function dangerText(d) {
  return `${d.label}: ${d.details.map((x) => `${x.text} (${x.source.replace("_", " ")})`).join("; ")}`;
}

// The caller's language (an ISO code such as "es") and whether an interpreter is needed.
let languageNames = null;
function languageName(code) {
  if (!code) return "";
  try {
    languageNames = languageNames || new Intl.DisplayNames(["en"], { type: "language" });
    return languageNames.of(code) || code;
  } catch (err) {
    return code;
  }
}

function languageTags(c) {
  const out = [];
  if (c.caller_language && c.caller_language !== "en") out.push(" ", h("span", { class: "tag tag-lang", lang: "en" }, languageName(c.caller_language)));
  if (c.interpreter_needed === true) out.push(" ", h("span", { class: "tag tag-warn" }, "Interpreter needed"));
  return out;
}

const callTypeText = (c) => (c.call_type ? `${c.call_type.code} ${c.call_type.name}` : "(no type)");
const whereText = (c) => (c.address || "") + (c.zone ? ` · ${c.zone}` : "");

// --- rendering: each list updated by key ----------------------------------------------------
function render() {
  renderBackups();
  renderQueue();
  renderActive();
  renderUnits();
  if (openId) renderDetailInfo();
  tick();
}

function renderBackups() {
  const items = [];
  for (const c of Object.values(state.calls)) {
    for (const b of c.backup_requests || []) if (!b.handled_at) items.push({ call: c, b });
  }
  items.sort((x, y) => Date.parse(x.b.requested_at) - Date.parse(y.b.requested_at));
  $("backups").hidden = items.length === 0;
  keyedUpdate(
    $("backup-list"),
    items,
    (it) => it.b.id ?? `${it.call.id}:${it.b.requested_at}:${it.b.unit}`,
    () => clone("tpl-backup-row"),
    (li, it) => {
      setText(li, "unit", it.b.unit);
      setNodes(li, "agency", it.b.agency, () => agencyBadge(it.b.agency));
      setText(li, "open", it.call.number).dataset.open = it.call.id;
      setText(li, "address", it.call.address);
      setText(li, "reason", it.b.reason ? `: ${it.b.reason}` : "");
      slot(li, "since").dataset.since = it.b.requested_at;
    }
  );
}

function queueRowUpdate(li, c) {
  li.id = `q-${c.id}`;
  li.dataset.id = c.id;
  li.className = `prio-${c.priority || "x"}`;
  li.setAttribute("aria-selected", String(c.id === selectedId));
  setNodes(li, "priority", String(c.priority), () => priorityBadge(c.priority));
  setText(li, "number", c.number);
  setText(li, "type", callTypeText(c));
  setNodes(li, "agencies", c.agencies || [], () => joined((c.agencies || []).map(agencyBadge)));
  setNodes(li, "status", c.status, () => statusBadge(c.status));
  setNodes(li, "tags", [c.caller_language, c.interpreter_needed], () => languageTags(c));
  slot(li, "wait").title = `Received ${clock(c.received_at)}`;
  slot(li, "since").dataset.since = c.received_at;
  setText(li, "where", c.address ? whereText(c) : `(no address)${c.zone ? ` · ${c.zone}` : ""}`);
  // Two lines the server picks (calls.events.call_queue_reasons): brief rows and full summaries alike.
  const reasons = c.queue_reasons || [];
  const ul = show(li, "reasons", reasons.length > 0);
  ul.title = reasons.join(" · ");
  setNodes(li, "reasons", reasons, () => reasons.map((r) => h("li", {}, r)));
  const partly = ACTIVE.includes(c.status) && missing(c).length > 0;
  show(li, "partly", partly);
  setText(li, "missing", partly ? agencyNames(missing(c)) : "");
  // Triage recognised nothing: police by default. Say so, so the dispatcher reads the narrative.
  show(li, "unrecognised", c.recognised === false);
}

function renderQueue() {
  const calls = pendingCalls();
  if (selectedId && !calls.some((c) => c.id === selectedId)) selectedId = null;
  if (!selectedId && calls.length) selectedId = calls[0].id;
  $("queue-count").textContent = calls.length;
  $("queue-empty").hidden = calls.length > 0;
  keyedUpdate($("queue"), calls, (c) => c.id, () => clone("tpl-queue-row"), queueRowUpdate);
  $("queue").setAttribute("aria-activedescendant", selectedId ? `q-${selectedId}` : "");
}

/* Only the selection moved: two rows change, nothing else. */
function selectionShow() {
  for (const li of $("queue").children) li.setAttribute("aria-selected", String(Number(li.dataset.id) === selectedId));
  $("queue").setAttribute("aria-activedescendant", selectedId ? `q-${selectedId}` : "");
}

function unitOnCallShort(u) {
  return h("span", { class: "unit-on-call" }, `${u.unit} `, statusBadge(u.unit_status), u.acknowledged_at ? null : [" ", h("span", { class: "muted" }, "(not acknowledged)")]);
}

function renderActive() {
  const f = filters();
  const calls = Object.values(state.calls)
    .filter((c) => ACTIVE.includes(c.status) && callMatches(c, f))
    .sort(PRIORITY_THEN_AGE);
  $("active-count").textContent = calls.length;
  keyedUpdate($("active"), calls, (c) => c.id, () => clone("tpl-active-row"), (tr, c) => {
    tr.dataset.call = c.id;
    setText(tr, "open", c.number).dataset.open = c.id;
    setNodes(tr, "priority", String(c.priority), () => priorityBadge(c.priority));
    setNodes(tr, "status", c.status, () => statusBadge(c.status));
    setText(tr, "type", c.call_type ? c.call_type.name : "");
    setText(tr, "where", whereText(c));
    const onCall = (c.units || []).map((u) => [u.unit, u.unit_status, !!u.acknowledged_at]);
    setNodes(tr, "units", onCall, () => {
      const units = [];
      (c.units || []).forEach((u, i) => units.push(i ? h("br") : null, unitOnCallShort(u)));
      return units;
    });
    slot(tr, "since").dataset.since = c.received_at;
  });
}

// Every unit, for the call-sign type-ahead of the detail panel (any unit, not only recommended).
function renderUnitOptions() {
  const list = $("unit-options");
  if (!list) return;
  keyedUpdate(list, Object.values(state.units).sort(BY_CALL_SIGN), (u) => u.id, () => h("option"), (o, u) => {
    o.value = u.call_sign;
    const text = `${agencyLabel(u.agency)} · ${statusLabel(u.status)}`;
    if (o.textContent !== text) o.textContent = text;
  });
}

// Units grouped by agency, then by status; each group folds (details/summary) and stays as the
// dispatcher left it across updates. One dense row per unit: call sign, call, time in status.
function renderUnits() {
  renderUnitOptions();
  const f = filters();
  const byAgency = {};
  let total = 0;
  for (const u of Object.values(state.units)) {
    if (!unitMatches(u, f)) continue;
    total += 1;
    const groups = (byAgency[u.agency] = byAgency[u.agency] || {});
    (groups[u.status] = groups[u.status] || []).push(u);
  }
  $("units-count").textContent = total;
  const agencies = AGENCY_ORDER.filter((a) => byAgency[a]).concat(Object.keys(byAgency).filter((a) => !AGENCY_ORDER.includes(a)));
  const box = $("units");
  keyedUpdate(box, agencies, (a) => a, agencyGroupNew, (node, agency) => agencyGroupUpdate(node, agency, byAgency[agency]));
  if (!agencies.length) box.append(h("p", { class: "muted" }, "No unit matches the filters."));
}

function groupNew(tplId, key) {
  const node = clone(tplId);
  node.dataset.group = key;
  node.open = !closedGroups[key];
  return node;
}

function agencyGroupNew(agency) {
  return groupNew("tpl-unit-agency", agency);
}

function agencyGroupUpdate(node, agency, groups) {
  let count = 0;
  for (const st of Object.keys(groups)) count += groups[st].length;
  const available = (groups.AVAILABLE || []).length;
  if (!slot(node, "agency").firstChild) slot(node, "agency").append(agencyBadge(agency));
  setText(node, "count", `${count} unit${count === 1 ? "" : "s"}`);
  setText(node, "available", `${available} available`);
  const statuses = UNIT_ORDER.filter((st) => groups[st]).concat(Object.keys(groups).filter((st) => !UNIT_ORDER.includes(st)));
  keyedUpdate(
    slot(node, "statuses"),
    statuses,
    (st) => st,
    (st) => groupNew("tpl-unit-status", `${agency}/${st}`),
    (sub, st) => {
      const list = groups[st].sort(BY_CALL_SIGN);
      if (!slot(sub, "status").firstChild) slot(sub, "status").append(statusBadge(st));
      setText(sub, "count", list.length);
      keyedUpdate(slot(sub, "rows"), list, (u) => u.id, () => clone("tpl-unit-row"), (li, u) => {
        li.dataset.unit = u.call_sign;
        li.dataset.status = u.status;
        setText(li, "call-sign", u.call_sign);
        setText(li, "call", u.call_number || "");
        slot(li, "since").dataset.since = u.status_since;
      });
    }
  );
}

// Remember what the dispatcher folded, so the next update does not reopen it.
$("units").addEventListener(
  "toggle",
  (ev) => {
    const d = ev.target;
    if (d && d.dataset && d.dataset.group) closedGroups[d.dataset.group] = !d.open;
  },
  true
);

// --- detail panel --------------------------------------------------------------------------
// Resolves once the panel shows the call (or says why it cannot).
async function openCall(id) {
  let c = state.calls[id];
  if (!c) return;
  openId = id;
  $("detail-h").textContent = `Call ${c.number}`;
  if (c.brief) {
    // A row of the snapshot: no narrative, dangers or order yet. Say so rather than show blanks.
    replace($("detail-body"), h("p", { class: "muted", role: "status" }, "Loading the call…"));
    try {
      c = await ensureFull(id);
    } catch (err) {
      if (openId === id) replace($("detail-body"), h("p", { class: "flash flash-err" }, errorText(err)));
      return;
    }
    if (openId !== id) return; // the dispatcher moved on meanwhile
    if (!c) {
      replace($("detail-body"), h("p", { class: "muted" }, "This call is no longer open."));
      return;
    }
  }
  const body = clone("tpl-call-detail");
  for (const box of body.querySelectorAll("#override-form input[name=agencies]")) box.checked = (c.agencies || []).includes(box.value);
  if (c.lead) body.querySelector("#ov-lead").value = c.lead;
  if (c.priority) body.querySelector("#ov-priority").value = String(c.priority);
  replace($("detail-body"), body);
  renderDetailInfo();
  loadDispositions(c);
  loadRecs(id);
  loadHistory(id);
  $("override-form").addEventListener("submit", submitOverride);
  $("assign-form").addEventListener("submit", submitAssignForm);
  $("close-form").addEventListener("submit", submitClose);
  $("cancel-form").addEventListener("submit", submitCancel);
  $("print-call").addEventListener("click", printCall);
  tick();
  $("detail-h").focus();
}

function renderDetailInfo() {
  const c = state.calls[openId];
  const info = $("detail-info");
  if (!info) return;
  if (!c) {
    replace(info, h("p", { class: "muted" }, "This call is no longer open."));
    return;
  }
  if (c.brief) return; // a new snapshot's row: keep what shows until ensureFull brings the call
  const dangers = c.dangers || [];
  const holds = c.order_holds || {};
  const waived = c.waived_agencies || [];
  replace(
    info,
    h("p", {}, priorityBadge(c.priority), " ", statusBadge(c.status), " ", joined((c.agencies || []).map(agencyBadge)),
      c.lead ? ` lead ${agencyLabel(c.lead)}` : "", " · waiting ", h("span", { class: "tick", dataset: { since: c.received_at } })),
    h("p", {}, h("strong", {}, callTypeText(c)), ` · ${whereText(c)}`),
    h("p", { class: "received" }, `Received ${dateTime(c.received_at)} ${zoneName(c.received_at)}`),
    c.caller_language || c.interpreter_needed
      ? h("p", { class: "language" }, `Caller's language: ${c.caller_language ? `${languageName(c.caller_language)} (${c.caller_language})` : "not recorded"}`,
        c.interpreter_needed === true ? [" · ", h("strong", { class: "safety" }, "interpreter needed")] : null)
      : null,
    h("p", {}, c.narrative),
    h("p", { class: "needs" }, `Needs ${agencyNames(c.required_agencies || c.agencies || [])}`,
      missing(c).length ? [" · ", h("strong", { class: "safety" }, `still missing ${agencyNames(missing(c))}`)] : " · every agency has a unit"),
    waived.length ? h("ul", { class: "reasons" }, waived.map((w) => h("li", {}, `${agencyLabel(w.agency)} not sent: ${w.reason}`))) : null,
    dangers.length ? h("p", { class: "safety" }, `Dangers: ${dangers.map(dangerText).join(" · ")}`) : null,
    Object.keys(holds).map((a) => h("p", { class: "safety order-hold" }, holds[a])),
    c.reasons && c.reasons.length
      ? [h("p", {}, `Triage${c.rule ? ` (${c.rule})` : ""}:`), h("ul", { class: "reasons" }, c.reasons.map((r) => h("li", {}, r)))]
      : null,
    c.overridden ? h("p", {}, `Overridden: ${c.override_reason}`) : null,
    c.units && c.units.length ? h("p", {}, "Units: ", joined(c.units.map(unitOnCall), ", ")) : null
  );
  renderWaive(c);
  tick(info);
}

function unitOnCall(u) {
  return h("span", { class: "contents" }, `${u.unit} `, statusBadge(u.unit_status),
    u.staged ? " (staged)" : "",
    u.scene_safe_at ? ` · scene safe ${clock(u.scene_safe_at)}` : "",
    u.override_reason ? [" ", h("span", { class: "muted" }, `(sent ahead: ${u.override_reason})`)] : null);
}

// A required agency that will not come gets a recorded reason, so the call can leave the queue.
function renderWaive(c) {
  const box = $("waive-box");
  if (!box) return;
  const key = missing(c).join(",");
  if (box.dataset.key === key) return; // keep what the dispatcher is typing
  box.dataset.key = key;
  if (!missing(c).length) {
    replace(box);
    return;
  }
  const form = clone("tpl-waive-form");
  replace(form.querySelector("#wv-agency"), missing(c).map((a) => h("option", { value: a }, agencyLabel(a))));
  form.addEventListener("submit", submitWaive);
  replace(box, form);
}

async function submitWaive(ev) {
  ev.preventDefault();
  const form = ev.target;
  try {
    await api(`/api/v1/calls/${openId}/waivers`, { method: "POST", body: { agency: form.agency.value, reason: form.reason.value } });
    flash(true, `${agencyLabel(form.agency.value)} not sent: reason recorded.`);
  } catch (err) {
    flash(false, errorText(err));
  }
}

const MATCH = { address: "same address", nearby: "within 100 m", phone: "same phone" };

// The printed record says which call, when and by whom (print.css hides everything else).
function printCall() {
  const c = state.calls[openId];
  const who = config.username || "";
  $("print-head").textContent = `ACS Dispatch · call ${c ? c.number : ""} · printed ${dateTime(new Date())} ${zoneName()}${who ? ` by ${who}` : ""}`;
  window.print();
}

// Earlier calls at the address, within 100 m or from the phone (90 days) and caution flags:
// repeat calls are normal for ACS clients, and the dispatcher needs that context to send well.
async function loadHistory(id) {
  let hist;
  try {
    hist = await api(`/api/v1/calls/${id}/history`);
  } catch (err) {
    hist = null;
  }
  const box = $("history");
  if (!box || openId !== id) return;
  if (!hist) {
    replace(box, h("p", { class: "muted" }, "History unavailable."));
    return;
  }
  const parts = [];
  if (hist.caution_flags.length) {
    parts.push(h("ul", { class: "cautions" }, hist.caution_flags.map((f) =>
      h("li", {}, h("span", { class: "tag tag-warn" }, "CAUTION"), ` ${f.text}`, f.address ? [" ", h("span", { class: "muted" }, `(${f.address})`)] : null))));
  }
  if (hist.calls.length) {
    const n = hist.calls.length;
    parts.push(h("table", { class: "history-table" },
      h("caption", {}, `${n} earlier call${n === 1 ? "" : "s"} in the last 90 days`),
      h("thead", {}, h("tr", {}, ["When", "Call", "Type", "Disposition", "Match"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, hist.calls.map((c) => h("tr", {},
        h("td", {}, dateTime(c.received_at)),
        h("td", {}, c.number),
        h("td", {}, c.call_type ? `${c.call_type.code} ${c.call_type.name}` : "—"),
        h("td", {}, c.disposition ? `${c.disposition} ${c.disposition_description || ""}` : c.status),
        h("td", {}, c.matched.map((m) => MATCH[m] || m).join(", ")))))));
  }
  replace(box, parts.length ? parts : h("p", { class: "muted" }, "No earlier calls, no cautions."));
}

async function loadRecs(id) {
  let entries;
  try {
    entries = await api(`/api/v1/calls/${id}/recommendations`);
  } catch (err) {
    if (openId !== id) return;
    recs = { callId: id, entries: [] };
    replace($("recs"), h("p", { class: "flash flash-err" }, errorText(err)));
    return;
  }
  if (openId !== id) return;
  recs = { callId: id, entries };
  const holds = (state.calls[id] || {}).order_holds || {};
  const blocks = entries.map((e) => {
    const units = (e.units || []).concat(e.fallback || []);
    const held = holds[e.agency];
    return h("div", {}, h("strong", {}, agencyBadge(e.agency)), " ", e.message ? h("span", { class: "muted" }, e.message) : null,
      h("ul", { class: "rec-list" }, units.map((u) => h("li", {},
        u.fallback ? [h("span", { class: "fallback" }, "Fallback"), " "] : null,
        h("strong", {}, u.call_sign),
        h("span", { class: "dist" }, `${(u.distance_m / 1000).toFixed(1)} km · ~${u.eta_min} min${u.in_zone ? " · in zone" : ""}${
          // issue 13: where the position comes from (AVL), in words
          u.position_at ? (u.position_stale ? ` · position stale since ${clockShort(u.position_at)}` : " · live position") : ""
        }`),
        held && u.agency === e.agency
          ? h("button", { type: "button", dataset: { ahead: u.call_sign } }, `${u.call_sign}: needs a reason`)
          : h("button", { type: "button", class: "btn-go", dataset: { assign: u.call_sign } }, `Assign ${u.call_sign}`)))));
  });
  replace($("recs"), blocks.length ? blocks : h("p", { class: "muted" }, "No agency on this call."));
}

let recsTimer = null;
function refreshRecsSoon() {
  clearTimeout(recsTimer);
  recsTimer = setTimeout(() => {
    if (openId) loadRecs(openId);
  }, 400);
}

function firstRecommended() {
  if (!recs.entries) return null;
  const holds = (state.calls[recs.callId] || {}).order_holds || {};
  for (const e of recs.entries) {
    if (holds[e.agency]) continue; // never the one-key choice while its lead is missing
    const units = (e.units || []).concat(e.fallback || []);
    if (units.length) return units[0].call_sign;
  }
  return null;
}

function flash(ok, text) {
  replace($("detail-flash"), h("p", { class: `flash ${ok ? "flash-ok" : "flash-err"}` }, text));
}

async function assign(callId, callSign, reason) {
  const c = state.calls[callId];
  const body = { unit: callSign };
  if (reason) body.override_reason = reason;
  try {
    await api(`/api/v1/calls/${callId}/assignments`, { method: "POST", body });
    flash(true, `${callSign} assigned to ${c ? c.number : "the call"}${reason ? " (reason recorded)." : "."}`);
    resetAssignForm();
  } catch (err) {
    if (err.code === "order_refused" && openId === callId) {
      askReason(callSign, err.detail);
      replace($("detail-flash"));
    } else {
      flash(false, errorText(err));
    }
  }
  if (openId === callId) loadRecs(callId);
}

// The call's order forbids this unit yet: say why, and let the dispatcher go ahead with a reason.
function askReason(callSign, message) {
  $("as-unit").value = callSign;
  $("as-refusal").textContent = message;
  $("as-refusal").hidden = false;
  $("as-reason-row").hidden = false;
  $("as-reason").required = true;
  $("as-submit").textContent = "Assign anyway";
  $("as-reason").focus();
}

function resetAssignForm() {
  if (!$("assign-form")) return;
  $("assign-form").reset();
  $("as-refusal").hidden = true;
  $("as-reason-row").hidden = true;
  $("as-reason").required = false;
  $("as-submit").textContent = "Assign";
}

function submitAssignForm(ev) {
  ev.preventDefault();
  const callSign = $("as-unit").value.trim().split(/\s/)[0];
  if (!callSign) {
    flash(false, "Type a unit's call sign.");
    $("as-unit").focus();
    return;
  }
  const needsReason = !$("as-reason-row").hidden;
  const reason = $("as-reason").value.trim();
  if (needsReason && !reason) {
    flash(false, "Give a reason to go ahead.");
    $("as-reason").focus();
    return;
  }
  assign(openId, callSign, needsReason ? reason : "");
}

async function assignFirst() {
  const id = openId || selectedId;
  if (!id) return;
  const go = () => {
    const cs = firstRecommended();
    if (cs) assign(id, cs);
    else flash(false, "No unit to recommend for this call.");
  };
  // The whole call first: the one-key choice reads its order holds (never ACS before police).
  if (openId !== id) await openCall(id);
  else await ensureFull(id).catch(() => {});
  if (openId !== id || !state.calls[id] || state.calls[id].brief) return;
  if (recs.callId === id && recs.entries) go();
  else loadRecs(id).then(go);
}

async function post(path, body, done) {
  try {
    await api(path, { method: "POST", body });
    flash(true, done);
    return true;
  } catch (err) {
    flash(false, errorText(err));
    return false;
  }
}

async function submitOverride(ev) {
  ev.preventDefault();
  const form = ev.target;
  const agencies = Array.from(form.querySelectorAll("input[name=agencies]:checked"), (i) => i.value);
  const body = { agencies, lead: form.lead.value, priority: Number(form.priority.value), reason: form.reason.value };
  if (await post(`/api/v1/calls/${openId}/override`, body, "Triage overridden.")) loadRecs(openId);
}

function submitClose(ev) {
  ev.preventDefault();
  const form = ev.target;
  if (!form.disposition.value) {
    flash(false, "Choose a disposition.");
    form.disposition.focus();
    return;
  }
  post(`/api/v1/calls/${openId}/close`, { disposition: form.disposition.value, note: form.note.value }, "Call closed.");
}

function submitCancel(ev) {
  ev.preventDefault();
  post(`/api/v1/calls/${openId}/cancel`, { reason: ev.target.reason.value }, "Call cancelled.");
}

// The codes the call's agencies use (an ACS-only call never offers an arrest), behind a
// "choose" placeholder: a default choice is how calls get closed as a 988 hand-off by mistake.
async function loadDispositions(c) {
  const agencies = (c.agencies || []).slice().sort();
  const key = agencies.join(",");
  if (!dispositions[key]) {
    const query = agencies.map((a) => `agency=${encodeURIComponent(a)}`).join("&");
    try {
      const rows = await api(`/api/v1/dispositions${query ? `?${query}` : ""}`);
      dispositions[key] = Array.isArray(rows) ? rows : [];
    } catch (err) {
      dispositions[key] = [];
    }
  }
  const sel = $("cl-disposition");
  if (!sel || openId !== c.id) return;
  replace(sel, h("option", { value: "" }, "Choose a disposition"), dispositions[key].map((d) => h("option", { value: d.code }, `${d.code} ${d.description}`)));
}

// --- keyboard ------------------------------------------------------------------------------
function move(step) {
  const calls = pendingCalls();
  if (!calls.length) return;
  let i = calls.findIndex((c) => c.id === selectedId);
  i = Math.max(0, Math.min(calls.length - 1, i < 0 ? 0 : i + step));
  selectedId = calls[i].id;
  selectionShow();
  const li = $(`q-${selectedId}`);
  if (li) li.scrollIntoView({ block: "nearest" });
}

document.addEventListener("keydown", (ev) => {
  const t = ev.target;
  const typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  if (ev.key === "Escape") {
    // Escape inside the alerts tray is the tray's (it closes itself): leave the focus to it.
    if (ev.defaultPrevented || (t && t.closest && t.closest("#alerts, #lock-screen"))) return;
    $("queue").focus();
    return;
  }
  if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (ev.key === "j" || ev.key === "ArrowDown") {
    move(1);
    ev.preventDefault();
  } else if (ev.key === "k" || ev.key === "ArrowUp") {
    move(-1);
    ev.preventDefault();
  } else if (ev.key === "Enter" && (t === $("queue") || t === document.body || (t.closest && t.closest("#queue")))) {
    if (selectedId) openCall(selectedId);
    ev.preventDefault();
  } else if (ev.key === "a") {
    assignFirst();
    ev.preventDefault();
  }
});

document.addEventListener("click", (ev) => {
  const target = ev.target.closest ? ev.target : null;
  if (!target) return;
  const li = target.closest("#queue li[data-id]");
  if (li) {
    selectedId = Number(li.dataset.id);
    selectionShow();
    openCall(selectedId);
    return;
  }
  const opener = target.closest("[data-open]");
  if (opener) {
    openCall(Number(opener.dataset.open));
    return;
  }
  const assignBtn = target.closest("[data-assign]");
  if (assignBtn && openId) assign(openId, assignBtn.dataset.assign);
  const aheadBtn = target.closest("[data-ahead]");
  if (aheadBtn && openId) {
    const held = (state.calls[openId] || {}).order_holds || {};
    askReason(aheadBtn.dataset.ahead, held.ACS || "Give a reason to go ahead.");
  }
});

for (const id of ["f-agency", "f-zone"]) $(id).addEventListener("change", render);

// On a wall screen the three columns fill the window below the header and scroll on their own;
// the header's height changes (open alerts, the backup panel), so measure where the grid starts.
function fitColumns() {
  const grid = document.querySelector(".board-grid");
  if (grid) grid.style.setProperty("--board-top", `${Math.max(0, grid.getBoundingClientRect().top + window.scrollY)}px`);
}
if (window.ResizeObserver) new ResizeObserver(fitColumns).observe(document.getElementById("main"));
window.addEventListener("resize", fitColumns);
fitColumns();

// The board's connection, as a hook for the browser tests (tests/e2e: test_lock, test_live_flow,
// test_fit drop the socket and read its last event id).
window.ACSBoard = Object.freeze({
  live: connect({ path: "/ws/dispatch/", indicator: $("live"), onSnapshot, onEvent }),
  state: () => state,
});
