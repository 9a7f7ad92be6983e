// Address type-ahead for call intake (issue 13): candidates from GET /api/v1/geocode as the
// call-taker types, in a listbox picked from the keyboard (aria-activedescendant, as the call-type
// combobox), each with its kind in words and its zone. A map point is described by reverse
// geocoding; a call whose address found nothing is placed by a map pick.

import { h, replace } from "./lib/dom.js";

const KIND_LABELS = { address: "Address", intersection: "Corner", place: "Place" };
const DEBOUNCE_MS = 120;

function zoneText(c) {
  return c.zone ? `zone ${c.zone}` : "outside the service area";
}

async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!response.ok) return null;
  return response.json();
}

/**
 * Attach the type-ahead to an address input.
 * @param {object} o input, list (ul), status (live region), url (geocode API), onPick(candidate),
 *   onUnpick() when the text no longer matches the picked candidate.
 */
export function geocodeAttach({ input, list, status, url, onPick, onUnpick }) {
  let results = [];
  let active = -1;
  let timer = null;
  let seq = 0;
  let picked = null;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);

  function render() {
    replace(
      list,
      results.map((c, i) =>
        h(
          "li",
          { role: "option", id: `${list.id}-opt-${i}`, dataset: { i: String(i) }, "aria-selected": String(i === active), class: i === active ? "active" : "" },
          h("span", { class: "geo-kind" }, KIND_LABELS[c.kind] || c.kind),
          ` ${c.label} `,
          h("span", { class: "geo-zone" }, `· ${zoneText(c)}`)
        )
      )
    );
    const open = results.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", String(open));
    if (active >= 0) input.setAttribute("aria-activedescendant", `${list.id}-opt-${active}`);
    else input.removeAttribute("aria-activedescendant");
  }

  function close() {
    results = [];
    active = -1;
    render();
  }

  function pick(c) {
    picked = c;
    input.value = c.label;
    status.textContent = `Located: ${c.label}, ${zoneText(c)} (${(KIND_LABELS[c.kind] || c.kind).toLowerCase()}).`;
    close();
    if (onPick) onPick(c);
  }

  async function search() {
    const q = input.value.trim();
    const mine = ++seq;
    if (q.length < 3) { close(); return; }
    const body = await getJson(`${url}?${new URLSearchParams({ q })}`).catch(() => null);
    if (mine !== seq || !body) return;
    results = body.results || [];
    active = -1;
    render();
    if (!results.length && q.length >= 6) {
      status.textContent = "No match: the call is saved with the address as typed and flagged unverified; click the map to place it.";
    } else if (!picked) {
      status.textContent = results.length ? `${results.length} matches: ↓ to choose, Enter to pick.` : "";
    }
  }

  input.addEventListener("input", () => {
    if (picked && input.value !== picked.label) {
      picked = null;
      status.textContent = "";
      if (onUnpick) onUnpick();
    }
    clearTimeout(timer);
    timer = setTimeout(search, DEBOUNCE_MS);
  });

  input.addEventListener("keydown", (e) => {
    const open = !list.hidden;
    if (e.key === "ArrowDown") {
      e.preventDefault();
      if (!open) { search(); return; }
      active = Math.min(active + 1, results.length - 1);
      render();
    } else if (e.key === "ArrowUp" && open) {
      e.preventDefault();
      if (active > 0) active -= 1;
      render();
    } else if (e.key === "Enter" && open) {
      // Enter picks the highlighted candidate (or the first); the next Enter saves the call.
      e.preventDefault();
      pick(results[active >= 0 ? active : 0]);
    } else if (e.key === "Escape" && open) {
      e.preventDefault();
      close();
    } else if (e.key === "Tab" && open && active >= 0) {
      pick(results[active]);
    }
  });

  input.addEventListener("blur", () => setTimeout(close, 150));
  list.addEventListener("mousedown", (e) => {
    const li = e.target.closest("li[data-i]");
    if (!li) return;
    e.preventDefault();
    pick(results[Number(li.dataset.i)]);
  });

  return {
    reset() { picked = null; status.textContent = ""; close(); },
    say(text) { status.textContent = text; },
  };
}

/** The nearest address or corner to a point (for a map pick), or null. */
export async function geocodeReverse(url, lat, lon) {
  const body = await getJson(`${url}?${new URLSearchParams({ lat, lon })}`).catch(() => null);
  return body && body.results && body.results.length ? body.results[0] : null;
}

/** Place a saved call whose address found nothing (POST calls/{id}/location). */
export async function callLocate(url, csrf, lat, lon) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify({ lat: Number(lat.toFixed(6)), lon: Number(lon.toFixed(6)) }),
  });
  return response.ok ? response.json() : null;
}

export function zoneDescribe(c) {
  return zoneText(c);
}
