// Interim bridge (merge of main into ife): the report screens of issue 14 (kpis.js, history.js,
// audit.js, facilities.js) were written against the old window.ACSLive of static/js/live.js. Until
// they are rewritten on lib/, this module hands them the few helpers they use, built on lib/.
// New code imports lib/ directly; do not grow this.
import { ApiError, api, errorText as apiErrorText } from "./api.js";
import { agencyLabel, statusLabel } from "./config.js";
import { clock, clockShort, dateTime, duration } from "./format.js";

function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

// The old contract: api(method, path, body) -> Promise of {ok, status, data}, never rejecting.
function legacyApi(method, path, body) {
  return api(path, { method, body }).then(
    (data) => ({ ok: true, status: 200, data: data ?? {} }),
    (err) => (err instanceof ApiError ? { ok: false, status: err.status, data: err.body, error: err } : { ok: false, status: 0, data: { detail: String(err) } })
  );
}

function errorText(result) {
  return result && result.error ? apiErrorText(result.error) : (result && result.data && result.data.detail) || `Request failed (HTTP ${result ? result.status : "?"})`;
}

export const legacyHelpers = Object.freeze({
  esc,
  api: legacyApi,
  errorText,
  clock,
  clockShort,
  dateTime,
  duration,
  statusBadge: (s) => `<span class="st st-${esc(s)}">${esc(statusLabel(s))}</span>`,
  agencyBadge: (a) => `<span class="badge ag-${esc(a)}">${esc(agencyLabel(a))}</span>`,
});
