import "./lib/page.js"; // window.ACSLive (page.js, once per page) before this script runs, whatever the tag order
/* Call history (issue 14): the search form drives GET /api/v1/calls/search; each call links to its
 * printable record (/calls/{id}/timeline/). The query stays in the address bar. */
(function () {
  "use strict";
  var L = window.ACSLive;
  var esc = L.esc;
  var $ = function (id) {
    return document.getElementById(id);
  };
  var config = JSON.parse($("history-config").textContent);
  var FIELDS = ["q", "from", "to", "state", "type", "zone", "agency", "disposition", "unit"];
  var page = 1;

  function fill(select, values) {
    values.forEach(function (v) {
      var opt = document.createElement("option");
      opt.value = v;
      opt.textContent = v;
      select.appendChild(opt);
    });
  }
  fill($("h-zone"), config.zones);
  fill($("h-disposition"), config.dispositions);
  config.call_types.forEach(function (t) {
    var opt = document.createElement("option");
    opt.value = t.code;
    opt.textContent = t.code + " " + t.name;
    $("h-types").appendChild(opt);
  });
  var params = new URLSearchParams(window.location.search);
  FIELDS.forEach(function (f) {
    if (params.get(f)) $("h-" + f).value = params.get(f);
  });
  page = parseInt(params.get("page") || "1", 10) || 1;

  function query() {
    var q = new URLSearchParams();
    FIELDS.forEach(function (f) {
      var v = $("h-" + f).value;
      if (v && !(f === "state" && v === "all")) q.set(f, v);
    });
    if (page > 1) q.set("page", String(page));
    return q;
  }

  var latest = 0;
  function load() {
    var q = query();
    history.replaceState(null, "", "?" + q.toString());
    $("h-status").textContent = "Searching…";
    var mine = ++latest; // an older, slower answer must not overwrite a newer search
    L.api("GET", config.api + "?" + q.toString()).then(function (result) {
      if (mine !== latest) return;
      if (!result.ok) {
        $("h-status").textContent = "Search failed: " + L.errorText(result);
        return;
      }
      var body = result.data;
      $("h-count").textContent = body.count;
      $("h-results").innerHTML = body.results.length
        ? body.results.map(function (c) {
            return (
              '<tr><th scope="row"><a href="/calls/' + c.id + '/timeline/">' + esc(c.number) + "</a></th>" +
              "<td>" + esc(L.dateTime(c.received_at)) + "</td><td>" + L.statusBadge(c.status) + "</td>" +
              "<td>" + esc(c.call_type ? c.call_type.code + " " + c.call_type.name : c.narrative.slice(0, 60)) + "</td>" +
              "<td>" + esc(c.address || "–") + (c.zone ? ' <span class="muted">(' + esc(c.zone) + ")</span>" : "") + "</td>" +
              "<td>" + esc(c.lead || "–") + "</td><td>" + esc(c.units.join(", ") || "–") + "</td>" +
              "<td>" + esc(c.disposition || "–") + "</td></tr>"
            );
          }).join("")
        : '<tr><td colspan="8" class="muted">No call matches.</td></tr>';
      page = body.page;
      $("h-page").textContent = "Page " + body.page + " of " + Math.max(body.pages, 1);
      $("h-prev").disabled = body.page <= 1;
      $("h-next").disabled = body.page >= body.pages;
      $("h-status").textContent = body.count + " call" + (body.count === 1 ? "" : "s") + " found.";
    });
  }

  $("history-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    page = 1;
    load();
  });
  $("h-prev").addEventListener("click", function () {
    page = Math.max(1, page - 1);
    load();
  });
  $("h-next").addEventListener("click", function () {
    page += 1;
    load();
  });
  load();
})();
