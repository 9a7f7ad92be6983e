import "./lib/page.js"; // window.ACSLive (page.js, once per page) before this script runs, whatever the tag order
/* The KPI page (issue 14): reads GET /api/v1/kpis for the chosen range and zone, fills the tables and
 * draws the charts with the vendored uPlot. Every chart has its numbers in a table too. */
(function () {
  "use strict";
  var L = window.ACSLive;
  var esc = L.esc;
  var $ = function (id) {
    return document.getElementById(id);
  };
  var config = JSON.parse($("kpi-config").textContent);
  var REASON_LABELS = {};
  var STEP_LABELS = {
    queue: "Queue (received to first unit)",
    acknowledge: "Dispatch to acknowledge",
    en_route: "En route (to on scene)",
    on_scene: "On scene (to cleared)",
    close: "Call to close",
  };
  var charts = {};
  var css = getComputedStyle(document.documentElement);
  var colour = function (name, fallback) {
    return (css.getPropertyValue(name) || "").trim() || fallback;
  };

  var form = $("kpi-form");
  var params = new URLSearchParams(window.location.search);
  $("kpi-from").value = params.get("from") || config.from;
  $("kpi-to").value = params.get("to") || config.to;
  config.zones.forEach(function (z) {
    var opt = document.createElement("option");
    opt.value = z;
    opt.textContent = z;
    $("kpi-zone").appendChild(opt);
  });
  $("kpi-zone").value = params.get("zone") || "";

  function query() {
    var q = new URLSearchParams();
    q.set("from", $("kpi-from").value);
    q.set("to", $("kpi-to").value);
    if ($("kpi-zone").value) q.set("zone", $("kpi-zone").value);
    return q;
  }

  function pct(x) {
    return x === null || x === undefined ? "–" : (x * 100).toFixed(1) + " %";
  }

  function dur(s) {
    return s === null || s === undefined ? "–" : L.duration(Math.round(s));
  }

  function rows(id, items, render) {
    $(id).innerHTML = items.length
      ? items.map(render).join("")
      : '<tr><td colspan="6" class="muted">None in this range.</td></tr>';
  }

  function chart(id, opts, data) {
    var el = $(id);
    if (charts[id]) charts[id].destroy();
    el.innerHTML = "";
    var width = Math.max(280, el.clientWidth || 600);
    var axis = { stroke: colour("--muted", "#a9b6c3"), grid: { stroke: colour("--line", "#3a4756"), width: 1 } };
    opts.width = width;
    opts.height = 240;
    opts.axes = (opts.axes || [{}, {}]).map(function (a) {
      return Object.assign({}, axis, a);
    });
    charts[id] = new window.uPlot(opts, data, el);
  }

  function draw(k) {
    var acs = k.acs;
    $("fig-eligible").textContent = acs.eligible;
    $("fig-led").textContent = acs.led + " · " + pct(acs.share_led);
    $("fig-served").textContent = acs.served + " · " + pct(acs.share_served);
    $("fig-missed").textContent = acs.missed;
    $("fig-kickbacks").textContent = acs.kickbacks.calls;
    $("fig-total").textContent = k.volume.total;

    acs.missed_by_reason.forEach(function (r) {
      REASON_LABELS[r.reason] = r.label;
    });
    rows("missed-reasons", acs.missed_by_reason, function (r) {
      return (
        '<tr><th scope="row"><span class="reason reason-' + esc(r.reason) + '">' + esc(r.label) + "</span></th>" +
        '<td class="num">' + r.calls + '</td><td class="num">' + pct(acs.missed ? r.calls / acs.missed : null) + "</td></tr>"
      );
    });
    $("missed-guards").innerHTML = acs.missed_by_guard.length
      ? acs.missed_by_guard.map(function (g) {
          return "<li>" + esc(g.signal.replace(/_/g, " ")) + ": " + g.calls + "</li>";
        }).join("")
      : '<li class="muted">None.</li>';
    $("missed-count").textContent = acs.missed;
    rows("missed-calls", acs.missed_calls, function (c) {
      return (
        '<tr><th scope="row"><a href="/calls/' + c.id + '/timeline/">' + esc(c.number) + "</a></th>" +
        "<td>" + esc(L.dateTime(c.received_at)) + "</td><td>" + esc(c.zone || "–") + "</td>" +
        "<td>" + esc(c.lead) + '</td><td><span class="reason reason-' + esc(c.reason) + '">' + esc(c.reason_label) +
        "</span></td><td>" + esc(c.detail || "–") + "</td></tr>"
      );
    });

    rows("volume-day", k.volume.by_day, function (r) {
      return '<tr><th scope="row">' + esc(r.date) + '</th><td class="num">' + r.calls + "</td></tr>";
    });
    rows("volume-hour", k.volume.by_hour, function (r) {
      return '<tr><th scope="row">' + String(r.hour).padStart(2, "0") + ':00</th><td class="num">' + r.calls + "</td></tr>";
    });
    rows("families", k.volume.by_family, function (r) {
      return "<tr><td>" + esc(r.lead) + "</td><td>" + esc(r.mode) + '</td><td class="num">' + r.calls + "</td></tr>";
    });
    rows("steps", k.step_times, function (r) {
      return (
        "<tr><th scope=\"row\">" + esc(STEP_LABELS[r.step] || r.step) + "</th><td>" + (r.priority ? "P" + r.priority : "all") +
        "</td><td>" + esc(r.agency || "all") + '</td><td class="num">' + r.count + '</td><td class="num">' + dur(r.median_s) +
        '</td><td class="num">' + dur(r.p90_s) + "</td></tr>"
      );
    });
    rows("backup-rates", k.backups.by_requesting_agency, function (r) {
      return (
        "<tr><th scope=\"row\">" + esc(r.agency) + '</th><td class="num">' + r.calls_worked + '</td><td class="num">' +
        r.calls_with_request + '</td><td class="num">' + pct(r.rate) + "</td></tr>"
      );
    });
    rows("backup-reasons", k.backups.reasons, function (r) {
      return "<tr><td>" + esc(r.reason) + "</td><td>" + esc(r.agency) + '</td><td class="num">' + r.requests + "</td></tr>";
    });
    rows("dispositions", k.dispositions, function (r) {
      return (
        "<tr><th scope=\"row\">" + esc(r.code || "–") + "</th><td>" + esc(r.description) + "</td><td>" + esc(r.lead) +
        '</td><td class="num">' + r.calls + "</td></tr>"
      );
    });
    rows("destinations", k.destinations || [], function (r) {
      return "<tr><th scope=\"row\">" + esc(r.name) + "</th><td>" + esc(r.kind) + '</td><td class="num">' + r.calls + "</td></tr>";
    });
    rows("utilisation", k.utilisation, function (r) {
      return (
        "<tr><th scope=\"row\">" + esc(r.unit) + "</th><td>" + esc(r.agency) + '</td><td class="num">' + r.assignments +
        '</td><td class="num">' + dur(r.committed_s) + '</td><td class="num">' + pct(r.utilisation) + "</td></tr>"
      );
    });

    var days = k.volume.by_day.map(function (r) {
      return Date.parse(r.date + "T12:00:00Z") / 1000;
    });
    chart(
      "chart-day",
      { series: [{}, { label: "Calls", stroke: colour("--accent", "#6cb6ff"), width: 2, points: { show: true } }], scales: { x: { time: true } } },
      [days, k.volume.by_day.map(function (r) { return r.calls; })]
    );
    chart(
      "chart-hour",
      {
        scales: { x: { time: false } },
        axes: [{ label: "Hour (city clock)" }, {}],
        series: [{ label: "Hour" }, { label: "Calls", stroke: colour("--acs", "#b197fc"), fill: "rgba(177,151,252,.35)", paths: window.uPlot.paths.bars({ size: [0.8] }) }],
      },
      [k.volume.by_hour.map(function (r) { return r.hour; }), k.volume.by_hour.map(function (r) { return r.calls; })]
    );
    var cov = k.coverage;
    chart(
      "chart-coverage",
      {
        scales: { x: { time: true } },
        series: [
          {},
          { label: "Calls waiting", stroke: colour("--p1", "#ff6b6b"), width: 2 },
          { label: "ACS units on duty", stroke: colour("--ok", "#69db7c"), width: 2, dash: [6, 4] },
          { label: "ACS units busy", stroke: colour("--acs", "#b197fc"), width: 2 },
        ],
      },
      [
        cov.map(function (r) { return Date.parse(r.hour) / 1000; }),
        cov.map(function (r) { return r.calls_waiting; }),
        cov.map(function (r) { return r.acs_units_on_duty; }),
        cov.map(function (r) { return r.acs_units_busy; }),
      ]
    );
  }

  var latest = 0;
  function load() {
    var q = query();
    $("kpi-csv").href = config.api + "?" + q.toString() + "&format=csv";
    $("kpi-status").textContent = "Loading…";
    history.replaceState(null, "", "?" + q.toString());
    var mine = ++latest; // an older, slower answer must not overwrite a newer search
    L.api("GET", config.api + "?" + q.toString()).then(function (result) {
      if (mine !== latest) return;
      if (!result.ok) {
        $("kpi-status").textContent = "Could not load the figures: " + L.errorText(result);
        return;
      }
      draw(result.data);
      var k = result.data;
      $("kpi-status").textContent =
        "Figures for " + k.from + " to " + k.to + " (not included)" + (k.zone ? ", zone " + k.zone : ", all zones") + ".";
    });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    load();
  });
  load();
})();
