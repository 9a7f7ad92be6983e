/* The alert tray at the top of the screens that handle alerts (calls/_alerts.html).
 *
 * Closed, it is one line: counts by severity ("2 escalated · 5 warnings") and the newest
 * escalation, so however many alerts are open the queue below stays on screen. "Show alerts"
 * (aria-expanded) opens the list, grouped by call: each alert with its level in words and colour,
 * its time on the city's clock (raised_at_local, 24-hour, from the server), Acknowledge, and per
 * call "Acknowledge all for this call". Escape closes the list.
 *
 * Self-contained: on load and on every `live:snapshot` CustomEvent on `document` it fetches
 * GET /api/v1/alerts?open=1; on every `live:event` (detail = the websocket frame, re-emitted by
 * static/js/lib/live.js) it applies alert.raised (add), alert.acknowledged and alert.resolved (remove:
 * an alert resolves itself when its condition ends, and an escalation supersedes its warning).
 * A WebAudio beep sounds only for a new escalation.
 */
import { api, errorText } from "./lib/api.js";
import { clone, keyedUpdate, setText, slot } from "./lib/dom.js";

const root = document.getElementById("alerts");
if (root) alertsTray(root);

function alertsTray(root) {
  const summary = root.querySelector("[data-alerts-summary]");
  const latest = root.querySelector("[data-alerts-latest]");
  const toggle = root.querySelector("[data-alerts-toggle]");
  const panel = root.querySelector("[data-alerts-panel]");
  const list = root.querySelector("[data-alerts-list]");
  const errorBox = root.querySelector("[data-alerts-error]");
  const soundButton = root.querySelector("[data-alerts-sound]");
  const alertsUrl = root.dataset.api;
  const callUrl = root.dataset.callApi;

  let alerts = new Map(); // id -> alert summary (open ones only)
  const recommended = new Map(); // id -> {call_sign} of the next recommended unit (escalated ack)
  const announced = new Set(); // escalation ids already sounded or present at the first load
  let loaded = false;
  let expanded = false;
  let soundOn = true;
  let audio = null;

  // --- sound: new escalations only
  function audioContext() {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return null;
    if (!audio) audio = new Ctx();
    return audio;
  }
  // Browsers keep audio suspended until the user interacts with the page: unlock on first gesture.
  function unlockAudio() {
    const ctx = audioContext();
    if (ctx && ctx.state === "suspended") ctx.resume();
  }
  document.addEventListener("pointerdown", unlockAudio, { once: true });
  document.addEventListener("keydown", unlockAudio, { once: true });

  function beep() {
    if (!soundOn) return;
    const ctx = audioContext();
    if (!ctx) return;
    let t = ctx.currentTime;
    for (const freq of [990, 0, 990, 0, 990]) {
      if (freq) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = "square";
        osc.frequency.value = freq;
        gain.gain.value = 0.08;
        osc.connect(gain).connect(ctx.destination);
        osc.start(t);
        osc.stop(t + 0.15);
      }
      t += 0.18;
    }
  }

  // Sound once per escalation, and only for one that arrived after the screen opened: a page
  // opened on ten old escalations should not sound ten times, nor at every navigation.
  function soundNewEscalations(rows) {
    let fresh = false;
    for (const a of rows) {
      if (a.level >= 2 && !announced.has(a.id)) {
        announced.add(a.id);
        if (loaded) fresh = true;
      }
    }
    if (fresh) beep();
  }

  if (soundButton) {
    soundButton.addEventListener("click", () => {
      soundOn = !soundOn;
      soundButton.textContent = soundOn ? "Sound on" : "Sound off";
      soundButton.setAttribute("aria-pressed", soundOn ? "true" : "false");
      if (soundOn) unlockAudio();
    });
  }

  // --- expand / collapse
  function setExpanded(open) {
    expanded = open && alerts.size > 0;
    panel.hidden = !expanded;
    toggle.setAttribute("aria-expanded", expanded ? "true" : "false");
    root.setAttribute("data-expanded", expanded ? "true" : "false");
    toggle.textContent = expanded ? "Hide alerts" : `Show alerts (${alerts.size})`;
  }
  toggle.addEventListener("click", () => setExpanded(!expanded));
  root.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && expanded) {
      // This Escape closes the tray; the screen's own Escape (the board's "back to the queue")
      // waits for the next one.
      e.stopPropagation();
      setExpanded(false);
      toggle.focus();
    }
  });

  // --- rendering: groups and rows are kept by key, so an update moves or edits rows in place
  function byUrgency(a, b) {
    if (a.level !== b.level) return b.level - a.level;
    if (a.raised_at !== b.raised_at) return a.raised_at < b.raised_at ? -1 : 1;
    return a.id - b.id;
  }

  function groups() {
    const byCall = new Map();
    for (const a of Array.from(alerts.values()).sort(byUrgency)) {
      const key = a.call_id ? `call:${a.call_id}` : `alert:${a.id}`;
      if (!byCall.has(key)) byCall.set(key, { key, callId: a.call_id, number: a.call_number, items: [] });
      byCall.get(key).items.push(a);
    }
    // Items are sorted, so each group's first item is its most urgent: order groups by it.
    return Array.from(byCall.values()).sort((g, h) => byUrgency(g.items[0], h.items[0]));
  }

  const levelWord = (a) => (a.level >= 2 ? "ESCALATED" : "WARNING");

  // "Acknowledge all for this call" is in the group's head only while the call has several
  // alerts (out of the DOM otherwise, so the panel's first button is always one that shows).
  const ackAllOf = new WeakMap();

  function groupNew(g) {
    const node = clone("tpl-alert-group");
    const ackAll = slot(node, "ack-all");
    ackAll.addEventListener("click", () => acknowledgeCall(Number(node.dataset.callId), ackAll));
    ackAllOf.set(node, { button: ackAll, head: ackAll.parentNode });
    ackAll.remove();
    return node;
  }

  function groupUpdate(node, g) {
    node.dataset.callId = g.callId ? String(g.callId) : "";
    setText(node, "call", g.number ? `Call ${g.number}` : "No call");
    setText(node, "count", `${g.items.length}${g.items.length === 1 ? " alert" : " alerts"}`);
    const { button: ackAll, head } = ackAllOf.get(node);
    if (g.callId && g.items.length > 1) {
      if (!ackAll.isConnected) head.append(ackAll);
    } else if (ackAll.isConnected) ackAll.remove();
    ackAll.setAttribute("aria-label", `Acknowledge all for this call (${g.number}, ${g.items.length} alerts)`);
    const rows = slot(node, "rows");
    rows.setAttribute("aria-label", g.number ? `Alerts of call ${g.number}` : "Alert");
    keyedUpdate(rows, g.items, (a) => a.id, rowNew, rowUpdate);
  }

  function rowNew(a) {
    const li = clone("tpl-alert-row");
    const button = slot(li, "ack");
    button.addEventListener("click", () => acknowledge(a.id, button));
    return li;
  }

  function rowUpdate(li, a) {
    li.className = `alert-row alert-level-${a.level}`;
    li.dataset.alertId = String(a.id);
    li.dataset.alertKind = a.kind;
    setText(li, "tag", `${levelWord(a)} · ${a.kind_label}`);
    setText(li, "time", a.raised_at_local || "").setAttribute("datetime", a.raised_at);
    setText(li, "message", a.message);
    const next = recommended.get(a.id);
    setText(li, "next", next ? ` Next: ${next.call_sign}` : "").hidden = !next;
    slot(li, "ack").setAttribute("aria-label", `Acknowledge: ${a.message}`);
  }

  function render() {
    const had = root.contains(document.activeElement) && document.activeElement !== toggle;
    const all = Array.from(alerts.values());
    const escalated = all.filter((a) => a.level >= 2);
    const warnings = all.length - escalated.length;

    keyedUpdate(list, groups(), (g) => g.key, groupNew, groupUpdate);

    const parts = [];
    if (escalated.length) parts.push(`${escalated.length} escalated`);
    if (warnings) parts.push(warnings + (warnings === 1 ? " warning" : " warnings"));
    const text = parts.length ? parts.join(" · ") : "None open";
    if (summary.textContent !== text) summary.textContent = text;

    // The newest escalation (else the newest warning) on the closed line; the whole text in a title.
    const newest = (escalated.length ? escalated : all)
      .slice()
      .sort((a, b) => (a.raised_at === b.raised_at ? b.id - a.id : a.raised_at < b.raised_at ? 1 : -1))[0];
    const line = newest ? (newest.raised_at_local ? `${newest.raised_at_local} ` : "") + newest.message : "";
    if (latest.textContent !== line) latest.textContent = line;
    latest.title = line;
    latest.className = `alerts-latest${newest ? ` alert-level-${newest.level}` : ""}`;

    root.setAttribute("data-open", String(all.length));
    root.setAttribute("data-escalated", String(escalated.length));
    toggle.hidden = all.length === 0;
    setExpanded(expanded);
    // A button that vanished with its alert took the focus along: give it to the next sensible one.
    if (had && !root.contains(document.activeElement)) {
      const nextButton = expanded ? list.querySelector("button") : null;
      (nextButton || (toggle.hidden ? soundButton : toggle)).focus();
    }
  }

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  // --- server
  async function load() {
    try {
      const rows = await api(`${alertsUrl}?open=1`);
      alerts = new Map(rows.map((a) => [a.id, a]));
      soundNewEscalations(rows);
      loaded = true;
      render();
      showError("");
    } catch (err) {
      showError(`Could not load the alerts (${err.message}); retrying on the next update.`);
    }
  }

  async function acknowledge(id, button) {
    button.disabled = true;
    try {
      await api(`${alertsUrl}/${id}/acknowledge`, { method: "POST" });
      alerts.delete(id);
      render();
      showError("");
    } catch (err) {
      button.disabled = false;
      showError(err.detail || `The alert could not be acknowledged (${errorText(err)}).`);
    }
  }

  async function acknowledgeCall(callId, button) {
    button.disabled = true;
    try {
      const body = await api(`${callUrl}/${callId}/alerts/acknowledge`, { method: "POST" });
      for (const a of (body && body.acknowledged) || []) alerts.delete(a.id);
      button.disabled = false;
      render();
      showError("");
    } catch (err) {
      button.disabled = false;
      showError(err.detail || `The alerts of this call could not be acknowledged (${errorText(err)}).`);
    }
  }

  // --- live updates (the screen's socket, re-emitted by lib/live.js)
  function apply(frame) {
    if (!frame || !frame.data || !frame.data.alert) return;
    const a = frame.data.alert;
    if (frame.kind === "alert.raised" && !a.acknowledged_at && !a.resolved_at) {
      alerts.set(a.id, a);
      if (frame.data.recommended_unit) recommended.set(a.id, frame.data.recommended_unit);
      render();
      soundNewEscalations([a]);
    } else if (frame.kind === "alert.acknowledged" || frame.kind === "alert.resolved" || a.acknowledged_at || a.resolved_at) {
      if (alerts.delete(a.id)) render();
    }
  }

  document.addEventListener("live:event", (e) => apply(e.detail));
  document.addEventListener("live:snapshot", () => load());
  load();
}
