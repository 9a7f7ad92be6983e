/* ACS Dispatch live socket: the one small module every live screen uses.
 *
 *   const live = ACSLive.connect({
 *     path: "/ws/dispatch/",            // the stream (see calls/consumers.py for the protocol)
 *     indicator: element,               // shows "Live" / "Reconnecting…" (text + colour, aria-live)
 *     onSnapshot(snapshot) {},          // replace the whole screen state
 *     onEvent(frame) {},                // apply one event: {id, prev, kind, data, ...}
 *   });
 *
 * Guarantees to the screen: events arrive once each, in id order, with nothing missing.
 * - Each frame carries `prev`, the previous event id ON THIS STREAM. A frame whose prev is not the
 *   last id held means a push was lost (or overtaken): the frame is dropped and a
 *   {"type":"resume","after":last} asks the server for everything after `last`, from the Event table.
 * - Frames with id <= last are duplicates (snapshot or replay already held them) and are dropped.
 * - The server sends a heartbeat every ~10 s with the stream's head. Silence for SILENT_MS means a
 *   dead socket (a tunnel, a sleeping laptop): it is closed and reconnected. A head that stays
 *   ahead of `last` across two heartbeats means a lost push on a quiet stream: resume.
 * - Reconnect uses exponential backoff with full jitter (0.5 s doubling to 15 s), so a floor of
 *   consoles does not reconnect in lockstep after a server restart. After a reconnect the screen
 *   resumes from its last id (its history, alerts and timers survive); a client too far behind
 *   takes the fresh snapshot instead.
 * - Close codes 4401 (session ended) and 4403 (role not allowed) stop reconnecting: the screen
 *   says so and links to the login page.
 */
