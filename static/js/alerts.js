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
 * static/js/live.js) it applies alert.raised (add), alert.acknowledged and alert.resolved (remove:
 * an alert resolves itself when its condition ends, and an escalation supersedes its warning).
 * A WebAudio beep sounds only for a new escalation.
 */
(function () {
  "use strict";

  var root = document.getElementById("alerts");
  if (!root) return;
  var summary = root.querySelector("[data-alerts-summary]");
  var latest = root.querySelector("[data-alerts-latest]");
  var toggle = root.querySelector("[data-alerts-toggle]");
  var panel = root.querySelector("[data-alerts-panel]");
  var list = root.querySelector("[data-alerts-list]");
  var errorBox = root.querySelector("[data-alerts-error]");
  var soundButton = root.querySelector("[data-alerts-sound]");
  var api = root.getAttribute("data-api");
  var callApi = root.getAttribute("data-call-api");
  var csrf = root.getAttribute("data-csrf");

  var alerts = new Map(); // id -> alert summary (open ones only)
  var recommended = new Map(); // id -> {call_sign} of the next recommended unit (escalated ack)
  var announced = new Set(); // escalation ids already sounded or present at the first load
  var loaded = false;
  var expanded = false;
  var soundOn = true;
  var audio = null;

  // --- sound: new escalations only
  function audioContext() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return null;
    if (!audio) audio = new Ctx();
    return audio;
  }
  // Browsers keep audio suspended until the user interacts with the page: unlock on first gesture.
  function unlock() {
    var ctx = audioContext();
    if (ctx && ctx.state === "suspended") ctx.resume();
  }
  document.addEventListener("pointerdown", unlock, { once: true });
  document.addEventListener("keydown", unlock, { once: true });

  function beep() {
    if (!soundOn) return;
    var ctx = audioContext();
    if (!ctx) return;
    var t = ctx.currentTime;
    [990, 0, 990, 0, 990].forEach(function (freq) {
      if (freq) {
        var osc = ctx.createOscillator();
        var gain = ctx.createGain();
        osc.type = "square";
        osc.frequency.value = freq;
        gain.gain.value = 0.08;
        osc.connect(gain).connect(ctx.destination);
        osc.start(t);
        osc.stop(t + 0.15);
      }
      t += 0.18;
    });
  }

  // Sound once per escalation, and only for one that arrived after the screen opened: a page
  // opened on ten old escalations should not sound ten times, nor at every navigation.
  function soundNewEscalations(rows) {
    var fresh = false;
    rows.forEach(function (a) {
      if (a.level >= 2 && !announced.has(a.id)) {
        announced.add(a.id);
        if (loaded) fresh = true;
      }
    });
    if (fresh) beep();
  }

  if (soundButton) {
    soundButton.addEventListener("click", function () {
      soundOn = !soundOn;
      soundButton.textContent = soundOn ? "Sound on" : "Sound off";
      soundButton.setAttribute("aria-pressed", soundOn ? "true" : "false");
      if (soundOn) unlock();
    });
  }

  // --- expand / collapse
  function setExpanded(open) {
    expanded = open && alerts.size > 0;
    panel.hidden = !expanded;
    toggle.setAttribute("aria-expanded", expanded ? "true" : "false");
    root.setAttribute("data-expanded", expanded ? "true" : "false");
    toggle.textContent = expanded ? "Hide alerts" : "Show alerts (" + alerts.size + ")";
  }
  toggle.addEventListener("click", function () { setExpanded(!expanded); });
  root.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && expanded) {
      // This Escape closes the tray; the screen's own Escape (the board's "back to the queue")
      // waits for the next one.
      e.stopPropagation();
      setExpanded(false);
      toggle.focus();
    }
  });

  // --- rendering
  function byUrgency(a, b) {
    if (a.level !== b.level) return b.level - a.level;
    if (a.raised_at !== b.raised_at) return a.raised_at < b.raised_at ? -1 : 1;
    return a.id - b.id;
  }

  function groups() {
    var byCall = new Map();
    Array.from(alerts.values()).sort(byUrgency).forEach(function (a) {
      var key = a.call_id ? "call:" + a.call_id : "alert:" + a.id;
      if (!byCall.has(key)) byCall.set(key, { callId: a.call_id, number: a.call_number, items: [] });
      byCall.get(key).items.push(a);
    });
    // Items are sorted, so each group's first item is its most urgent: order groups by it.
    return Array.from(byCall.values()).sort(function (g, h) { return byUrgency(g.items[0], h.items[0]); });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function levelWord(a) {
    return a.level >= 2 ? "ESCALATED" : "WARNING";
  }

  function alertRow(a) {
    var li = el("li", { class: "alert-row alert-level-" + a.level, "data-alert-id": String(a.id), "data-alert-kind": a.kind });
    li.appendChild(el("span", { class: "alert-tag" }, levelWord(a) + " · " + a.kind_label));
    li.appendChild(el("time", { class: "alert-time", datetime: a.raised_at }, a.raised_at_local || ""));
    var msg = el("span", { class: "alert-msg" }, a.message);
    var next = recommended.get(a.id);
    if (next) msg.appendChild(el("mark", { class: "alert-next" }, " Next: " + next.call_sign));
    li.appendChild(msg);
    var button = el("button", { type: "button", class: "alert-ack", "aria-label": "Acknowledge: " + a.message }, "Acknowledge");
    button.addEventListener("click", function () { acknowledge(a.id, button); });
    li.appendChild(button);
    return li;
  }

  function render() {
    var had = root.contains(document.activeElement) && document.activeElement !== toggle;
    var all = Array.from(alerts.values());
    var escalated = all.filter(function (a) { return a.level >= 2; });
    var warnings = all.length - escalated.length;

    list.textContent = "";
    groups().forEach(function (g) {
      var group = el("li", { class: "alert-group", "data-call-id": g.callId ? String(g.callId) : "" });
      var head = el("div", { class: "alert-group-head" });
      head.appendChild(el("span", { class: "alert-call" }, g.number ? "Call " + g.number : "No call"));
      head.appendChild(el("span", { class: "alert-group-count" }, g.items.length + (g.items.length === 1 ? " alert" : " alerts")));
      if (g.callId && g.items.length > 1) {
        var ackAll = el("button", { type: "button", class: "alert-ack-all", "data-ack-call": String(g.callId) }, "Acknowledge all for this call");
        ackAll.setAttribute("aria-label", "Acknowledge all for this call (" + g.number + ", " + g.items.length + " alerts)");
        ackAll.addEventListener("click", function () { acknowledgeCall(g.callId, ackAll); });
        head.appendChild(ackAll);
      }
      group.appendChild(head);
      var rows = el("ul", { class: "alert-rows", "aria-label": g.number ? "Alerts of call " + g.number : "Alert" });
      g.items.forEach(function (a) { rows.appendChild(alertRow(a)); });
      group.appendChild(rows);
      list.appendChild(group);
    });

    var parts = [];
    if (escalated.length) parts.push(escalated.length + " escalated");
    if (warnings) parts.push(warnings + (warnings === 1 ? " warning" : " warnings"));
    summary.textContent = parts.length ? parts.join(" · ") : "None open";

    // The newest escalation (else the newest warning) on the closed line; the whole text in a title.
    var newest = (escalated.length ? escalated : all).slice().sort(function (a, b) {
      return a.raised_at === b.raised_at ? b.id - a.id : (a.raised_at < b.raised_at ? 1 : -1);
    })[0];
    var line = newest ? (newest.raised_at_local ? newest.raised_at_local + " " : "") + newest.message : "";
    if (latest.textContent !== line) latest.textContent = line;
    latest.title = line;
    latest.className = "alerts-latest" + (newest ? " alert-level-" + newest.level : "");

    root.setAttribute("data-open", String(all.length));
    root.setAttribute("data-escalated", String(escalated.length));
    toggle.hidden = all.length === 0;
    setExpanded(expanded);
    // A button that vanished with its alert took the focus along: give it to the next sensible one.
    if (had && !root.contains(document.activeElement)) {
      var nextButton = expanded ? list.querySelector("button") : null;
      (nextButton || (toggle.hidden ? soundButton : toggle)).focus();
    }
  }

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  // --- server
  function post(url) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf },
    }).then(function (response) {
      return response.json().then(
        function (body) { return { ok: response.ok, status: response.status, body: body }; },
        function () { return { ok: response.ok, status: response.status, body: {} }; }
      );
    });
  }

  function load() {
    return fetch(api + "?open=1", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (rows) {
        alerts = new Map(rows.map(function (a) { return [a.id, a]; }));
        soundNewEscalations(rows);
        loaded = true;
        render();
        showError("");
      })
      .catch(function (err) { showError("Could not load the alerts (" + err.message + "); retrying on the next update."); });
  }

  function acknowledge(id, button) {
    button.disabled = true;
    post(api + "/" + id + "/acknowledge")
      .then(function (result) {
        if (!result.ok) {
          button.disabled = false;
          showError(result.body.detail || "The alert could not be acknowledged.");
          return;
        }
        alerts.delete(id);
        render();
        showError("");
      })
      .catch(function (err) {
        button.disabled = false;
        showError("The alert could not be acknowledged (" + err.message + ").");
      });
  }

  function acknowledgeCall(callId, button) {
    button.disabled = true;
    post(callApi + "/" + callId + "/alerts/acknowledge")
      .then(function (result) {
        if (!result.ok) {
          button.disabled = false;
          showError(result.body.detail || "The alerts of this call could not be acknowledged.");
          return;
        }
        (result.body.acknowledged || []).forEach(function (a) { alerts.delete(a.id); });
        render();
        showError("");
      })
      .catch(function (err) {
        button.disabled = false;
        showError("The alerts of this call could not be acknowledged (" + err.message + ").");
      });
  }

  // --- live updates (re-emitted by static/js/live.js)
  function apply(frame) {
    if (!frame || !frame.data || !frame.data.alert) return;
    var a = frame.data.alert;
    if (frame.kind === "alert.raised" && !a.acknowledged_at && !a.resolved_at) {
      alerts.set(a.id, a);
      if (frame.data.recommended_unit) recommended.set(a.id, frame.data.recommended_unit);
      render();
      soundNewEscalations([a]);
    } else if (frame.kind === "alert.acknowledged" || frame.kind === "alert.resolved" || a.acknowledged_at || a.resolved_at) {
      if (alerts.delete(a.id)) render();
    }
  }

  document.addEventListener("live:event", function (e) { apply(e.detail); });
  document.addEventListener("live:snapshot", function () { load(); });
  window.acsAlerts = { load: load, apply: apply, count: function () { return alerts.size; } };
  load();
})();
