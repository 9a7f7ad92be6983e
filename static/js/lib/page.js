// What every page runs once (templates/base.html loads it before the screen's module): the city's
// clock in the top bar, the ticking ages (".tick[data-since]"), the idle lock, and the rule
// version of the top bar following publications live.
import { ApiError, api } from "./api.js";
import { clock, clockShort, dateTime, tick, zoneName } from "./format.js";
import { lock, lockStart } from "./lock.js";
import { legacyHelpers } from "./legacy.js"; // the helpers the issue-14 report scripts read from window.ACSLive

function cityClockTick() {
  const el = document.getElementById("city-clock");
  if (!el) return;
  const now = new Date();
  el.dateTime = now.toISOString();
  el.textContent = `${clock(now)} ${zoneName(now)}`;
}

setInterval(() => {
  tick();
  cityClockTick();
}, 1000);
cityClockTick();
lockStart();

// A dispatcher must know which rules decide the calls in front of them.
document.addEventListener("live:event", (ev) => {
  const frame = ev.detail;
  if (!frame || frame.kind !== "ruleset.published" || !frame.data) return;
  const el = document.getElementById("rules-version");
  if (!el) return;
  el.dataset.version = frame.data.version;
  el.textContent = `Rules v${frame.data.version}`;
});

// The one window global: a hook for the browser tests (tests/e2e/test_clock.py, test_lock.py),
// which call the city's clock and the API from the page. Screens import from lib/ instead.
window.ACSLive = Object.freeze({
  ...legacyHelpers,
  clock,
  clockShort,
  dateTime,
  zoneName,
  lock,
  /* api(method, path, body) -> {ok, status, data}; never rejects (the tests' shape). */
  api(method, path, body) {
    return api(path, { method, body }).then(
      (data) => ({ ok: true, data }),
      (err) => ({ ok: false, status: err instanceof ApiError ? err.status : 0, data: err.body || {} })
    );
  },
});
