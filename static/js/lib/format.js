// Times on the city's clock (24-hour, in the zone of the page config, whatever the workstation's
// own zone), durations and ages. The zone: <body data-tz> (every page, the sign-in page too), else
// the page config's time_zone.
import { config } from "./config.js";

export function cityZone() {
  return document.body.dataset.tz || config.time_zone || "UTC";
}

const formatters = {};
function formatter(kind) {
  const zone = cityZone();
  const key = `${kind}|${zone}`;
  if (!formatters[key]) {
    let opts = { timeZone: zone, hourCycle: "h23", hour: "2-digit", minute: "2-digit" };
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
  const out = {};
  for (const p of formatter(kind).formatToParts(date)) out[p.type] = p.value;
  return out;
}

function toDate(value) {
  if (!value) return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/* "14:05:09" on the city's clock; "" for no or a bad time. */
export function clock(iso) {
  const d = toDate(iso);
  if (!d) return "";
  const p = parts(d, "long");
  return `${p.hour}:${p.minute}:${p.second}`;
}

/* "14:05" on the city's clock. */
export function clockShort(iso) {
  const d = toDate(iso);
  if (!d) return "";
  const p = parts(d, "short");
  return `${p.hour}:${p.minute}`;
}

/* "2026-11-25 14:05" on the city's clock: history tables, printed records. */
export function dateTime(iso) {
  const d = toDate(iso);
  if (!d) return "";
  const p = parts(d, "date");
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/* The zone's short name at that time ("MST", "MDT"), for labels. */
export function zoneName(iso) {
  const d = iso ? toDate(iso) : new Date();
  return (d && parts(d, "zone").timeZoneName) || cityZone();
}

/* Whole seconds since `iso` (never negative); null for no time. */
export function age(iso) {
  return iso ? Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000)) : null;
}

/* 75 -> "1:15", 3725 -> "1:02:05", null -> "–". */
export function duration(secs) {
  if (secs === null || secs === undefined) return "–";
  const h = Math.floor(secs / 3600);
  const m = Math.floor((secs % 3600) / 60);
  const s = secs % 60;
  const mm = `${h ? String(m).padStart(2, "0") : String(m)}:${String(s).padStart(2, "0")}`;
  return h ? `${h}:${mm}` : mm;
}

// Every ".tick[data-since]" on the page shows the time elapsed since its timestamp (waiting
// times, time in status). lib/page.js refreshes them each second; a screen calls tick() after it
// draws new ones so they never show empty.
export function tick(root = document) {
  for (const span of root.querySelectorAll(".tick[data-since]")) {
    const text = duration(age(span.dataset.since));
    if (span.textContent !== text) span.textContent = text;
  }
}

/* A comparator from a sort spec of the server ([{field, descending, missing}], see
 * acs_dispatch/page_config.py QUEUE_ORDER): booleans and numbers compare as numbers, ISO times as
 * times, other values as text. */
export function sortBy(spec) {
  const value = (row, s) => {
    const v = row[s.field];
    if (v === null || v === undefined) return s.missing ?? null;
    if (typeof v === "boolean") return v ? 1 : 0;
    if (typeof v === "string" && /^\d{4}-\d\d-\d\dT/.test(v)) return Date.parse(v);
    return v;
  };
  return (a, b) => {
    for (const s of spec) {
      const x = value(a, s);
      const y = value(b, s);
      if (x === y) continue;
      const order = x === null ? 1 : y === null ? -1 : x < y ? -1 : 1;
      return s.descending ? -order : order;
    }
    return 0;
  };
}

/* "2026-11-25": the date on the city's clock. */
export function date(iso) {
  return dateTime(iso).slice(0, 10);
}
