// Hooks of issue 13 on the supervisor's map (static/js/supervisor.js exposes it): the street layer
// from the imported centerlines and unit labels that never overlap.
import { labelsDeclutter } from "./maplabels.js";
import { streetsLayerAttach } from "./streets.js";

const map = window.ACSSupervisorMap;
if (map) {
  streetsLayerAttach(map);
  labelsDeclutter(map);
}
