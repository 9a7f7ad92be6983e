/* ACS supervisor board and map. State from /ws/supervisor/ (snapshot, then events); the map is
 * Leaflet (vendored, the global `leaflet` below) with no tile layer (a 911 floor may have no
 * internet): zone polygons from the page, unit markers coloured by status AND labelled with text,
 * call markers. Table rows are <template> fragments of responders/supervisor.html, updated by key. */
import { statusGroup, statusLabel } from "./lib/config.js";
import { $, clone, h, keyedUpdate, priorityBadge, setNodes, setText, slot, statusBadge } from "./lib/dom.js";
import { clock, clockShort, duration, sortBy, tick } from "./lib/format.js";
import { connect } from "./lib/live.js";

const leaflet = window.L; // static/vendor/leaflet/leaflet.js, loaded before this module
const OPEN = statusGroup("call_open");
const PRIORITY_THEN_AGE = sortBy([{ field: "priority", missing: 9 }, { field: "received_at" }]);
// The marker colours of the statuses (the legend and the tables say them in words too).
const STATUS_COLOURS = {
  AVAILABLE: "#69db7c",
  DISPATCHED: "#ffd43b",
  EN_ROUTE: "#ffa94d",
  ON_SCENE: "#b197fc",
  TRANSPORTING: "#74c0fc",
  OUT_OF_SERVICE: "#ced4da",
};

let state = { calls: {}, units: {}, alerts: {}, notes: {}, figures: null };

// --- map -----------------------------------------------------------------------------------
const map = leaflet.map("map", { attributionControl: false, zoomSnap: 0.25, keyboard: true });
const zones = JSON.parse($("zones-data").textContent || "[]");
const zoneLayer = leaflet
  .geoJSON(
    { type: "FeatureCollection", features: zones.map((z) => ({ type: "Feature", properties: { name: z.name }, geometry: z.geometry })) },
    {
      style: { color: "#6cb6ff", weight: 1.5, fillColor: "#6cb6ff", fillOpacity: 0.06 },
      onEachFeature: (feature, layer) => layer.bindTooltip(feature.properties.name, { sticky: true, className: "map-label" }),
    }
  )
  .addTo(map);
if (zones.length) map.fitBounds(zoneLayer.getBounds(), { padding: [10, 10] });
else map.setView([35.0844, -106.6504], 11);
let unitMarkers = {};
let callMarkers = {};
// Issues 13/14: supervisor_map.js (streets, label placement) and facilities.js (facilities layer)
// run after this module and add their layers to this map.
window.ACSSupervisorMap = map;

function drawUnit(u) {
  let m = unitMarkers[u.id];
  if (u.lat === null || u.lon === null || u.lat === undefined) {
    if (m) {
      map.removeLayer(m);
      delete unitMarkers[u.id];
    }
    return;
  }
  if (!m) {
    m = leaflet.circleMarker([u.lat, u.lon], { radius: 9, weight: 2, color: "#0f1419", fillOpacity: 0.95 });
    m.addTo(map);
    unitMarkers[u.id] = m;
  }
  // Busy units carry a permanent label (the ones a supervisor watches); available ones show
  // theirs on hover or focus, so eighteen labels do not bury the map.
  const permanent = u.status !== "AVAILABLE";
  if (m.acsPermanent !== permanent) {
    m.unbindTooltip();
    m.bindTooltip("", { permanent, direction: "auto", offset: [8, 0], className: "map-label unit-label" });
    m.acsPermanent = permanent;
  }
  m.setLatLng([u.lat, u.lon]);
  m.setStyle({ fillColor: STATUS_COLOURS[u.status] || "#ffffff" });
  // A text node, never HTML: Leaflet inserts a string tooltip as markup.
  m.setTooltipContent(document.createTextNode(`${u.call_sign} · ${statusLabel(u.status)}`));
  const el = m.getElement && m.getElement();
  if (el) {
    el.setAttribute("data-unit", u.call_sign);
    el.setAttribute("data-status", u.status);
  }
}

function drawCall(c) {
  let m = callMarkers[c.id];
  const open = OPEN.includes(c.status) && c.lat !== null && c.lon !== null;
  if (!open) {
    if (m) {
      map.removeLayer(m);
      delete callMarkers[c.id];
    }
    return;
  }
  const pin = h("span", { class: `call-pin p${c.priority || 4}`, dataset: { call: c.number } }, `◆ ${c.number}`);
  const icon = leaflet.divIcon({ className: "call-icon", html: pin, iconSize: null });
  if (!m) {
    m = leaflet.marker([c.lat, c.lon], { icon, keyboard: false, title: `Call ${c.number}` });
    m.addTo(map);
    callMarkers[c.id] = m;
  } else {
    m.setLatLng([c.lat, c.lon]);
    m.setIcon(icon);
  }
}

// --- reducer -------------------------------------------------------------------------------
function isAcsCall(c) {
  return (c.agencies || []).includes("ACS") || (c.units || []).some((u) => u.agency === "ACS");
}

function putCall(c) {
  if (OPEN.includes(c.status) && isAcsCall(c)) state.calls[c.id] = c;
  else delete state.calls[c.id];
  drawCall(c);
  countFigures(c);
}

function putUnit(u) {
  if (u.agency !== "ACS") return;
  state.units[u.id] = u;
  drawUnit(u);
}

