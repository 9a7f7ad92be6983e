/* Dispatch board: pending queue, call detail with recommendations, active calls, units by status.
 * State comes from /ws/dispatch/ (snapshot, then events); every event carries whole call / unit
 * summaries, so applying one means replacing that call or unit by id. Actions go through the REST
 * API; their effects come back as events, so the board shows what the server committed. */
(function () {
  "use strict";
  var L = window.ACSLive;
  var esc = L.esc;

  var PENDING = ["NEW", "TRIAGED", "PENDING"];
  var ACTIVE = ["DISPATCHED", "ON_SCENE"];
  var UNIT_ORDER = ["AVAILABLE", "DISPATCHED", "EN_ROUTE", "ON_SCENE", "TRANSPORTING", "OUT_OF_SERVICE"];

  var state = { calls: {}, units: {}, alerts: {} };
  var selectedId = null; // highlighted in the queue
  var openId = null; // shown in the detail panel
  var recs = { callId: null, entries: null };
  var dispositions = {}; // by the agencies of the call ("ACS,POLICE"): the codes they may close with
  var closedGroups = {}; // units panel: "ACS" or "ACS/AVAILABLE" -> true when the dispatcher folded it
  var AGENCY_ORDER = ["POLICE", "FIRE_EMS", "ACS"];

  var $ = function (id) {
    return document.getElementById(id);
  };

  // --- reducer -------------------------------------------------------------------------------
  function putCall(c) {
    if (PENDING.indexOf(c.status) >= 0 || ACTIVE.indexOf(c.status) >= 0) state.calls[c.id] = c;
    else delete state.calls[c.id];
  }

  function onSnapshot(snap) {
    state = { calls: {}, units: {}, alerts: {} };
    (snap.calls || []).forEach(putCall);
    (snap.units || []).forEach(function (u) {
      state.units[u.id] = u;
    });
    (snap.alerts || []).forEach(function (a) {
      state.alerts[a.id] = a;
    });
    render();
  }

  function onEvent(frame) {
    var d = frame.data || {};
    if (d.call && d.call.id) putCall(d.call);
    if (d.unit && d.unit.id) state.units[d.unit.id] = d.unit;
    if (d.alert && d.alert.id) {
      if (d.alert.acknowledged_at || d.alert.resolved_at) delete state.alerts[d.alert.id];
      else state.alerts[d.alert.id] = d.alert;
    }
    render();
    if (openId && d.unit && recs.callId === openId) refreshRecsSoon();
  }

  // --- selection and filters -----------------------------------------------------------------
  function filters() {
    return { agency: $("f-agency").value, zone: $("f-zone").value };
  }

  function callMatches(c, f) {
    if (f.agency && (c.agencies || []).indexOf(f.agency) < 0) return false;
    if (f.zone && c.zone !== f.zone) return false;
    return true;
  }

  function unitMatches(u, f) {
    if (f.agency && u.agency !== f.agency) return false;
    if (f.zone && u.home_zone !== f.zone) return false;
    return true;
  }

  function byPriorityThenAge(a, b) {
    var pa = a.priority || 9;
    var pb = b.priority || 9;
    if (pa !== pb) return pa - pb;
    return Date.parse(a.received_at) - Date.parse(b.received_at);
  }

  // A call waits in the queue until every agency its decision requires has a unit or a recorded
  // reason why not (calls.policies.call_agencies_missing, carried in the call summary).
  // Two lines of reasons fit a queue row: the rule, then the first safety guard that changed its
  // outcome (else what matched), so "ideation without means" never shows without "police added".
  function queueReasons(reasons) {
    var guard = reasons.filter(function (r) { return r.indexOf("Guard ") === 0; })[0];
    return guard ? [reasons[0], guard] : reasons.slice(0, 2);
  }

  function missing(c) {
    return c.missing_agencies || [];
  }

  function inQueue(c) {
    return PENDING.indexOf(c.status) >= 0 || (ACTIVE.indexOf(c.status) >= 0 && missing(c).length > 0);
  }

  function pendingCalls() {
    var f = filters();
    return Object.values(state.calls)
      .filter(function (c) {
        return inQueue(c) && callMatches(c, f);
      })
      .sort(byPriorityThenAge);
  }

  function agencyNames(list) {
    return list.map(function (a) {
      return L.AGENCY_LABELS[a] || a;
    }).join(", ");
  }

  function dangerText(d) {
    return d.label + ": " + d.details.map(function (x) {
      return x.text + " (" + x.source.replace("_", " ") + ")";
    }).join("; ");
  }

  // The caller's language (an ISO code such as "es") and whether an interpreter is needed, when the
  // call summary carries them.
  var languageNames = null;
  function languageName(code) {
    if (!code) return "";
    try {
      languageNames = languageNames || new Intl.DisplayNames(["en"], { type: "language" });
      return languageNames.of(code) || code;
    } catch (err) {
      return code;
    }
  }

  function languageTags(c) {
    var out = "";
    if (c.caller_language && c.caller_language !== "en") {
      out += ' <span class="tag tag-lang" lang="en">' + esc(languageName(c.caller_language)) + "</span>";
    }
    if (c.interpreter_needed === true) out += ' <span class="tag tag-warn">Interpreter needed</span>';
    return out;
  }

  // --- rendering -----------------------------------------------------------------------------
  function render() {
    renderBackups();
    renderQueue();
    renderActive();
    renderUnits();
    if (openId) renderDetailInfo();
  }

  function renderBackups() {
    var items = [];
    Object.values(state.calls).forEach(function (c) {
      (c.backup_requests || []).forEach(function (b) {
        if (!b.handled_at) items.push({ call: c, b: b });
      });
    });
    items.sort(function (x, y) {
      return Date.parse(x.b.requested_at) - Date.parse(y.b.requested_at);
    });
    $("backups").hidden = items.length === 0;
    $("backup-list").innerHTML = items
      .map(function (it) {
        return (
          "<li><strong>" + esc(it.b.unit) + "</strong> asks for " + L.agencyBadge(it.b.agency) +
          " on <button type=\"button\" class=\"btn-link\" data-open=\"" + it.call.id + "\">" + esc(it.call.number) + "</button>" +
          " at " + esc(it.call.address) + (it.b.reason ? ": " + esc(it.b.reason) : "") +
          ' <span class="tick" data-since="' + esc(it.b.requested_at) + '"></span> waiting</li>'
        );
      })
      .join("");
    L.tick();
  }

  function renderQueue() {
    var calls = pendingCalls();
    if (selectedId && !calls.some(function (c) { return c.id === selectedId; })) selectedId = null;
    if (!selectedId && calls.length) selectedId = calls[0].id;
    $("queue-count").textContent = calls.length;
    $("queue-empty").hidden = calls.length > 0;
    $("queue").innerHTML = calls
      .map(function (c) {
        var sel = c.id === selectedId;
        return (
          '<li role="option" id="q-' + c.id + '" data-id="' + c.id + '" aria-selected="' + sel + '" class="prio-' + esc(c.priority || "x") + '">' +
          '<div class="line1">' + L.priorityBadge(c.priority) + " <strong>" + esc(c.number) + "</strong> " +
          '<span class="ctype">' + esc(c.call_type ? c.call_type.code + " " + c.call_type.name : "(no type)") + "</span> " +
          (c.agencies || []).map(L.agencyBadge).join(" ") + " " + L.statusBadge(c.status) + languageTags(c) +
          '<span class="wait" title="Received ' + esc(L.clock(c.received_at)) + '">waiting <span class="tick" data-since="' + esc(c.received_at) + '"></span></span></div>' +
          '<div class="line2"><span class="where">' + esc(c.address || "(no address)") + (c.zone ? " · " + esc(c.zone) : "") + "</span>" +
          (c.reasons && c.reasons.length ? '<ul class="reasons" title="' + esc(queueReasons(c.reasons).join(" · ")) + '">' + queueReasons(c.reasons).map(function (r) { return "<li>" + esc(r) + "</li>"; }).join("") + "</ul>" : "") +
          "</div>" +
          (ACTIVE.indexOf(c.status) >= 0 && missing(c).length
            ? '<div class="partly"><span class="tag tag-warn">Partly dispatched</span> still needs ' + esc(agencyNames(missing(c))) + "</div>"
            : "") +
          // Triage recognised nothing: police by default. Say so, so the dispatcher reads the narrative.
          (c.recognised === false ? '<div class="unrecognised"><span class="tag tag-warn">Not recognised</span> police by default: read the narrative</div>' : "") +
          "</li>"
        );
      })
      .join("");
    $("queue").setAttribute("aria-activedescendant", selectedId ? "q-" + selectedId : "");
    L.tick();
  }

  function renderActive() {
    var f = filters();
    var calls = Object.values(state.calls)
      .filter(function (c) {
        return ACTIVE.indexOf(c.status) >= 0 && callMatches(c, f);
      })
      .sort(byPriorityThenAge);
    $("active-count").textContent = calls.length;
    $("active").innerHTML = calls
      .map(function (c) {
        return (
          '<tr data-call="' + c.id + '"><td><button type="button" class="btn-link" data-open="' + c.id + '">' + esc(c.number) + "</button></td>" +
          "<td>" + L.priorityBadge(c.priority) + "</td><td>" + L.statusBadge(c.status) + "</td>" +
          "<td>" + esc(c.call_type ? c.call_type.name : "") + "</td><td>" + esc(c.address) + (c.zone ? " · " + esc(c.zone) : "") + "</td>" +
          "<td>" + (c.units || []).map(function (u) {
            return '<span class="unit-on-call">' + esc(u.unit) + " " + L.statusBadge(u.unit_status) + (u.acknowledged_at ? "" : ' <span class="muted">(not acknowledged)</span>') + "</span>";
          }).join("<br>") + "</td>" +
          '<td><span class="tick" data-since="' + esc(c.received_at) + '"></span></td></tr>'
        );
      })
      .join("");
    L.tick();
  }

  // Every unit, for the call-sign type-ahead of the detail panel (any unit, not only recommended).
  function renderUnitOptions() {
    var list = $("unit-options");
    if (!list) return;
    list.innerHTML = Object.values(state.units)
      .sort(function (a, b) {
        return a.call_sign < b.call_sign ? -1 : 1;
      })
      .map(function (u) {
        return '<option value="' + esc(u.call_sign) + '">' + esc((L.AGENCY_LABELS[u.agency] || u.agency) + " · " + (L.STATUS_LABELS[u.status] || u.status)) + "</option>";
      })
      .join("");
  }

  // Units grouped by agency, then by status; each group folds (details/summary) and stays as the
  // dispatcher left it across updates. One dense row per unit: call sign, call, time in status.
  function renderUnits() {
    renderUnitOptions();
    var f = filters();
    var byAgency = {};
    var total = 0;
    Object.values(state.units).forEach(function (u) {
      if (!unitMatches(u, f)) return;
      total += 1;
      var groups = (byAgency[u.agency] = byAgency[u.agency] || {});
      (groups[u.status] = groups[u.status] || []).push(u);
    });
    $("units-count").textContent = total;
    var agencies = AGENCY_ORDER.filter(function (a) { return byAgency[a]; }).concat(
      Object.keys(byAgency).filter(function (a) { return AGENCY_ORDER.indexOf(a) < 0; })
    );
    $("units").innerHTML = agencies.map(function (agency) {
      var groups = byAgency[agency];
      var count = 0;
      Object.keys(groups).forEach(function (st) { count += groups[st].length; });
      var available = (groups.AVAILABLE || []).length;
      return (
        '<details class="unit-agency" data-group="' + esc(agency) + '"' + (closedGroups[agency] ? "" : " open") + ">" +
        "<summary>" + L.agencyBadge(agency) + " " + count + " unit" + (count === 1 ? "" : "s") + ' · <span class="avail">' + available + " available</span></summary>" +
        UNIT_ORDER.filter(function (st) { return groups[st]; }).map(function (status) {
          var key = agency + "/" + status;
          var list = groups[status].sort(function (a, b) {
            return a.call_sign < b.call_sign ? -1 : 1;
          });
          return (
            '<details class="unit-status" data-group="' + esc(key) + '"' + (closedGroups[key] ? "" : " open") + ">" +
            "<summary>" + L.statusBadge(status) + " " + list.length + "</summary>" +
            '<ul class="unit-rows">' +
            list.map(function (u) {
              return '<li data-unit="' + esc(u.call_sign) + '" data-status="' + esc(u.status) + '"><span class="cs">' + esc(u.call_sign) + "</span>" +
                '<span class="on-call">' + (u.call_number ? esc(u.call_number) : "") + "</span>" +
                '<span class="muted tick" data-since="' + esc(u.status_since) + '"></span></li>';
            }).join("") + "</ul></details>"
          );
        }).join("") +
        "</details>"
      );
    }).join("") || '<p class="muted">No unit matches the filters.</p>';
    L.tick();
  }

  // Remember what the dispatcher folded, so the next update does not reopen it.
  $("units").addEventListener(
    "toggle",
    function (ev) {
      var d = ev.target;
      if (d && d.dataset && d.dataset.group) closedGroups[d.dataset.group] = !d.open;
    },
    true
  );

  // --- detail panel --------------------------------------------------------------------------
  function openCall(id) {
    var c = state.calls[id];
    if (!c) return;
    openId = id;
    $("detail-h").textContent = "Call " + c.number;
    $("detail-body").innerHTML =
      '<p class="no-print"><button type="button" id="print-call">Print this call</button></p>' +
      '<div id="detail-info"></div>' +
      '<div class="no-print"><h3>Recommended units</h3><div id="recs"><p class="muted">Loading…</p></div>' +
      '<h3>Assign any unit</h3>' +
      '<form id="assign-form" class="inline-form" novalidate>' +
      '<div><label for="as-unit">Call sign</label><input id="as-unit" name="unit" list="unit-options" autocomplete="off" maxlength="20" aria-describedby="as-refusal"></div>' +
      '<div id="as-reason-row" hidden><label for="as-reason">Reason to go ahead</label><input id="as-reason" name="override_reason" maxlength="500"></div>' +
      '<div><button type="submit" id="as-submit">Assign</button></div></form>' +
      '<p id="as-refusal" class="flash flash-err" role="alert" hidden></p>' +
      '<div id="waive-box"></div></div>' +
      '<h3>History here and from this caller</h3><div id="history"><p class="muted">Loading…</p></div>' +
      '<div class="no-print"><h3>Override triage</h3>' +
      '<form id="override-form" class="inline-form">' +
      '<fieldset><legend>Agencies</legend>' +
      ["POLICE", "FIRE_EMS", "ACS"].map(function (a) {
        return '<label><input type="checkbox" name="agencies" value="' + a + '"' + ((c.agencies || []).indexOf(a) >= 0 ? " checked" : "") + "> " + L.AGENCY_LABELS[a] + "</label>";
      }).join("") + "</fieldset>" +
      '<div><label for="ov-lead">Lead</label><select id="ov-lead" name="lead">' +
      ["POLICE", "FIRE_EMS", "ACS"].map(function (a) {
        return '<option value="' + a + '"' + (c.lead === a ? " selected" : "") + ">" + L.AGENCY_LABELS[a] + "</option>";
      }).join("") + "</select></div>" +
      '<div><label for="ov-priority">Priority</label><select id="ov-priority" name="priority">' +
      [1, 2, 3, 4].map(function (p) {
        return '<option value="' + p + '"' + (c.priority === p ? " selected" : "") + ">P" + p + "</option>";
      }).join("") + "</select></div>" +
      '<div><label for="ov-reason">Reason (required)</label><input id="ov-reason" name="reason" required maxlength="500"></div>' +
      '<div><button type="submit">Override</button></div></form>' +
      "<h3>Close or cancel</h3>" +
      '<form id="close-form" class="inline-form">' +
      '<div><label for="cl-disposition">Disposition</label><select id="cl-disposition" name="disposition" required></select></div>' +
      '<div><label for="cl-note">Note</label><input id="cl-note" name="note" maxlength="500"></div>' +
      '<div><button type="submit">Close call</button></div></form>' +
      '<form id="cancel-form" class="inline-form">' +
      '<div><label for="cn-reason">Cancel reason</label><input id="cn-reason" name="reason" required maxlength="300"></div>' +
      '<div><button type="submit" class="btn-danger">Cancel call</button></div></form></div>';
    renderDetailInfo();
    loadDispositions(c);
    loadRecs(id);
    loadHistory(id);
    $("override-form").addEventListener("submit", submitOverride);
    $("assign-form").addEventListener("submit", submitAssignForm);
    $("close-form").addEventListener("submit", submitClose);
    $("cancel-form").addEventListener("submit", submitCancel);
    $("print-call").addEventListener("click", printCall);
    $("detail-h").focus();
  }

  function renderDetailInfo() {
    var c = state.calls[openId];
    var info = $("detail-info");
    if (!info) return;
    if (!c) {
      info.innerHTML = '<p class="muted">This call is no longer open.</p>';
      return;
    }
    var dangers = c.dangers || [];
    var holds = c.order_holds || {};
    var waived = c.waived_agencies || [];
    info.innerHTML =
      "<p>" + L.priorityBadge(c.priority) + " " + L.statusBadge(c.status) + " " + (c.agencies || []).map(L.agencyBadge).join(" ") +
      (c.lead ? " lead " + esc(L.AGENCY_LABELS[c.lead] || c.lead) : "") +
      ' · waiting <span class="tick" data-since="' + esc(c.received_at) + '"></span></p>' +
      "<p><strong>" + esc(c.call_type ? c.call_type.code + " " + c.call_type.name : "(no type)") + "</strong> · " + esc(c.address) + (c.zone ? " · " + esc(c.zone) : "") + "</p>" +
      '<p class="received">Received ' + esc(L.dateTime(c.received_at)) + " " + esc(L.zoneName(c.received_at)) + "</p>" +
      (c.caller_language || c.interpreter_needed
        ? '<p class="language">Caller\'s language: ' + esc(c.caller_language ? languageName(c.caller_language) + " (" + c.caller_language + ")" : "not recorded") +
          (c.interpreter_needed === true ? ' · <strong class="safety">interpreter needed</strong>' : "") + "</p>"
        : "") +
      "<p>" + esc(c.narrative) + "</p>" +
      '<p class="needs">Needs ' + esc(agencyNames(c.required_agencies || c.agencies || [])) +
      (missing(c).length ? ' · <strong class="safety">still missing ' + esc(agencyNames(missing(c))) + "</strong>" : " · every agency has a unit") + "</p>" +
      (waived.length ? '<ul class="reasons">' + waived.map(function (w) { return "<li>" + esc(L.AGENCY_LABELS[w.agency] || w.agency) + " not sent: " + esc(w.reason) + "</li>"; }).join("") + "</ul>" : "") +
      (dangers.length ? '<p class="safety">Dangers: ' + dangers.map(function (d) { return esc(dangerText(d)); }).join(" · ") + "</p>" : "") +
      Object.keys(holds).map(function (a) { return '<p class="safety order-hold">' + esc(holds[a]) + "</p>"; }).join("") +
      (c.reasons && c.reasons.length ? "<p>Triage" + (c.rule ? " (" + esc(c.rule) + ")" : "") + ':</p><ul class="reasons">' + c.reasons.map(function (r) { return "<li>" + esc(r) + "</li>"; }).join("") + "</ul>" : "") +
      (c.overridden ? "<p>Overridden: " + esc(c.override_reason) + "</p>" : "") +
      (c.units && c.units.length ? "<p>Units: " + c.units.map(unitOnCall).join(", ") + "</p>" : "");
    renderWaive(c);
    L.tick();
  }

  function unitOnCall(u) {
    return esc(u.unit) + " " + L.statusBadge(u.unit_status) +
      (u.staged ? " (staged)" : "") +
      (u.scene_safe_at ? " · scene safe " + esc(L.clock(u.scene_safe_at)) : "") +
      (u.override_reason ? ' <span class="muted">(sent ahead: ' + esc(u.override_reason) + ")</span>" : "");
  }

  // A required agency that will not come gets a recorded reason, so the call can leave the queue.
  function renderWaive(c) {
    var box = $("waive-box");
    if (!box) return;
    var key = missing(c).join(",");
    if (box.dataset.key === key) return; // keep what the dispatcher is typing
    box.dataset.key = key;
    box.innerHTML = missing(c).length
      ? '<form id="waive-form" class="inline-form"><div><label for="wv-agency">Not sending</label><select id="wv-agency" name="agency">' +
        missing(c).map(function (a) { return '<option value="' + esc(a) + '">' + esc(L.AGENCY_LABELS[a] || a) + "</option>"; }).join("") +
        '</select></div><div><label for="wv-reason">Why not (required)</label><input id="wv-reason" name="reason" required maxlength="500"></div>' +
        '<div><button type="submit">Record reason</button></div></form>'
      : "";
    var form = $("waive-form");
    if (form) form.addEventListener("submit", submitWaive);
  }

  function submitWaive(ev) {
    ev.preventDefault();
    var form = ev.target;
    L.api("POST", "/api/v1/calls/" + openId + "/waivers", { agency: form.agency.value, reason: form.reason.value }).then(function (res) {
      flash(res.ok, res.ok ? (L.AGENCY_LABELS[form.agency.value] || form.agency.value) + " not sent: reason recorded." : L.errorText(res));
    });
  }

  var MATCH = { address: "same address", nearby: "within 100 m", phone: "same phone" };

  function when(iso) {
    return L.dateTime(iso); // date and time on the city's clock, whatever the workstation's zone
  }

  // The printed record says which call, when and by whom (print.css hides everything else).
  function printCall() {
    var c = state.calls[openId];
    var cfg = document.getElementById("page-config");
    var who = cfg ? JSON.parse(cfg.textContent).username : "";
    $("print-head").textContent =
      "ACS Dispatch · call " + (c ? c.number : "") + " · printed " + L.dateTime(new Date()) + " " + L.zoneName() + (who ? " by " + who : "");
    window.print();
  }

  // Earlier calls at the address, within 100 m or from the phone (90 days) and caution flags:
  // repeat calls are normal for ACS clients, and the dispatcher needs that context to send well.
  function loadHistory(id) {
    return L.api("GET", "/api/v1/calls/" + id + "/history").then(function (res) {
      var box = $("history");
      if (!box || openId !== id) return;
      if (!res.ok) {
        box.innerHTML = '<p class="muted">History unavailable.</p>';
        return;
      }
      var h = res.data;
      var parts = [];
      if (h.caution_flags.length) {
        parts.push('<ul class="cautions">' + h.caution_flags.map(function (f) {
          return '<li><span class="tag tag-warn">CAUTION</span> ' + esc(f.text) + (f.address ? ' <span class="muted">(' + esc(f.address) + ")</span>" : "") + "</li>";
        }).join("") + "</ul>");
      }
      if (h.calls.length) {
        parts.push('<table class="history-table"><caption>' + h.calls.length + " earlier call" + (h.calls.length === 1 ? "" : "s") + " in the last 90 days</caption>" +
          '<thead><tr><th scope="col">When</th><th scope="col">Call</th><th scope="col">Type</th><th scope="col">Disposition</th><th scope="col">Match</th></tr></thead><tbody>' +
          h.calls.map(function (c) {
            return "<tr><td>" + esc(when(c.received_at)) + "</td><td>" + esc(c.number) + "</td><td>" +
              (c.call_type ? esc(c.call_type.code + " " + c.call_type.name) : "—") + "</td><td>" +
              (c.disposition ? esc(c.disposition + " " + (c.disposition_description || "")) : esc(c.status)) + "</td><td>" +
              esc(c.matched.map(function (m) { return MATCH[m] || m; }).join(", ")) + "</td></tr>";
          }).join("") + "</tbody></table>");
      }
      box.innerHTML = parts.length ? parts.join("") : '<p class="muted">No earlier calls, no cautions.</p>';
    });
  }

  function loadRecs(id) {
    return L.api("GET", "/api/v1/calls/" + id + "/recommendations").then(function (res) {
      if (openId !== id) return;
      var box = $("recs");
      if (!res.ok) {
        recs = { callId: id, entries: [] };
        box.innerHTML = '<p class="flash flash-err">' + esc(L.errorText(res)) + "</p>";
        return;
      }
      recs = { callId: id, entries: res.data };
      var c = state.calls[id] || {};
      var holds = c.order_holds || {};
      box.innerHTML = res.data.map(function (e) {
        var units = (e.units || []).concat(e.fallback || []);
        var held = holds[e.agency];
        return (
          "<div><strong>" + L.agencyBadge(e.agency) + "</strong> " + (e.message ? '<span class="muted">' + esc(e.message) + "</span>" : "") +
          '<ul class="rec-list">' +
          units.map(function (u) {
            return "<li>" + (u.fallback ? '<span class="fallback">Fallback</span> ' : "") + "<strong>" + esc(u.call_sign) + "</strong>" +
              '<span class="dist">' + (u.distance_m / 1000).toFixed(1) + " km · ~" + esc(u.eta_min) + " min" + (u.in_zone ? " · in zone" : "") +
              // issue 13: where the position comes from (AVL), in words
              (u.position_at ? (u.position_stale ? " · position stale since " + esc(L.clockShort(u.position_at)) : " · live position") : "") + "</span>" +
              (held && u.agency === e.agency
                ? '<button type="button" data-ahead="' + esc(u.call_sign) + '">' + esc(u.call_sign) + ": needs a reason</button></li>"
                : '<button type="button" class="btn-go" data-assign="' + esc(u.call_sign) + '">Assign ' + esc(u.call_sign) + "</button></li>");
          }).join("") +
          "</ul></div>"
        );
      }).join("") || '<p class="muted">No agency on this call.</p>';
    });
  }

  var recsTimer = null;
  function refreshRecsSoon() {
    clearTimeout(recsTimer);
    recsTimer = setTimeout(function () {
      if (openId) loadRecs(openId);
    }, 400);
  }

  function firstRecommended() {
    if (!recs.entries) return null;
    var holds = (state.calls[recs.callId] || {}).order_holds || {};
    for (var i = 0; i < recs.entries.length; i++) {
      var e = recs.entries[i];
      if (holds[e.agency]) continue; // never the one-key choice while its lead is missing
      var units = (e.units || []).concat(e.fallback || []);
      if (units.length) return units[0].call_sign;
    }
    return null;
  }

  function flash(ok, text) {
    $("detail-flash").innerHTML = '<p class="flash ' + (ok ? "flash-ok" : "flash-err") + '">' + esc(text) + "</p>";
  }

  function assign(callId, callSign, reason) {
    var c = state.calls[callId];
    var body = { unit: callSign };
    if (reason) body.override_reason = reason;
    return L.api("POST", "/api/v1/calls/" + callId + "/assignments", body).then(function (res) {
      if (res.ok) {
        flash(true, callSign + " assigned to " + (c ? c.number : "the call") + (reason ? " (reason recorded)." : "."));
        resetAssignForm();
      } else if (res.data && res.data.error === "order_refused" && openId === callId) {
        askReason(callSign, res.data.detail);
        $("detail-flash").innerHTML = "";
      } else {
        flash(false, L.errorText(res));
      }
      if (openId === callId) loadRecs(callId);
      return res;
    });
  }

  // The call's order forbids this unit yet: say why, and let the dispatcher go ahead with a reason.
  function askReason(callSign, message) {
    $("as-unit").value = callSign;
    $("as-refusal").textContent = message;
    $("as-refusal").hidden = false;
    $("as-reason-row").hidden = false;
    $("as-reason").required = true;
    $("as-submit").textContent = "Assign anyway";
    $("as-reason").focus();
  }

  function resetAssignForm() {
    if (!$("assign-form")) return;
    $("assign-form").reset();
    $("as-refusal").hidden = true;
    $("as-reason-row").hidden = true;
    $("as-reason").required = false;
    $("as-submit").textContent = "Assign";
  }

  function submitAssignForm(ev) {
    ev.preventDefault();
    var callSign = $("as-unit").value.trim().split(/\s/)[0];
    if (!callSign) {
      flash(false, "Type a unit's call sign.");
      $("as-unit").focus();
      return;
    }
    var needsReason = !$("as-reason-row").hidden;
    var reason = $("as-reason").value.trim();
    if (needsReason && !reason) {
      flash(false, "Give a reason to go ahead.");
      $("as-reason").focus();
      return;
    }
    assign(openId, callSign, needsReason ? reason : "");
  }

  function assignFirst() {
    var id = openId || selectedId;
    if (!id) return;
    var go = function () {
      var cs = firstRecommended();
      if (cs) assign(id, cs);
      else flash(false, "No unit to recommend for this call.");
    };
    if (openId !== id) openCall(id);
    if (recs.callId === id && recs.entries) go();
    else loadRecs(id).then(go);
  }

  function submitOverride(ev) {
    ev.preventDefault();
    var form = ev.target;
    var agencies = Array.prototype.map.call(form.querySelectorAll("input[name=agencies]:checked"), function (i) {
      return i.value;
    });
    L.api("POST", "/api/v1/calls/" + openId + "/override", {
      agencies: agencies,
      lead: form.lead.value,
      priority: Number(form.priority.value),
      reason: form.reason.value,
    }).then(function (res) {
      flash(res.ok, res.ok ? "Triage overridden." : L.errorText(res));
      if (res.ok) loadRecs(openId);
    });
  }

  function submitClose(ev) {
    ev.preventDefault();
    var form = ev.target;
    if (!form.disposition.value) {
      flash(false, "Choose a disposition.");
      form.disposition.focus();
      return;
    }
    L.api("POST", "/api/v1/calls/" + openId + "/close", { disposition: form.disposition.value, note: form.note.value }).then(
      function (res) {
        flash(res.ok, res.ok ? "Call closed." : L.errorText(res));
      }
    );
  }

  function submitCancel(ev) {
    ev.preventDefault();
    var form = ev.target;
    L.api("POST", "/api/v1/calls/" + openId + "/cancel", { reason: form.reason.value }).then(function (res) {
      flash(res.ok, res.ok ? "Call cancelled." : L.errorText(res));
    });
  }

  // The codes the call's agencies use (an ACS-only call never offers an arrest), behind a
  // "choose" placeholder: a default choice is how calls get closed as a 988 hand-off by mistake.
  function loadDispositions(c) {
    var agencies = (c.agencies || []).slice().sort();
    var key = agencies.join(",");
    var fill = function () {
      var sel = $("cl-disposition");
      if (!sel || openId !== c.id || !dispositions[key]) return;
      sel.innerHTML = '<option value="">Choose a disposition</option>' + dispositions[key].map(function (d) {
        return '<option value="' + esc(d.code) + '">' + esc(d.code + " " + d.description) + "</option>";
      }).join("");
    };
    if (dispositions[key]) return fill();
    var query = agencies.map(function (a) { return "agency=" + encodeURIComponent(a); }).join("&");
    L.api("GET", "/api/v1/dispositions" + (query ? "?" + query : "")).then(function (res) {
      dispositions[key] = res.ok && Array.isArray(res.data) ? res.data : [];
      fill();
    });
  }

  // --- keyboard ------------------------------------------------------------------------------
  function move(step) {
    var calls = pendingCalls();
    if (!calls.length) return;
    var i = calls.findIndex(function (c) {
      return c.id === selectedId;
    });
    i = Math.max(0, Math.min(calls.length - 1, (i < 0 ? 0 : i + step)));
    selectedId = calls[i].id;
    renderQueue();
    var li = $("q-" + selectedId);
    if (li) li.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
    if (ev.key === "Escape") {
      // Escape inside the alerts tray is the tray's (it closes itself): leave the focus to it.
      if (ev.defaultPrevented || (t && t.closest && t.closest("#alerts, #lock-screen"))) return;
      $("queue").focus();
      return;
    }
    if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "j" || ev.key === "ArrowDown") {
      move(1);
      ev.preventDefault();
    } else if (ev.key === "k" || ev.key === "ArrowUp") {
      move(-1);
      ev.preventDefault();
    } else if (ev.key === "Enter" && (t === $("queue") || t === document.body || (t.closest && t.closest("#queue")))) {
      if (selectedId) openCall(selectedId);
      ev.preventDefault();
    } else if (ev.key === "a") {
      assignFirst();
      ev.preventDefault();
    }
  });

  document.addEventListener("click", function (ev) {
    var li = ev.target.closest && ev.target.closest("#queue li[data-id]");
    if (li) {
      selectedId = Number(li.dataset.id);
      renderQueue();
      openCall(selectedId);
      return;
    }
    var opener = ev.target.closest && ev.target.closest("[data-open]");
    if (opener) {
      openCall(Number(opener.dataset.open));
      return;
    }
    var assignBtn = ev.target.closest && ev.target.closest("[data-assign]");
    if (assignBtn && openId) assign(openId, assignBtn.dataset.assign);
    var aheadBtn = ev.target.closest && ev.target.closest("[data-ahead]");
    if (aheadBtn && openId) {
      var held = (state.calls[openId] || {}).order_holds || {};
      askReason(aheadBtn.dataset.ahead, held.ACS || "Give a reason to go ahead.");
    }
  });

  ["f-agency", "f-zone"].forEach(function (id) {
    $(id).addEventListener("change", render);
  });

  // On a wall screen the three columns fill the window below the header and scroll on their own;
  // the header's height changes (open alerts, the backup panel), so measure where the grid starts.
  function fitColumns() {
    var grid = document.querySelector(".board-grid");
    if (grid) grid.style.setProperty("--board-top", Math.max(0, grid.getBoundingClientRect().top + window.scrollY) + "px");
  }
  if (window.ResizeObserver) new ResizeObserver(fitColumns).observe(document.getElementById("main"));
  window.addEventListener("resize", fitColumns);
  fitColumns();

  window.ACSBoard = {
    live: L.connect({ path: "/ws/dispatch/", indicator: $("live"), onSnapshot: onSnapshot, onEvent: onEvent }),
    state: function () {
      return state;
    },
  };
})();
