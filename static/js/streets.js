// The street layer (issue 13): the imported centerlines drawn as vectors, no tile server. Each map
// view asks GET /api/v1/streets?bbox= for the lines inside it (simplified to the view's scale,
// major roads first when the view is wide) after the map stops moving.

const STYLE = {
  Primary: { color: "#8b98a5", weight: 3, opacity: 0.9 },
  Secondary: { color: "#6e7b88", weight: 2, opacity: 0.85 },
  Local: { color: "#56616c", weight: 1, opacity: 0.8 },
};

export function streetsLayerAttach(map, url) {
  const L = window.L;
  url = url || map.getContainer().dataset.streets || "/api/v1/streets";
  // Below the markers: a pane of its own, never in the tab order, never catching clicks.
  if (!map.getPane("streets")) {
    const pane = map.createPane("streets");
    pane.style.zIndex = 350;
    pane.style.pointerEvents = "none";
  }
  const layer = L.geoJSON(null, {
    pane: "streets",
    interactive: false,
    style: (f) => STYLE[f.properties.class] || STYLE.Local,
  }).addTo(map);
  let seq = 0;
  let timer = null;

  async function load() {
    const b = map.getBounds();
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(5)).join(",");
    const mine = ++seq;
    try {
      const response = await fetch(`${url}?bbox=${bbox}`, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok || mine !== seq) return;
      const data = await response.json();
      if (mine !== seq) return;
      layer.clearLayers();
      layer.addData(data);
    } catch (err) {
      // The street layer is decoration: a failed fetch leaves the zones and markers as they are.
    }
  }

  map.on("moveend", () => { clearTimeout(timer); timer = setTimeout(load, 150); });
  if (map._loaded) load();
  else map.whenReady(load);
  return layer;
}
