/* Open alerts at the top of the screen, with sound (calls/_alerts.html).
 *
 * Self-contained: on load and on every `live:snapshot` CustomEvent on `document` it fetches
 * GET /api/v1/alerts?open=1; on every `live:event` CustomEvent (detail = the websocket frame
 * {id, kind, data, ...}) of kind alert.raised / alert.acknowledged it updates the list.
 * Escalated alerts (level 2) first, then the oldest; each with text and colour (never colour
 * alone), an Acknowledge button, and a WebAudio beep when it arrives.
 */
(function () {
  "use strict";

  var root = document.getElementById("alerts");
  if (!root) return;
  var list = root.querySelector("[data-alerts-list]");
  var count = root.querySelector("[data-alerts-count]");
  var errorBox = root.querySelector("[data-alerts-error]");
  var soundButton = root.querySelector("[data-alerts-sound]");
  var api = root.getAttribute("data-api");
  var csrf = root.getAttribute("data-csrf");

  var alerts = new Map(); // id -> alert summary (open ones only)
  var recommended = new Map(); // id -> {call_sign} of the next recommended unit (escalated ack)
  var loaded = false;
  var soundOn = true;
  var audio = null;

  // --- sound
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

  function beep(level) {
    if (!soundOn) return;
    var ctx = audioContext();
    if (!ctx) return;
    var tones = level >= 2 ? [990, 0, 990, 0, 990] : [660, 0, 660];
    var t = ctx.currentTime;
    tones.forEach(function (freq) {
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
  if (soundButton) {
    soundButton.addEventListener("click", function () {
      soundOn = !soundOn;
      soundButton.textContent = soundOn ? "Sound on" : "Sound off";
      soundButton.setAttribute("aria-pressed", soundOn ? "true" : "false");
      if (soundOn) unlock();
    });
  }

  // --- rendering
  function sorted() {
    return Array.from(alerts.values()).sort(function (a, b) {
      if (a.level !== b.level) return b.level - a.level;
      if (a.raised_at !== b.raised_at) return a.raised_at < b.raised_at ? -1 : 1;
      return a.id - b.id;
    });
  }

  function timeText(iso) {
    var d = new Date(iso);
    return isNaN(d) ? "" : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  function render() {
    var items = sorted();
    list.textContent = "";
    items.forEach(function (a) {
      var li = document.createElement("li");
      li.className = "alert-level-" + a.level;
      li.setAttribute("data-alert-id", String(a.id));
      li.setAttribute("data-alert-kind", a.kind);

      var tag = document.createElement("span");
      tag.className = "alert-tag";
      tag.textContent = (a.level >= 2 ? "ESCALATED" : "WARNING") + " · " + a.kind_label;
      li.appendChild(tag);

      var msg = document.createElement("span");
      msg.className = "alert-msg";
      msg.textContent = a.message + " (" + timeText(a.raised_at) + ")";
      var next = recommended.get(a.id);
      if (next) {
        var mark = document.createElement("mark");
        mark.className = "alert-next";
        mark.textContent = " Next: " + next.call_sign;
        msg.appendChild(mark);
      }
      li.appendChild(msg);

      var button = document.createElement("button");
      button.type = "button";
      button.textContent = "Acknowledge";
      button.setAttribute("aria-label", "Acknowledge: " + a.message);
      button.addEventListener("click", function () { acknowledge(a.id, button); });
      li.appendChild(button);
      list.appendChild(li);
    });
    root.setAttribute("data-open", String(items.length));
    count.textContent = items.length ? "(" + items.length + " open)" : "(none open)";
  }

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  // --- server
  function load() {
    return fetch(api + "?open=1", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (rows) {
        var fresh = rows.filter(function (a) { return !alerts.has(a.id); });
        alerts = new Map(rows.map(function (a) { return [a.id, a]; }));
        render();
        showError("");
        if (fresh.length && (loaded || rows.length)) {
          beep(Math.max.apply(null, fresh.map(function (a) { return a.level; })));
        }
        loaded = true;
      })
      .catch(function (err) { showError("Could not load the alerts (" + err.message + "); retrying on the next update."); });
  }

  function acknowledge(id, button) {
    button.disabled = true;
    fetch(api + "/" + id + "/acknowledge", {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf },
    })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
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

  // --- live updates (dispatched by static/js/live.js)
  function apply(frame) {
    if (!frame || !frame.data || !frame.data.alert) return;
    var a = frame.data.alert;
    if (frame.kind === "alert.raised") {
      if (a.acknowledged_at) return;
      var isNew = !alerts.has(a.id);
      alerts.set(a.id, a);
      if (frame.data.recommended_unit) recommended.set(a.id, frame.data.recommended_unit);
      render();
      if (isNew) beep(a.level);
    } else if (frame.kind === "alert.acknowledged") {
      alerts.delete(a.id);
      render();
    }
  }

  document.addEventListener("live:event", function (e) { apply(e.detail); });
  document.addEventListener("live:snapshot", function () { load(); });
  window.acsAlerts = { load: load, apply: apply, count: function () { return alerts.size; } };
  load();
})();