(function () {
  "use strict";

  var BASE_DELAY_MS = 500;
  var MAX_DELAY_MS = 15000;
  var SILENT_MS = 25000;
  var RESUME_ON_RECONNECT_MAX = 500; // further behind than this: take the fresh snapshot

  function setIndicator(el, state, text) {
    if (!el) return;
    el.dataset.state = state;
    el.className = "live " + (state === "live" ? "live-on" : state === "ended" ? "live-ended" : "live-off");
    el.textContent = text;
  }

  function connect(opts) {
    var last = null; // last event id applied (null until the first snapshot)
    var ws = null;
    var attempt = 0;
    var resuming = false;
    var pendingHead = null;
    var lastHeard = Date.now();
    var stopped = false;
    var reconnectTimer = null;
    var indicator = opts.indicator || document.getElementById("live");
    var silentMs = opts.silentMs || SILENT_MS;

    function url() {
      return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + opts.path;
    }

    function send(obj) {
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(obj));
    }

    function resume() {
      if (resuming || last === null) return;
      resuming = true;
      pendingHead = null;
      setIndicator(indicator, "catching-up", "Catching up…");
      send({ type: "resume", after: last });
    }

    function apply(frame) {
      if (last !== null && frame.id <= last) return; // already held
      if (frame.prev !== last) {
        // A gap: something between `last` and this frame never arrived. Drop it; the replay
        // brings it back in order.
        resume();
        return;
      }
      last = frame.id;
      try {
        opts.onEvent(frame);
      } catch (err) {
        console.error("live: applying event", frame.id, frame.kind, "failed", err);
      }
      // Other modules of the page (alerts.js, the rule-version banner) listen here, so one socket
      // feeds the whole screen.
      document.dispatchEvent(new CustomEvent("live:event", { detail: frame }));
    }

    function onMessage(msg) {
      lastHeard = Date.now();
      var frame;
      try {
        frame = JSON.parse(msg.data);
      } catch (err) {
        console.error("live: unreadable frame", err);
        return;
      }
      switch (frame.type) {
        case "snapshot":
          attempt = 0;
          if (
            !resuming &&
            last !== null &&
            frame.last_event_id >= last &&
            frame.last_event_id - last <= RESUME_ON_RECONNECT_MAX
          ) {
            // A reconnect: keep the screen and fetch exactly what was missed. (A snapshot that
            // answers a resume, because the client was too far behind, is applied below.)
            resume();
            return;
          }
          last = frame.last_event_id;
          resuming = false;
          pendingHead = null;
          opts.onSnapshot(frame);
          document.dispatchEvent(new CustomEvent("live:snapshot", { detail: frame }));
          setIndicator(indicator, "live", "Live");
          break;
        case "event":
          apply(frame);
          break;
        case "replayed":
          resuming = false;
          pendingHead = null;
          setIndicator(indicator, "live", "Live");
          break;
        case "heartbeat":
        case "pong":
          if (resuming || last === null) break;
          if (pendingHead !== null && last < pendingHead) {
            resume();
            break;
          }
          pendingHead = frame.last_event_id > last ? frame.last_event_id : null;
          break;
        case "error":
          console.warn("live: server refused a frame:", frame.error, frame.detail);
          if (resuming) {
            resuming = false;
          }
          break;
        default:
          break;
      }
    }

    function scheduleReconnect() {
      if (stopped || reconnectTimer) return;
      var cap = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * Math.pow(2, attempt));
      var delay = BASE_DELAY_MS / 2 + Math.random() * cap; // full jitter
      attempt += 1;
      setIndicator(indicator, "reconnecting", "Reconnecting…");
      reconnectTimer = setTimeout(function () {
        reconnectTimer = null;
        open();
      }, delay);
    }

    function open() {
      if (stopped) return;
      resuming = false;
      pendingHead = null;
      lastHeard = Date.now();
      try {
        ws = new WebSocket(url());
      } catch (err) {
        scheduleReconnect();
        return;
      }
      ws.onmessage = onMessage;
      ws.onclose = function (ev) {
        ws = null;
        if (ev.code === 4401 || ev.code === 4403) {
          stopped = true;
          setIndicator(
            indicator,
            "ended",
            ev.code === 4401 ? "Session ended: log in again" : "Not allowed: your role changed"
          );
          if (opts.onEnded) opts.onEnded(ev.code);
          return;
        }
        scheduleReconnect();
      };
      ws.onerror = function () {
        /* onclose follows and reconnects */
      };
    }

    // A silent socket is a dead socket: heartbeats stopped, so drop it and reconnect.
    var watchdog = setInterval(function () {
      if (ws && ws.readyState === WebSocket.OPEN && Date.now() - lastHeard > silentMs) {
        setIndicator(indicator, "reconnecting", "Reconnecting…");
        ws.close();
      }
    }, 2000);

    window.addEventListener("online", function () {
      if (!ws && !stopped) {
        clearTimeout(reconnectTimer);
        reconnectTimer = null;
        attempt = 0;
        open();
      }
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") send({ type: "ping" });
    });

    setIndicator(indicator, "connecting", "Connecting…");
    open();

    return {
      get lastEventId() {
        return last;
      },
      send: send,
      resume: resume,
      close: function () {
        stopped = true;
        clearInterval(watchdog);
        if (ws) ws.close();
      },
      // For tests and the status line: drop the socket as a network failure would.
      drop: function () {
        if (ws) ws.close();
      },
    };
  }

  // --- small helpers shared by the screens -------------------------------------------------

  function esc(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  /* api("POST", "/api/v1/...", body) -> Promise of {ok, status, data}; never rejects on HTTP errors. */
  function api(method, path, body) {
    var init = {
      method: method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(
      function (resp) {
        return resp
          .json()
          .catch(function () {
            return {};
          })
          .then(function (data) {
            return { ok: resp.ok, status: resp.status, data: data };
          });
      },
      function (err) {
        return { ok: false, status: 0, data: { detail: "Network error: " + err.message } };
      }
    );
  }

  /* A person-readable message out of an API error body (DispatchError or per-field errors). */
  function errorText(result) {
    var d = result.data || {};
    if (d.detail) return d.detail;
    var parts = [];
    Object.keys(d).forEach(function (k) {
      var v = Array.isArray(d[k]) ? d[k].join(" ") : typeof d[k] === "string" ? d[k] : JSON.stringify(d[k]);
      parts.push(k + ": " + v);
    });
    return parts.join("; ") || "Request failed (HTTP " + result.status + ")";
  }

  function seconds(iso) {
    return iso ? Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000)) : null;
  }

  function duration(secs) {
    if (secs === null || secs === undefined) return "–";
    var h = Math.floor(secs / 3600);
    var m = Math.floor((secs % 3600) / 60);
    var s = secs % 60;
    var mm = (h ? String(m).padStart(2, "0") : String(m)) + ":" + String(s).padStart(2, "0");
    return h ? h + ":" + mm : mm;
  }

  function clock(iso) {
    if (!iso) return "";
    var cityZone = document.body.dataset.tz || "America/Denver";
    try {
      return new Date(iso).toLocaleTimeString("en-US", { timeZone: cityZone, hour12: false });
    } catch (err) {
      return new Date(iso).toLocaleTimeString();
    }
  }

  var STATUS_LABELS = {
    NEW: "New",
    TRIAGED: "Triaged",
    PENDING: "Pending",
    DISPATCHED: "Dispatched",
    ON_SCENE: "On scene",
    CLOSED: "Closed",
    CANCELLED: "Cancelled",
    DUPLICATE: "Duplicate",
    AVAILABLE: "Available",
    EN_ROUTE: "En route",
    TRANSPORTING: "Transporting",
    OUT_OF_SERVICE: "Out of service",
  };
  var AGENCY_LABELS = { POLICE: "Police", FIRE_EMS: "Fire/EMS", ACS: "ACS" };

  function statusBadge(status) {
    return '<span class="st st-' + esc(status) + '">' + esc(STATUS_LABELS[status] || status) + "</span>";
  }

  function agencyBadge(agency) {
    return '<span class="badge ag-' + esc(agency) + '">' + esc(AGENCY_LABELS[agency] || agency) + "</span>";
  }

  function priorityBadge(p) {
    return p ? '<span class="badge p' + esc(p) + '">P' + esc(p) + "</span>" : '<span class="badge">P?</span>';
  }

  // Every ".tick[data-since]" on the page shows the time elapsed since its timestamp (waiting
  // times, time in status), refreshed each second; screens call tick() after a render.
  function tick() {
    var spans = document.querySelectorAll(".tick[data-since]");
    for (var i = 0; i < spans.length; i++) spans[i].textContent = duration(seconds(spans[i].dataset.since));
  }
  setInterval(tick, 1000);

  window.ACSLive = {
    connect: connect,
    tick: tick,
    esc: esc,
    api: api,
    errorText: errorText,
    seconds: seconds,
    duration: duration,
    clock: clock,
    statusBadge: statusBadge,
    agencyBadge: agencyBadge,
    priorityBadge: priorityBadge,
    STATUS_LABELS: STATUS_LABELS,
    AGENCY_LABELS: AGENCY_LABELS,
  };
})();

// The rule version in the top bar follows publications live (a dispatcher must know which rules
// decide the calls in front of them).
document.addEventListener("live:event", function (ev) {
  var frame = ev.detail;
  if (!frame || frame.kind !== "ruleset.published" || !frame.data) return;
  var el = document.getElementById("rules-version");
  if (!el) return;
  el.dataset.version = frame.data.version;
  el.textContent = "Rules v" + frame.data.version;
});
