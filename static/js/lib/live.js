// The live client: one websocket per screen stream (DESIGN.md, "Websockets").
//
//   import { connect } from "./lib/live.js";
//   const live = connect({
//     path: "/ws/dispatch/",            // the stream (calls/consumers.py has the protocol)
//     indicator: element,               // shows "Live" / "Reconnecting…" (text + colour, aria-live)
//     onSnapshot(snapshot) {},          // replace the whole screen state
//     onEvent(frame) {},                // apply one event: {id, prev, kind, data, ...}
//   });
//
// Guarantees to the screen: events arrive once each, in id order, with nothing missing.
// - The server sends {"type": "snapshot", "last_event_id": n, ...} first, then
//   {"type": "event", "id": n, "prev": p, "kind": "...", "data": {...}} frames. `prev` is the
//   previous event id ON THIS STREAM. A frame whose prev is not the last id held means a push was
//   lost (or overtaken): the frame is dropped and {"type": "resume", "after": last} asks the server
//   for everything after `last`, from the Event table; {"type": "replayed"} ends the replay.
// - Frames with id <= last are duplicates (snapshot or replay already held them) and are dropped.
// - The server sends a heartbeat every ~10 s with the stream's head. Silence for SILENT_MS means a
//   dead socket (a tunnel, a sleeping laptop): it is closed and reconnected. A head that stays
//   ahead of `last` across two heartbeats means a lost push on a quiet stream: resume.
// - Reconnect uses exponential backoff with full jitter (0.5 s doubling to 15 s), so a floor of
//   consoles does not reconnect in lockstep after a server restart. A reconnect opens the socket
//   with ?after=<last id>: the server sends only the missed events, then "replayed" (the screen's
//   history, alerts and timers survive); a client too far behind gets a fresh snapshot instead.
// - Close codes 4401 (session ended) and 4403 (role not allowed) stop reconnecting: the screen
//   says so; 4401 also locks the screen (lib/lock.js).
// - The last id of each stream is also kept in sessionStorage ("acs.live.last:<path>").
// - Every applied frame is re-emitted on `document` as CustomEvent "live:event" (and snapshots as
//   "live:snapshot"), so other modules of the page (the alerts tray, the rule version) share the
//   screen's one socket.
import { lock } from "./lock.js";

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 15000;
const SILENT_MS = 25000;
const RESUME_ON_RECONNECT_MAX = 500; // further behind than this: take the fresh snapshot

function setIndicator(el, state, text) {
  if (!el) return;
  el.dataset.state = state;
  el.className = `live ${state === "live" ? "live-on" : state === "ended" ? "live-ended" : "live-off"}`;
  el.textContent = text;
}

export function connect(opts) {
  let last = null; // last event id applied (null until the first snapshot)
  let ws = null;
  let attempt = 0;
  let resuming = false;
  let pendingHead = null;
  let lastHeard = Date.now();
  let stopped = false;
  let reconnectTimer = null;
  let retryAfterMs = 0; // a `retry` frame's wait before the next reconnect (issue 16)
  const indicator = opts.indicator || document.getElementById("live");
  const silentMs = opts.silentMs || SILENT_MS;
  const storeKey = `acs.live.last:${opts.path}`;

  function remember(id) {
    last = id;
    try {
      window.sessionStorage.setItem(storeKey, String(id));
    } catch (err) {
      /* private mode or full: the in-memory id still resumes this page */
    }
  }

  function url() {
    const base = `${location.protocol === "https:" ? "wss://" : "ws://"}${location.host}${opts.path}`;
    // A reconnect says what it holds: the server sends only what was missed (from memory when it
    // can), or a snapshot when the client is too far behind. No snapshot per console in a storm.
    return last === null ? base : `${base}?after=${last}`;
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
    document.dispatchEvent(new CustomEvent("live:event", { detail: frame }));
  }

  function onMessage(msg) {
    lastHeard = Date.now();
    let frame;
    try {
      frame = JSON.parse(msg.data);
    } catch (err) {
      console.error("live: unreadable frame", err);
      return;
    }
    switch (frame.type) {
      case "snapshot":
        attempt = 0;
        if (!resuming && last !== null && frame.last_event_id >= last && frame.last_event_id - last <= RESUME_ON_RECONNECT_MAX) {
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
        // The server is busy sending snapshots (a reconnect storm) and closes with 4503 next:
        // wait at least what it says (already jittered) before reconnecting.
        retryAfterMs = frame.retry_after_ms || 0;
        break;
      case "error":
        console.warn("live: server refused a frame:", frame.error, frame.detail);
        resuming = false;
        break;
      default:
        break;
    }
  }

  function scheduleReconnect() {
    if (stopped || reconnectTimer) return;
    const cap = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
    let delay = BASE_DELAY_MS / 2 + Math.random() * cap; // full jitter
    if (retryAfterMs) delay = Math.max(delay, retryAfterMs + Math.random() * BASE_DELAY_MS);
    retryAfterMs = 0;
    attempt += 1;
    setIndicator(indicator, "reconnecting", "Reconnecting…");
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      open();
    }, delay);
  }

  function open() {
    if (stopped) return;
    // Reconnecting with ?after=last is a resume: "replayed" (or a snapshot, if too far behind) ends it.
    resuming = last !== null;
    pendingHead = null;
    lastHeard = Date.now();
    try {
      ws = new WebSocket(url());
    } catch (err) {
      scheduleReconnect();
      return;
    }
    ws.onmessage = onMessage;
    ws.onclose = (ev) => {
      ws = null;
      if (ev.code === 4401 || ev.code === 4403) {
        stopped = true;
        setIndicator(indicator, "ended", ev.code === 4401 ? "Session ended: log in again" : "Not allowed: your role changed");
        if (opts.onEnded) opts.onEnded(ev.code);
        if (ev.code === 4401) lock.check(true);
        return;
      }
      scheduleReconnect();
    };
    ws.onerror = () => {
      /* onclose follows and reconnects */
    };
  }

  // A silent socket is a dead socket: heartbeats stopped, so drop it and reconnect.
  const watchdog = setInterval(() => {
    if (ws && ws.readyState === WebSocket.OPEN && Date.now() - lastHeard > silentMs) {
      setIndicator(indicator, "reconnecting", "Reconnecting…");
      ws.close();
    }
  }, 2000);

  window.addEventListener("online", () => {
    if (!ws && !stopped) {
      clearTimeout(reconnectTimer);
      reconnectTimer = null;
      attempt = 0;
      open();
    }
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") send({ type: "ping" });
  });

  setIndicator(indicator, "connecting", "Connecting…");
  open();

  const connection = {
    get lastEventId() {
      return last;
    },
    get open() {
      return !!ws && ws.readyState === WebSocket.OPEN;
    },
    send,
    resume,
    close() {
      stopped = true;
      clearInterval(watchdog);
      if (ws) ws.close();
    },
    // For tests and the status line: drop the socket as a network failure would.
    drop() {
      if (ws) ws.close();
    },
    // The idle lock: close the socket and keep `last`; wake() reconnects with ?after=last, so
    // nothing is lost.
    suspend() {
      stopped = true;
      clearTimeout(reconnectTimer);
      reconnectTimer = null;
      if (ws) ws.close(1000, "screen locked");
      setIndicator(indicator, "ended", "Locked");
    },
    wake() {
      if (!stopped) return;
      stopped = false;
      attempt = 0;
      setIndicator(indicator, "connecting", "Connecting…");
      open();
    },
  };
  lock.register(connection);
  return connection;
}
