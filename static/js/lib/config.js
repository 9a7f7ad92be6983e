// The page's configuration, rendered by the server with json_script as #page-config
// (acs_dispatch/page_config.py: time zone, idle limit, role, labels, status groups, queue order,
// navigation). Pages without a signed-in user have none: every field then reads as empty.
function read() {
  const node = document.getElementById("page-config");
  if (!node) return {};
  try {
    return JSON.parse(node.textContent) || {};
  } catch (err) {
    console.error("page-config: unreadable", err);
    return {};
  }
}

export const config = Object.freeze(read());

const labels = config.labels || {};
const groups = config.status_groups || {};

/* "On scene" for ON_SCENE, whether a call's or a unit's status. */
export function statusLabel(status) {
  return (labels.call_status || {})[status] || (labels.unit_status || {})[status] || status || "";
}

/* The agency's short name for badges ("Fire/EMS"); agencyName gives the full one. */
export function agencyLabel(code) {
  return (labels.agency || {})[code] || code || "";
}

export function agencyName(code) {
  return (labels.agency_name || {})[code] || agencyLabel(code);
}

/* A status group of the server (call_waiting, call_active, call_open, unit_order) as a list. */
export function statusGroup(name) {
  return groups[name] || [];
}

/* The agencies in the order of the server's enum. */
export function agencies() {
  return config.agencies || [];
}
