import "./lib/page.js"; // window.ACSLive (page.js, once per page) before this script runs, whatever the tag order
/* Facilities and their beds (issue 14) on the ACS unit dashboard and the supervisor's board and map.
 * Reads GET /api/v1/facilities, follows facility.beds_updated pushes (live:event) and re-reads every
 * two minutes; a supervisor saves beds free with POST /api/v1/facilities/{id}/beds. Beds are shown
 * as text AND colour ("Full", "3 of 16 free"). */
(function () {
  "use strict";
  var L = window.ACSLive;
  var esc = L.esc;
  var $ = function (id) {
    return document.getElementById(id);
  };
  var panel = document.querySelector(".facilities");
  var canUpdate = panel && panel.dataset.canUpdate === "1";
  var facilities = {};
  var markers = {};
  var map = window.ACSSupervisorMap || null;

  function bedsText(f) {
    if (!f.updated_at) return "not reported";
    return f.beds_free === 0 ? "Full (0 of " + f.capacity + ")" : f.beds_free + " of " + f.capacity + " free";
  }

  function bedsClass(f) {
    if (!f.updated_at) return "beds-unknown";
    return f.beds_free === 0 ? "beds-full" : f.beds_free <= Math.max(1, Math.round(f.capacity * 0.1)) ? "beds-low" : "beds-ok";
  }

  function render() {
    var list = Object.values(facilities).sort(function (a, b) {
      return a.kind.localeCompare(b.kind) || b.beds_free - a.beds_free || a.name.localeCompare(b.name);
    });
    if ($("facilities")) {
      $("facilities").innerHTML = list.map(function (f) {
        var update = canUpdate
          ? '<td><form class="beds-form" data-id="' + f.id + '"><label class="sr-only" for="beds-' + f.id + '">Beds free at ' + esc(f.name) +
            '</label><input id="beds-' + f.id + '" type="number" min="0" max="' + f.capacity + '" value="' + f.beds_free +
            '" inputmode="numeric" class="beds-input"> <button type="submit">Save</button></form></td>'
          : "";
        return (
          '<tr><th scope="row">' + esc(f.name) + '<div class="muted">' + esc(f.address) + "</div></th><td>" + esc(f.kind_label) +
          '</td><td><span class="beds ' + bedsClass(f) + '">' + esc(bedsText(f)) + "</span></td><td>" +
          (f.updated_at ? esc(L.dateTime(f.updated_at)) + (f.updated_by ? " · " + esc(f.updated_by) : "") : "–") + "</td>" + update + "</tr>"
        );
      }).join("");
    }
    var dest = $("clear-destination");
    if (dest) {
      var chosen = dest.value;
      dest.innerHTML = '<option value="">Nowhere / not transported</option>' + list.map(function (f) {
        return '<option value="' + f.id + '">' + esc(f.name + " (" + f.kind_label + ", " + bedsText(f) + ")") + "</option>";
      }).join("");
      dest.value = chosen;
    }
    if (map && window.L) {
      list.forEach(function (f) {
        if (f.lat === null || f.lon === null) return;
        var html = '<span class="facility-pin ' + bedsClass(f) + '">▣ ' + esc(f.name.split(" (")[0]) + " · " + esc(bedsText(f)) + "</span>";
        var icon = window.L.divIcon({ className: "facility-icon", html: html, iconSize: null });
        if (!markers[f.id]) {
          markers[f.id] = window.L.marker([f.lat, f.lon], { icon: icon, keyboard: false, title: f.name }).addTo(map);
        } else {
          markers[f.id].setIcon(icon);
        }
      });
    }
  }

  function load() {
    L.api("GET", "/api/v1/facilities").then(function (res) {
      if (!res.ok) {
        if ($("facilities-status")) $("facilities-status").textContent = "Could not read the facilities: " + L.errorText(res);
        return;
      }
      facilities = {};
      res.data.forEach(function (f) {
        facilities[f.id] = f;
      });
      render();
    });
  }

  document.addEventListener("live:event", function (ev) {
    var frame = ev.detail;
    if (frame && frame.kind === "facility.beds_updated" && frame.data && frame.data.facility) {
      facilities[frame.data.facility.id] = frame.data.facility;
      render();
    }
  });

  if ($("facilities")) {
    $("facilities").addEventListener("submit", function (ev) {
      var form = ev.target.closest(".beds-form");
      if (!form) return;
      ev.preventDefault();
      var input = form.querySelector("input");
      L.api("POST", "/api/v1/facilities/" + form.dataset.id + "/beds", { beds_free: Number(input.value) }).then(function (res) {
        $("facilities-status").textContent = res.ok ? "Saved: " + res.data.name + ", " + bedsText(res.data) + "." : L.errorText(res);
        if (res.ok) {
          facilities[res.data.id] = res.data;
          render();
        }
      });
    });
  }

  load();
  setInterval(load, 120000);
})();
