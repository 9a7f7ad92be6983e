import "./lib/page.js"; // window.ACSLive (page.js, once per page) before this script runs, whatever the tag order
/* The audit trail (issue 14): GET /api/v1/audit filtered by user, kind, call, unit and dates;
 * who did what and when, newest first; the same filters export as CSV. */
(function () {
  "use strict";
  var L = window.ACSLive;
  var esc = L.esc;
  var $ = function (id) {
    return document.getElementById(id);
  };
  var config = JSON.parse($("audit-config").textContent);
  var FIELDS = ["user", "kind", "call", "unit", "from", "to"];
  var page = 1;
  var latest = 0; // a slower, older answer (the unfiltered first load) must not overwrite a newer filter's
  config.kinds.forEach(function (k) {
    var opt = document.createElement("option");
    opt.value = k;
    $("a-kinds").appendChild(opt);
  });
  var params = new URLSearchParams(window.location.search);
  FIELDS.forEach(function (f) {
    if (params.get(f)) $("a-" + f).value = params.get(f);
  });

  function query() {
    var q = new URLSearchParams();
    FIELDS.forEach(function (f) {
      if ($("a-" + f).value) q.set(f, $("a-" + f).value.trim());
    });
    return q;
  }

  function load() {
    var q = query();
    $("a-csv").href = config.api + "?" + q.toString() + (q.toString() ? "&" : "") + "format=csv";
    history.replaceState(null, "", "?" + q.toString());
    if (page > 1) q.set("page", String(page));
    $("a-status").textContent = "Loading…";
    var mine = ++latest;
    L.api("GET", config.api + "?" + q.toString()).then(function (result) {
      if (mine !== latest) return;
      if (!result.ok) {
        // The rows on screen answer the previous filter: clear them, so nobody reads them as this one's.
        $("a-status").textContent = "Could not read the audit trail: " + L.errorText(result);
        $("a-count").textContent = "–";
        $("a-results").innerHTML = '<tr><td colspan="7" class="muted">Not loaded: ' + esc(L.errorText(result)) + "</td></tr>";
        return;
      }
      var body = result.data;
      $("a-count").textContent = body.count;
      $("a-results").innerHTML = body.results.length
        ? body.results.map(function (e) {
            var call = e.call_id ? '<a href="/calls/' + e.call_id + '/timeline/#event-' + e.id + '">' + esc(e.call_number || "#" + e.call_id) + "</a>" : "–";
            return (
              '<tr><td class="num">' + e.id + "</td><td>" + esc(L.dateTime(e.at)) + ":" + esc(L.clock(e.at).slice(6)) + "</td>" +
              "<td><code>" + esc(e.kind) + "</code></td><td>" + esc(e.actor || "system") + "</td><td>" + call + "</td>" +
              "<td>" + esc(e.unit || "–") + "</td><td>" + e.changes.map(esc).join("<br>") + "</td></tr>"
            );
          }).join("")
        : '<tr><td colspan="7" class="muted">No event matches.</td></tr>';
      page = body.page;
      $("a-page").textContent = "Page " + body.page + " of " + Math.max(body.pages, 1);
      $("a-prev").disabled = body.page <= 1;
      $("a-next").disabled = body.page >= body.pages;
      $("a-status").textContent = body.count + " event" + (body.count === 1 ? "" : "s") + ".";
    });
  }

  $("audit-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    page = 1;
    load();
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-kind]"), function (b) {
    b.addEventListener("click", function () {
      $("a-kind").value = b.dataset.kind;
      page = 1;
      load();
    });
  });
  $("a-prev").addEventListener("click", function () {
    page = Math.max(1, page - 1);
    load();
  });
  $("a-next").addEventListener("click", function () {
    page += 1;
    load();
  });
  load();
})();
