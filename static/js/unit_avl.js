import "./lib/page.js"; // window.ACSLive (page.js, once per page) before this script runs, whatever the tag order
// Hook of issue 13 on the unit dashboard (static/js/unit.js): the tablet's AVL, with consent.
import { avlAttach } from "./avl.js";

const screen = document.getElementById("unit-screen");
if (screen && document.getElementById("avl-toggle")) {
  avlAttach({
    callSign: screen.dataset.callSign,
    button: document.getElementById("avl-toggle"),
    status: document.getElementById("avl-status"),
    onDuty: () => (window.ACSUnitOnDuty ? window.ACSUnitOnDuty() : false),
    api: window.ACSLive.api, // the old {ok, status, data} contract (lib/legacy.js)
  });
}
