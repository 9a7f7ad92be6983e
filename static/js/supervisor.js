/* ACS supervisor board and map. State from /ws/supervisor/ (snapshot, then events); the map is
 * Leaflet with no tile layer (a 911 floor may have no internet): zone polygons from the page,
 * unit markers coloured by status AND labelled with text, call markers. */
(function () {
  "use strict";
  var L = window.ACSLive;
  var esc = L.esc;
  var $ = function (id) {
    return document.getElementById(id);
  };

  var OPEN = ["NEW", "TRIAGED", "PENDING", "DISPATCHED", "ON_SCENE"];
  var STATUS_COLOURS = {
    AVAILABLE: "#69db7c",
    DISPATCHED: "#ffd43b",
    EN_ROUTE: "#ffa94d",
    ON_SCENE: "#b197fc",
    TRANSPORTING: "#74c0fc",
    OUT_OF_SERVICE: "#ced4da",
  };

  var state = { calls: {}, units: {}, alerts: {}, notes: {}, figures: null };

  // --- map -----------------------------------------------------------------------------------
  var map = window.L.map("map", { attributionControl: false, zoomSnap: 0.25, keyboard: true });
  window.ACSSupervisorMap = map; // issue 14: static/js/facilities.js adds the facilities layer
  var zones = JSON.parse($("zones-data").textContent || "[]");
  var zoneLayer = window.L.geoJSON(
    {
      type: "FeatureCollection",
      features: zones.map(function (z) {
        return { type: "Feature", properties: { name: z.name }, geometry: z.geometry };
      }),
    },
    {
      style: { color: "#6cb6ff", weight: 1.5, fillColor: "#6cb6ff", fillOpacity: 0.06 },
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(feature.properties.name, { sticky: true, className: "map-label" });
      },
    }
  ).addTo(map);
  if (zones.length) map.fitBounds(zoneLayer.getBounds(), { padding: [10, 10] });
  else map.setView([35.0844, -106.6504], 11);
  var unitMarkers = {};
  var callMarkers = {};
  window.ACSSupervisorMap = map; // issue 13: static/js/supervisor_map.js adds streets and label placement

  function drawUnit(u) {
    var m = unitMarkers[u.id];
    if (u.lat === null || u.lon === null || u.lat === undefined) {
      if (m) {
        map.removeLayer(m);
        delete unitMarkers[u.id];
      }
      return;
    }
    var colour = STATUS_COLOURS[u.status] || "#ffffff";
    var label = u.call_sign + " · " + (L.STATUS_LABELS[u.status] || u.status);
    if (!m) {
      m = window.L.circleMarker([u.lat, u.lon], { radius: 9, weight: 2, color: "#0f1419", fillOpacity: 0.95 });
      m.addTo(map);
      unitMarkers[u.id] = m;
    }
    // Busy units carry a permanent label (the ones a supervisor watches); available ones show
    // theirs on hover or focus, so eighteen labels do not bury the map.
    var permanent = u.status !== "AVAILABLE";
    if (m.acsPermanent !== permanent) {
      m.unbindTooltip();
      m.bindTooltip("", { permanent: permanent, direction: "auto", offset: [8, 0], className: "map-label unit-label" });
      m.acsPermanent = permanent;
    }
    m.setLatLng([u.lat, u.lon]);
    m.setStyle({ fillColor: colour });
    m.setTooltipContent(esc(label));
    var el = m.getElement && m.getElement();
    if (el) {
      el.setAttribute("data-unit", u.call_sign);
      el.setAttribute("data-status", u.status);
    }
  }

  function drawCall(c) {
    var m = callMarkers[c.id];
    var open = OPEN.indexOf(c.status) >= 0 && c.lat !== null && c.lon !== null;
    if (!open) {
      if (m) {
        map.removeLayer(m);
        delete callMarkers[c.id];
      }
      return;
    }
    var html = '<span class="call-pin p' + esc(c.priority || 4) + '" data-call="' + esc(c.number) + '">◆ ' + esc(c.number) + "</span>";
    var icon = window.L.divIcon({ className: "call-icon", html: html, iconSize: null });
    if (!m) {
      m = window.L.marker([c.lat, c.lon], { icon: icon, keyboard: false, title: "Call " + c.number });
      m.addTo(map);
      callMarkers[c.id] = m;
    } else {
      m.setLatLng([c.lat, c.lon]);
      m.setIcon(icon);
    }
  }

  // --- reducer -------------------------------------------------------------------------------
  function isAcsCall(c) {
    return (c.agencies || []).indexOf("ACS") >= 0 || (c.units || []).some(function (u) { return u.agency === "ACS"; });
  }

  function putCall(c) {
    if (OPEN.indexOf(c.status) >= 0 && isAcsCall(c)) state.calls[c.id] = c;
    else delete state.calls[c.id];
    drawCall(c);
    countFigures(c);
  }

  function putUnit(u) {
    if (u.agency !== "ACS") return;
    state.units[u.id] = u;
    drawUnit(u);
  }

  function countFigures(c) {
    var f = state.figures;
    if (!f || !isAcsCall(c)) return;
    var since = Date.parse(f.since);
    if (Date.parse(c.received_at) >= since && f.calls.indexOf(c.id) < 0) f.calls.push(c.id);
    if (f.calls.indexOf(c.id) >= 0 && f.on_scene_seconds[c.id] === undefined) {
      var times = (c.units || [])
        .map(function (u) { return u.on_scene_at ? Date.parse(u.on_scene_at) : null; })
        .filter(function (t) { return t !== null; });
      if (times.length) f.on_scene_seconds[c.id] = Math.max(0, (Math.min.apply(null, times) - Date.parse(c.received_at)) / 1000);
    }
    (c.backup_requests || []).forEach(function (b) {
      if (Date.parse(b.requested_at) >= since && f.backups.indexOf(b.id) < 0) f.backups.push(b.id);
    });
  }

  function onSnapshot(snap) {
    Object.keys(unitMarkers).forEach(function (id) { map.removeLayer(unitMarkers[id]); });
    Object.keys(callMarkers).forEach(function (id) { map.removeLayer(callMarkers[id]); });
    unitMarkers = {};
    callMarkers = {};
    state = { calls: {}, units: {}, alerts: {}, notes: {}, figures: snap.figures };
    (snap.units || []).forEach(putUnit);
    (snap.calls || []).forEach(putCall);
    (snap.alerts || []).forEach(function (a) { state.alerts[a.id] = a; });
    (snap.notes || []).forEach(function (n) { state.notes[n.id] = n; });
    render();
  }

  function onEvent(frame) {
    var d = frame.data || {};
    if (d.unit && d.unit.id) putUnit(d.unit);
    if (d.call && d.call.id) putCall(d.call);
    if (d.note && d.note.id) state.notes[d.note.id] = d.note;
    if (d.alert && d.alert.id) {
      if (d.alert.acknowledged_at || d.alert.resolved_at) delete state.alerts[d.alert.id];
      else state.alerts[d.alert.id] = d.alert;
    }
    render();
  }

  // --- rendering -----------------------------------------------------------------------------
  function median(values) {
    if (!values.length) return null;
    var s = values.slice().sort(function (a, b) { return a - b; });
    var mid = Math.floor(s.length / 2);
    return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  }

  function render() {
    var f = state.figures;
    if (f) {
      $("fig-calls").textContent = f.calls.length;
      var med = median(Object.values(f.on_scene_seconds));
      $("fig-onscene").textContent = med === null ? "–" : L.duration(Math.round(med));
      $("fig-backups").textContent = f.backups.length;
    }
    var alertsByUnit = {};
    Object.values(state.alerts).forEach(function (a) {
      if (a.unit_id) (alertsByUnit[a.unit_id] = alertsByUnit[a.unit_id] || []).push(a);
    });
    $("units").innerHTML = Object.values(state.units)
      .sort(function (a, b) { return a.call_sign < b.call_sign ? -1 : 1; })
      .map(function (u) {
        return (
          '<tr data-unit="' + esc(u.call_sign) + '"><th scope="row">' + esc(u.call_sign) + "</th><td>" + L.statusBadge(u.status) + "</td>" +
          '<td><span class="tick" data-since="' + esc(u.status_since) + '"></span> <span class="muted">since ' + esc(L.clockShort(u.status_since)) + "</span></td>" +
          "<td>" + esc(u.call_number || "–") + "</td>" +
          "<td>" + (alertsByUnit[u.id] || []).map(function (a) { return '<span class="alert-row alert-level-' + esc(a.level) + '">' + esc(a.message) + "</span>"; }).join("<br>") + "</td></tr>"
        );
      })
      .join("");
    var notesByCall = {};
    Object.values(state.notes).forEach(function (n) { notesByCall[n.call_id] = (notesByCall[n.call_id] || 0) + 1; });
    var calls = Object.values(state.calls).sort(function (a, b) {
      var pa = a.priority || 9;
      var pb = b.priority || 9;
      return pa !== pb ? pa - pb : Date.parse(a.received_at) - Date.parse(b.received_at);
    });
    $("queue-count").textContent = calls.length;
    $("queue").innerHTML = calls
      .map(function (c) {
        return (
          '<tr data-call="' + esc(c.number) + '"><th scope="row">' + esc(c.number) + "</th><td>" + L.priorityBadge(c.priority) + "</td><td>" + L.statusBadge(c.status) + "</td>" +
          "<td>" + esc(c.call_type ? c.call_type.name : "") + "</td><td>" + esc(c.address) + (c.zone ? " · " + esc(c.zone) : "") + "</td>" +
          "<td>" + (c.units || []).map(function (u) { return esc(u.unit) + " " + L.statusBadge(u.unit_status); }).join("<br>") + "</td>" +
          '<td><span class="tick" data-since="' + esc(c.received_at) + '"></span> <span class="muted">since ' + esc(L.clockShort(c.received_at)) + "</span></td><td>" + (notesByCall[c.id] || 0) + "</td></tr>"
        );
      })
      .join("");
    var alerts = Object.values(state.alerts);
    $("sup-alerts").innerHTML = alerts.length
      ? alerts.map(function (a) {
          return '<li class="alert-row alert-level-' + esc(a.level) + '">' + esc(L.clock(a.raised_at)) + " " + esc(a.level_label || "Alert") + " · " + esc(a.unit_call_sign || a.call_number || "") + ": " + esc(a.message) + "</li>";
        }).join("")
      : '<li class="muted">No open alert.</li>';
    L.tick();
  }

  window.ACSSupervisor = {
    live: L.connect({ path: "/ws/supervisor/", indicator: $("live"), onSnapshot: onSnapshot, onEvent: onEvent }),
    map: map,
    state: function () {
      return state;
    },
  };
})();
