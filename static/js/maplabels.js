// Unit labels that never overlap (issue 13). Busy units carry permanent labels; where two would
// overlap (units bunched at one scene), the later one is hidden until the map is zoomed in or the
// units spread out, and still shows on hover. Call pins (◆ and their number) are placed first.
// The tables beside the map carry the same information as text.

export function labelsDeclutter(map) {
  const container = map.getContainer();
  let scheduled = false;

  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  function run() {
    scheduled = false;
    const placed = [...container.querySelectorAll(".leaflet-marker-pane .call-pin")].map((el) => el.getBoundingClientRect());
    const labels = [...container.querySelectorAll(".leaflet-tooltip-pane .leaflet-tooltip.unit-label")];
    for (const el of labels) {
      el.style.visibility = "";
      const rect = el.getBoundingClientRect();
      if (!rect.width) continue;
      if (placed.some((p) => overlaps(p, rect))) {
        el.style.visibility = "hidden";
        el.dataset.declutter = "hidden";
      } else {
        delete el.dataset.declutter;
        placed.push(rect);
      }
    }
  }

  function soon() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(run);
  }

  map.on("zoomend moveend", soon);
  // Markers move and labels change as events arrive: re-place after each batch of changes.
  const observer = new MutationObserver(soon);
  for (const pane of [map.getPane("tooltipPane"), map.getPane("markerPane")]) {
    if (pane) observer.observe(pane, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ["style"] });
  }
  soon();
  return { run };
}
