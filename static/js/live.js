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
 *   says so; 4401 also locks the screen (below).
 * - The last id of each stream is also kept in sessionStorage ("acs.live.last:<path>").
 *
 * Also for every page (templates/base.html loads this file once, before the screen's script):
 * - The city's clock: clock(iso) "14:05:09", clockShort(iso) "14:05", dateTime(iso)
 *   "2026-11-25 14:05", all 24-hour in <body data-tz> (settings.CITY_TIME_ZONE), whatever the
 *   workstation's zone; the top bar's #city-clock shows the time now.
 * - The idle lock: the page knows the idle limit (#page-config, settings.SESSION_COOKIE_AGE). Every
 *   request to this site slides the server's session, so it slides the client's clock too; when the
 *   clock runs out, GET /session (which does not slide it) has the last word. A session that has
 *   ended, a socket closed with 4401 or a request answered 401/403 by a dead session locks the
 *   screen: the data is hidden under a sign-in form and the sockets close. Signing in again there
 *   keeps the page and its state, and each socket resumes from its last event id.
 */
(function () {
  "use strict";
  // base.html loads this file for every page; a screen that loads it again gets the same module.
  if (window.ACSLive) return;

  var config = (function () {
    var node = document.getElementById("page-config");
    try {
      return node ? JSON.parse(node.textContent) : {};
    } catch (err) {
      return {};
    }
  })();
  var sockets = []; // every connection of this page: the lock closes them, the unlock resumes them

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
    var retryAfterMs = 0; // issue 16: a `retry` frame's wait before the next reconnect
    var indicator = opts.indicator || document.getElementById("live");
    var silentMs = opts.silentMs || SILENT_MS;
    var storeKey = "acs.live.last:" + opts.path;

    function remember(id) {
      last = id;
      try {
        window.sessionStorage.setItem(storeKey, String(id));
      } catch (err) {
        /* private mode or full: the in-memory id still resumes this page */
      }
    }

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
      remember(frame.id);
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
          remember(frame.last_event_id);
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
        case "retry":
          // issue 16: the server is busy sending snapshots (a reconnect storm); it closes with
          // 4503 next. Wait at least what it says (already jittered) before reconnecting.
          retryAfterMs = frame.retry_after_ms || 0;
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
      if (retryAfterMs) delay = Math.max(delay, retryAfterMs + Math.random() * BASE_DELAY_MS);
      retryAfterMs = 0;
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
          if (ev.code === 4401) Lock.check(true);
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

    var connection = {
      get lastEventId() {
        return last;
      },
      get open() {
        return !!ws && ws.readyState === WebSocket.OPEN;
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
      // The idle lock: close the socket and keep `last`; wake() reconnects and the snapshot that
      // answers it turns into a resume from `last` (see onMessage), so nothing is lost.
      suspend: function () {
        stopped = true;
        clearTimeout(reconnectTimer);
        reconnectTimer = null;
        if (ws) ws.close(1000, "screen locked");
        setIndicator(indicator, "ended", "Locked");
      },
      wake: function () {
        if (!stopped) return;
        stopped = false;
        attempt = 0;
        setIndicator(indicator, "connecting", "Connecting…");
        open();
      },
    };
    sockets.push(connection);
    if (Lock.locked) connection.suspend();
    return connection;
  }

  // --- small helpers shared by the screens -------------------------------------------------

  function esc(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // The cookie first: signing in again on the lock screen rotates the token, and only the cookie
  // has the new one (the page's hidden inputs are refreshed too, see Lock.unlock).
  function csrfToken() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
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

  // --- the city's clock: one zone, 24-hour, on every screen ------------------------------------

  function cityZone() {
    return document.body.dataset.tz || config.time_zone || "UTC";
  }

  var formatters = {};
  function formatter(kind) {
    var zone = cityZone();
    var key = kind + "|" + zone;
    if (!formatters[key]) {
      var opts = { timeZone: zone, hourCycle: "h23", hour: "2-digit", minute: "2-digit" };
      if (kind !== "short") opts.second = "2-digit";
      if (kind === "date") {
        opts = { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" };
      }
      if (kind === "zone") opts.timeZoneName = "short";
      try {
        formatters[key] = new Intl.DateTimeFormat("en-US", opts);
      } catch (err) {
        // An unknown zone name: say UTC rather than show the workstation's own clock unlabelled.
        opts.timeZone = "UTC";
        formatters[key] = new Intl.DateTimeFormat("en-US", opts);
      }
    }
    return formatters[key];
  }

  function parts(date, kind) {
    var out = {};
    formatter(kind)
      .formatToParts(date)
      .forEach(function (p) {
        out[p.type] = p.value;
      });
    return out;
  }

  function toDate(value) {
    var d = value instanceof Date ? value : new Date(value);
    return isNaN(d.getTime()) ? null : d;
  }

  /* "14:05:09" on the city's clock (24-hour); "" for no or a bad time. */
  function clock(iso) {
    var d = iso ? toDate(iso) : null;
    if (!d) return "";
    var p = parts(d, "long");
    return p.hour + ":" + p.minute + ":" + p.second;
  }

  /* "14:05" on the city's clock. */
  function clockShort(iso) {
    var d = iso ? toDate(iso) : null;
    if (!d) return "";
    var p = parts(d, "short");
    return p.hour + ":" + p.minute;
  }

  /* "2026-11-25 14:05" on the city's clock: history tables, printed records. */
  function dateTime(iso) {
    var d = iso ? toDate(iso) : null;
    if (!d) return "";
    var p = parts(d, "date");
    return p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute;
  }

  /* The zone's short name now ("MST", "MDT"), for labels. */
  function zoneName(iso) {
    var d = iso ? toDate(iso) : new Date();
    return (d && parts(d, "zone").timeZoneName) || cityZone();
  }

  function cityClockTick() {
    var el = document.getElementById("city-clock");
    if (!el) return;
    var now = new Date();
    el.dateTime = now.toISOString();
    el.textContent = clock(now) + " " + zoneName(now);
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
  setInterval(function () {
    tick();
    cityClockTick();
  }, 1000);
  cityClockTick();

  // --- the idle lock ---------------------------------------------------------------------------

  var nativeFetch = window.fetch.bind(window);

  function sameOrigin(url) {
    try {
      return new URL(url, location.href).origin === location.origin;
    } catch (err) {
      return false;
    }
  }

  var Lock = {
    locked: false,
    enabled: !!config.idle_seconds,
    expiresAt: Date.now() + (config.idle_seconds || 0) * 1000,
    checking: null,

    // A request reached the server with the session: the server slid it, so slide ours.
    touch: function () {
      if (!Lock.locked) Lock.expiresAt = Date.now() + config.idle_seconds * 1000;
    },

    // Ask the server (without sliding the session) whether it is still alive; lock if not.
    // `fresh`: the caller has just seen a sign that the session ended (a 401, a 4401). A check
    // already in flight may have left before that sign and answer "alive": ask once more after it.
    check: function (fresh) {
      if (!Lock.enabled || Lock.locked) return Promise.resolve(!Lock.locked);
      if (Lock.checking) {
        if (!fresh) return Lock.checking;
        return Lock.checking.then(function (alive) {
          return alive ? Lock.check() : false;
        });
      }
      Lock.checking = nativeFetch(config.session_url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        cache: "no-store",
      })
        .then(function (resp) {
          return resp.json();
        })
        .then(
          function (body) {
            if (body.authenticated && body.username === config.username && body.expires_in > 0) {
              Lock.expiresAt = Date.now() + body.expires_in * 1000;
              return true;
            }
            Lock.engage();
            return false;
          },
          function () {
            // The server is unreachable: keep the screen (a CAD screen must outlive a network
            // blip) and ask again shortly.
            Lock.expiresAt = Date.now() + 5000;
            return true;
          }
        )
        .finally(function () {
          Lock.checking = null;
        });
      return Lock.checking;
    },

    engage: function () {
      if (Lock.locked) return;
      Lock.locked = true;
      sockets.forEach(function (s) {
        s.suspend();
      });
      var tpl = document.getElementById("lock-template");
      // Hidden, not dimmed: nothing of the call data stays readable behind the lock.
      document.body.classList.add("locked");
      ["main", ".topbar nav", ".topbar .who .user"].forEach(function (sel) {
        var node = document.querySelector(sel);
        if (node) {
          node.hidden = true;
          node.setAttribute("inert", "");
        }
      });
      Lock.title = document.title;
      document.title = "Locked · " + document.title;
      if (tpl) {
        document.body.appendChild(tpl.content.cloneNode(true));
        var form = document.getElementById("lock-form");
        document.getElementById("lock-username").value = config.username || "";
        if (config.mfa) document.getElementById("lock-otp-field").hidden = false; // two-factor sign-in
        var link = document.getElementById("lock-login-link");
        link.href = config.login_url + "?next=" + encodeURIComponent(location.pathname + location.search);
        form.addEventListener("submit", Lock.submit);
        document.getElementById(config.username ? "lock-password" : "lock-username").focus();
      }
      document.dispatchEvent(new CustomEvent("live:locked"));
    },

    submit: function (ev) {
      ev.preventDefault();
      var form = ev.target;
      var username = form.username.value.trim();
      var error = document.getElementById("lock-error");
      var button = document.getElementById("lock-submit");
      button.disabled = true;
      error.hidden = true;
      var password = form.password.value;
      if (config.mfa && username === config.username && !form.otp.value.trim()) {
        // Without the code the server would only start the two-step sign-in: ask for it here.
        error.textContent = "Enter the code your authenticator app shows.";
        error.hidden = false;
        button.disabled = false;
        form.otp.focus();
        return;
      }
      // The CSRF cookie may be gone with the session's cookies: the sign-in page sets a fresh one.
      var ready = /(?:^|; )csrftoken=/.test(document.cookie)
        ? Promise.resolve()
        : nativeFetch(config.login_url, { credentials: "same-origin" });
      ready
        .then(function () {
          var body = new URLSearchParams({ username: username, password: password, csrfmiddlewaretoken: csrfToken() });
          if (form.otp && !document.getElementById("lock-otp-field").hidden) body.set("otp", form.otp.value.trim());
          // redirect "manual": a successful sign-in answers with a redirect, a refused one with the
          // form again (200) or the lockout page (django-axes: 429).
          return nativeFetch(config.login_url, { method: "POST", body: body, credentials: "same-origin", redirect: "manual" });
        })
        .then(function (resp) {
          if (resp.type === "opaqueredirect" || (resp.status >= 300 && resp.status < 400)) {
            if (username !== config.username) {
              // Another person: the screen is theirs only after a fresh load.
              location.reload();
              return;
            }
            Lock.unlock();
            return;
          }
          form.password.value = "";
          if (form.otp) form.otp.value = "";
          error.textContent =
            resp.status === 200
              ? config.mfa
                ? "Wrong username, password or code."
                : "Wrong username or password."
              : resp.status === 429
                ? "Too many failed sign-ins: this account is locked here (an admin can unlock it from the Locked accounts screen), or this address must wait a minute."
                : "The sign-in was refused (HTTP " + resp.status + "): use the sign-in page below.";
          error.hidden = false;
          form.password.focus();
        })
        .catch(function (err) {
          error.textContent = "The server did not answer (" + err.message + "); try again.";
          error.hidden = false;
        })
        .finally(function () {
          button.disabled = false;
        });
    },

    unlock: function () {
      var token = csrfToken();
      document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) {
        input.value = token;
      });
      document.querySelectorAll("[data-csrf]").forEach(function (node) {
        node.setAttribute("data-csrf", token);
      });
      var screen = document.getElementById("lock-screen");
      if (screen) screen.remove();
      document.body.classList.remove("locked");
      ["main", ".topbar nav", ".topbar .who .user"].forEach(function (sel) {
        var node = document.querySelector(sel);
        if (node) {
          node.hidden = false;
          node.removeAttribute("inert");
        }
      });
      if (Lock.title) document.title = Lock.title;
      Lock.locked = false;
      Lock.touch();
      sockets.forEach(function (s) {
        s.wake();
      });
      document.dispatchEvent(new CustomEvent("live:unlocked"));
    },
  };

  if (Lock.enabled) {
    // Every script's requests to this site pass here: each one slid the server's session, and a
    // 401/403 may mean the session is gone. The CSRF header gets the cookie's current token, which
    // changes when someone signs in again on the lock screen (screens keep the one they loaded).
    window.fetch = function (input, init) {
      var url = typeof input === "string" ? input : input && input.url;
      if (!sameOrigin(url)) return nativeFetch(input, init);
      if (init && init.headers) {
        if (init.headers instanceof Headers) {
          if (init.headers.has("X-CSRFToken")) init.headers.set("X-CSRFToken", csrfToken());
        } else if (Object.prototype.hasOwnProperty.call(init.headers, "X-CSRFToken")) {
          init.headers["X-CSRFToken"] = csrfToken();
        }
      }
      return nativeFetch(input, init).then(function (resp) {
        if (resp.status === 401 || resp.status === 403) Lock.check(true);
        else Lock.touch();
        return resp;
      });
    };
    setInterval(function () {
      if (!Lock.locked && Date.now() >= Lock.expiresAt) Lock.check();
    }, 1000);
    // A laptop waking from sleep: its timers were frozen, so ask at once.
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") Lock.check();
    });
  }

  window.ACSLive = {
    connect: connect,
    tick: tick,
    esc: esc,
    api: api,
    errorText: errorText,
    seconds: seconds,
    duration: duration,
    clock: clock,
    clockShort: clockShort,
    dateTime: dateTime,
    zoneName: zoneName,
    cityZone: cityZone,
    csrfToken: csrfToken,
    lock: Lock,
    statusBadge: statusBadge,
    agencyBadge: agencyBadge,
    priorityBadge: priorityBadge,
    STATUS_LABELS: STATUS_LABELS,
    AGENCY_LABELS: AGENCY_LABELS,
  };

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
})();
