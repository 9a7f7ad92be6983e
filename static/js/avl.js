// AVL from the unit's tablet (issue 13): with the responder's consent, the browser's position is
// read continuously and sent every AVL_SEND_MS while the unit is on duty (any status but Out of
// service), batched: fixes that could not be sent (no signal) go with the next batch; the server
// drops what is out of order or stale. Consent is asked by a button, remembered on this tablet
// for this unit, and can be withdrawn at any time.

const AVL_SEND_MS = 10000; // within the 5-15 s the dispatch floor asked for
const MAX_QUEUE = 60; // ten minutes of fixes at most, the server's AVL_MAX_FIX_AGE

export function avlAttach({ callSign, button, status, onDuty, api }) {
  const key = `acs-avl-consent-${callSign}`;
  let watch = null;
  let latest = null; // the newest position the browser gave, not yet queued
  let queue = [];
  let timer = null;
  let sentAt = null;

  function say(text) { status.textContent = text; }

  function describe() {
    if (!("geolocation" in navigator)) return say("Location sharing: this device cannot give its position.");
    if (watch === null) return say("Location sharing: off. Dispatch sees the unit where it last reported.");
    const last = sentAt ? `last sent ${sentAt.toLocaleTimeString("en-US", { hour12: false })}` : "waiting for a position";
    say(`Location sharing: on (${onDuty() ? last : "paused: out of service"}).`);
  }

  async function send() {
    if (watch === null) return;
    if (latest && onDuty()) {
      queue.push(latest);
      latest = null;
    }
    queue = queue.slice(-MAX_QUEUE);
    if (!queue.length || !onDuty()) { describe(); return; }
    const batch = queue;
    const result = await api("POST", `/api/v1/units/${encodeURIComponent(callSign)}/positions`, { positions: batch });
    if (result.ok || result.status === 400) {
      // Sent (or refused for good: resending a bad fix would fail again).
      queue = queue.slice(batch.length);
      if (result.ok) sentAt = new Date();
    }
    describe();
  }

  function start() {
    if (!("geolocation" in navigator) || watch !== null) return;
    watch = navigator.geolocation.watchPosition(
      (p) => {
        latest = {
          lat: Number(p.coords.latitude.toFixed(6)),
          lon: Number(p.coords.longitude.toFixed(6)),
          at: new Date(p.timestamp).toISOString(),
          speed: p.coords.speed == null || Number.isNaN(p.coords.speed) ? null : p.coords.speed,
          heading: p.coords.heading == null || Number.isNaN(p.coords.heading) ? null : p.coords.heading,
        };
      },
      (err) => {
        if (err.code === err.PERMISSION_DENIED) { stop(); say("Location sharing: the browser refused the position. Allow it in the browser's settings."); }
      },
      { enableHighAccuracy: true, maximumAge: 5000, timeout: 20000 },
    );
    timer = setInterval(send, AVL_SEND_MS);
    localStorage.setItem(key, "yes");
    button.setAttribute("aria-pressed", "true");
    button.textContent = "Stop sharing location";
    describe();
  }

  function stop() {
    if (watch !== null) navigator.geolocation.clearWatch(watch);
    watch = null;
    clearInterval(timer);
    queue = [];
    latest = null;
    localStorage.removeItem(key);
    button.setAttribute("aria-pressed", "false");
    button.textContent = "Share location with dispatch";
    describe();
  }

  button.addEventListener("click", () => (watch === null ? start() : stop()));
  if (localStorage.getItem(key) === "yes") start();
  else stop();
  return { start, stop, send };
}