function countFigures(c) {
  const f = state.figures;
  if (!f || !isAcsCall(c)) return;
  const since = Date.parse(f.since);
  if (Date.parse(c.received_at) >= since && !f.calls.includes(c.id)) f.calls.push(c.id);
  if (f.calls.includes(c.id) && f.on_scene_seconds[c.id] === undefined) {
    const times = (c.units || []).map((u) => (u.on_scene_at ? Date.parse(u.on_scene_at) : null)).filter((t) => t !== null);
    if (times.length) f.on_scene_seconds[c.id] = Math.max(0, (Math.min(...times) - Date.parse(c.received_at)) / 1000);
  }
  for (const b of c.backup_requests || []) {
    if (Date.parse(b.requested_at) >= since && !f.backups.includes(b.id)) f.backups.push(b.id);
  }
}

function onSnapshot(snap) {
  Object.values(unitMarkers).forEach((m) => map.removeLayer(m));
  Object.values(callMarkers).forEach((m) => map.removeLayer(m));
  unitMarkers = {};
  callMarkers = {};
  state = { calls: {}, units: {}, alerts: {}, notes: {}, figures: snap.figures };
  (snap.units || []).forEach(putUnit);
  (snap.calls || []).forEach(putCall);
  for (const a of snap.alerts || []) state.alerts[a.id] = a;
  for (const n of snap.notes || []) state.notes[n.id] = n;
  render();
}

function onEvent(frame) {
  const d = frame.data || {};
  if (d.unit && d.unit.id) putUnit(d.unit);
  if (d.call && d.call.id) putCall(d.call);
  if (d.note && d.note.id) state.notes[d.note.id] = d.note;
  if (d.alert && d.alert.id) {
    if (d.alert.acknowledged_at || d.alert.resolved_at) delete state.alerts[d.alert.id];
    else state.alerts[d.alert.id] = d.alert;
  }
  render();
}

// --- rendering -----------------------------------------------------------------------------
function median(values) {
  if (!values.length) return null;
  const s = values.slice().sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function lines(nodes) {
  const out = [];
  nodes.forEach((n, i) => out.push(i ? h("br") : null, n));
  return out;
}

function render() {
  const f = state.figures;
  if (f) {
    $("fig-calls").textContent = f.calls.length;
    const med = median(Object.values(f.on_scene_seconds));
    $("fig-onscene").textContent = med === null ? "–" : duration(Math.round(med));
    $("fig-backups").textContent = f.backups.length;
  }
  const alertsByUnit = {};
  for (const a of Object.values(state.alerts)) if (a.unit_id) (alertsByUnit[a.unit_id] = alertsByUnit[a.unit_id] || []).push(a);
  const units = Object.values(state.units).sort((a, b) => (a.call_sign < b.call_sign ? -1 : 1));
  keyedUpdate($("units"), units, (u) => u.id, () => clone("tpl-sup-unit"), (tr, u) => {
    tr.dataset.unit = u.call_sign;
    setText(tr, "call-sign", u.call_sign);
    setNodes(tr, "status", u.status, () => statusBadge(u.status));
    slot(tr, "since").dataset.since = u.status_since;
    setText(tr, "since-at", `since ${clockShort(u.status_since)}`);
    setText(tr, "call", u.call_number || "–");
    const unitAlerts = alertsByUnit[u.id] || [];
    setNodes(tr, "alerts", unitAlerts.map((a) => [a.level, a.message]), () =>
      lines(unitAlerts.map((a) => h("span", { class: `alert-row alert-level-${a.level}` }, a.message))));
  });

  const notesByCall = {};
  for (const n of Object.values(state.notes)) notesByCall[n.call_id] = (notesByCall[n.call_id] || 0) + 1;
  const calls = Object.values(state.calls).sort(PRIORITY_THEN_AGE);
  $("queue-count").textContent = calls.length;
  keyedUpdate($("queue"), calls, (c) => c.id, () => clone("tpl-sup-call"), (tr, c) => {
    tr.dataset.call = c.number;
    setText(tr, "number", c.number);
    setNodes(tr, "priority", String(c.priority), () => priorityBadge(c.priority));
    setNodes(tr, "status", c.status, () => statusBadge(c.status));
    setText(tr, "type", c.call_type ? c.call_type.name : "");
    setText(tr, "where", (c.address || "") + (c.zone ? ` · ${c.zone}` : ""));
    setNodes(tr, "units", (c.units || []).map((u) => [u.unit, u.unit_status]), () =>
      lines((c.units || []).map((u) => h("span", { class: "contents" }, `${u.unit} `, statusBadge(u.unit_status)))));
    slot(tr, "since").dataset.since = c.received_at;
    setText(tr, "since-at", `since ${clockShort(c.received_at)}`);
    setText(tr, "notes", notesByCall[c.id] || 0);
  });

  const alerts = Object.values(state.alerts);
  const list = $("sup-alerts");
  keyedUpdate(list, alerts, (a) => a.id, () => clone("tpl-sup-alert"), (li, a) => {
    li.className = `alert-row alert-level-${a.level}`;
    setText(li, "text", `${clock(a.raised_at)} ${a.level_label || "Alert"} · ${a.unit_call_sign || a.call_number || ""}: ${a.message}`);
  });
  if (!alerts.length) list.append(h("li", { class: "muted" }, "No open alert."));
  tick();
}

connect({ path: "/ws/supervisor/", indicator: $("live"), onSnapshot, onEvent });
