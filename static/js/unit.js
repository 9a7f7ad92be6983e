/* Unit dashboard: a responder's own unit on a tablet. State from /ws/unit/ (snapshot, then the
 * events of this unit's stream); actions through the REST API. A new, unacknowledged assignment
 * pops up over everything with a beep until it is acknowledged. */
(function () {
  "use strict";
  var L = window.ACSLive;
  var esc = L.esc;
  var $ = function (id) {
    return document.getElementById(id);
  };
  var screen = $("unit-screen");
  var CALL_SIGN = screen.dataset.callSign;
  var IS_ACS = screen.dataset.agency === "ACS";
  var IS_POLICE = screen.dataset.agency === "POLICE";
  var LANGUAGES = JSON.parse($("caller-languages").textContent);

  var state = { unit: null, call: null, notes: {}, alerts: {}, history: [] };
  // issue 13: static/js/unit_avl.js sends positions only while the unit is on duty.
  window.ACSUnitOnDuty = function () {
    return !!state.unit && state.unit.status !== "OUT_OF_SERVICE";
  };
  var alerted = {}; // assignment ids already announced
  var extra = { callId: null, loaded: false, cautions: [], earlier: [] };

  // --- reducer -------------------------------------------------------------------------------
  function onSnapshot(snap) {
    state.unit = snap.unit;
    state.call = snap.call;
    state.notes = {};
    (snap.notes || []).forEach(function (n) {
      state.notes[n.id] = n;
    });
    state.alerts = {};
    (snap.alerts || []).forEach(function (a) {
      state.alerts[a.id] = a;
    });
    state.history = snap.history || [];
    render();
  }

  function onEvent(frame) {
    var d = frame.data || {};
    var me = state.unit;
    if (d.unit && me && d.unit.id === me.id) {
      if (d.unit.status !== me.status || d.unit.call_id !== me.call_id) {
        state.history.unshift({
          event_id: frame.id,
          kind: frame.kind,
          at: frame.at,
          status: d.unit.status,
          call_number: d.unit.call_number,
        });
        state.history = state.history.slice(0, 30);
      }
      state.unit = d.unit;
    }
    if (d.call && me) {
      var onIt = (d.call.units || []).some(function (u) {
        return u.unit_id === me.id;
      });
      if (onIt) state.call = d.call;
      else if (state.call && state.call.id === d.call.id) state.call = null;
    }
    if (d.note && d.note.id && state.call && d.note.call_id === state.call.id) state.notes[d.note.id] = d.note;
    if (d.alert && d.alert.id) {
      if (d.alert.acknowledged_at || d.alert.resolved_at) delete state.alerts[d.alert.id];
      else state.alerts[d.alert.id] = d.alert;
    }
    render();
    // Police made the scene safe: the waiting ACS team hears it at once, not at its next glance.
    if (frame.kind === "assignment.scene_safe" && d.scene_safe && me && d.unit && d.unit.id !== me.id) {
      flash(true, "Police (" + d.scene_safe.unit + ") report the scene safe.");
      beep();
    }
  }

  function myAssignment() {
    if (!state.call || !state.unit) return null;
    return (
      (state.call.units || []).find(function (u) {
        return u.unit_id === state.unit.id;
      }) || null
    );
  }

  // --- rendering -----------------------------------------------------------------------------
  function render() {
    var u = state.unit;
    if (!u) return;
    $("unit-status").innerHTML = L.statusBadge(u.status);
    $("unit-since").dataset.since = u.status_since;
    renderCall();
    renderButtons();
    renderNotes();
    renderAlerts();
    renderHistory();
    announce();
    L.tick();
  }

  // Every danger known for the call: screening answers, what the narrative says (with the words),
  // safety guards that fired (calls.policies.call_dangers), and caution flags at the location.
  function safetyText(c) {
    var safety = (c.dangers || []).map(function (d) {
      return d.label + ": " + d.details.map(function (x) {
        return x.text + " (" + x.source.replace("_", " ") + ")";
      }).join("; ");
    });
    if (extra.callId === c.id) extra.cautions.forEach(function (f) { safety.push("Caution at this location: " + f); });
    if (safety.length) return '<ul class="safety">' + safety.map(function (t) { return "<li>" + esc(t) + "</li>"; }).join("") + "</ul>";
    if (extra.callId === c.id && extra.loaded) return "None reported";
    return "None reported so far (checking cautions at this location…)";
  }

  // Police make the scene safe first: an ACS team waits until they report it safe.
  function sceneNote(c) {
    if (!c.police_first) return "";
    if (c.scene_safe_at) {
      var by = (c.units || []).filter(function (x) { return x.scene_safe_at; }).map(function (x) { return x.unit; });
      return '<p class="scene-note scene-safe" role="status">Police (' + esc(by.join(", ")) + ") report the scene safe at " + esc(L.clock(c.scene_safe_at)) + ".</p>";
    }
    if (IS_ACS) return '<p class="scene-note" role="status">Wait for police: they make the scene safe first (' + esc(c.police_first) + "). Stage nearby until they report it safe.</p>";
    if (IS_POLICE) return '<p class="scene-note" role="status">ACS waits for you: report the scene safe when it is (' + esc(c.police_first) + ").</p>";
    return "";
  }

  function otherUnits(c) {
    var others = (c.units || []).filter(function (x) {
      return x.unit_id !== state.unit.id;
    });
    var needed = (c.missing_agencies || []).map(function (a) { return L.AGENCY_LABELS[a] || a; });
    var listed = others.map(function (x) {
      return L.agencyBadge(x.agency) + " " + esc(x.unit) + " " + L.statusBadge(x.unit_status) +
        (x.staged ? " (staged)" : "") + (x.scene_safe_at ? " · scene safe" : "");
    }).join(", ");
    return (listed || "None yet") + (needed.length ? ' <span class="muted">· still to be sent: ' + esc(needed.join(", ")) + "</span>" : "");
  }

  function callDetails(c) {
    return (
      "<dl>" +
      "<dt>Call</dt><dd><strong>" + esc(c.number) + "</strong> " + L.priorityBadge(c.priority) + " " + L.statusBadge(c.status) + "</dd>" +
      "<dt>Type</dt><dd>" + esc(c.call_type ? c.call_type.code + " " + c.call_type.name : "(no type)") + "</dd>" +
      "<dt>Location</dt><dd>" + esc(c.address || "(no address)") + (c.zone ? " · " + esc(c.zone) : "") +
      (c.lat !== null && c.lon !== null ? ' <span class="muted">(' + Number(c.lat).toFixed(5) + ", " + Number(c.lon).toFixed(5) + ")</span>" : "") + "</dd>" +
      "<dt>Narrative</dt><dd>" + esc(c.narrative) + "</dd>" +
      "<dt>Safety</dt><dd>" + safetyText(c) + sceneNote(c) + "</dd>" +
      "<dt>Triage</dt><dd>" + (c.reasons && c.reasons.length ? '<ul class="reasons">' + c.reasons.map(function (r) { return "<li>" + esc(r) + "</li>"; }).join("") + "</ul>" : "–") + "</dd>" +
      "<dt>Other units</dt><dd>" + otherUnits(c) + "</dd>" +
      "<dt>Caller</dt><dd>" + esc(c.caller_name || "–") + (c.caller_phone ? " · " + esc(c.caller_phone) : "") + "</dd>" +
      "<dt>Language</dt><dd>" + languageText(c) + "</dd>" +
      "<dt>Earlier calls</dt><dd>" + earlierCalls(c) + "</dd>" +
      "</dl>"
    );
  }

  // The caller's language and whether an interpreter is needed: the crew knows before arriving.
  function languageText(c) {
    var known = c.caller_language ? LANGUAGES[c.caller_language] || c.caller_language : "";
    var parts = [];
    if (known) parts.push('<strong class="caller-language">Speaks ' + esc(known) + "</strong>");
    if (c.interpreter_needed) parts.push('<span class="tag tag-warn interpreter">Interpreter needed</span>');
    return parts.length ? parts.join(" · ") : "Not known";
  }

  // Repeat calls are normal for ACS clients: what happened here before is part of the briefing.
  function earlierCalls(c) {
    if (extra.callId !== c.id || !extra.earlier.length) return "None in the last 90 days";
    return '<ul class="earlier">' + extra.earlier.slice(0, 5).map(function (e) {
      var when = new Date(e.received_at).toLocaleDateString("en-US", { timeZone: "America/Denver" });
      return "<li>" + esc(when) + " · " + esc(e.call_type ? e.call_type.name : "(no type)") + " · " +
        esc(e.disposition_description || e.disposition || e.status) + "</li>";
    }).join("") + "</ul>" + (extra.earlier.length > 5 ? "and " + (extra.earlier.length - 5) + " more" : "");
  }

  function renderCall() {
    var c = state.call;
    $("call-body").innerHTML = c ? callDetails(c) : '<p class="muted">No call assigned.</p>';
    if (c && extra.callId !== c.id) loadCautions(c.id);
  }

  function loadCautions(callId) {
    extra = { callId: callId, loaded: false, cautions: [], earlier: [] };
    L.api("GET", "/api/v1/calls/" + callId + "/history").then(function (res) {
      if (!res.ok || extra.callId !== callId) return;
      var flags = res.data.caution_flags || res.data.cautions || [];
      extra.cautions = flags.map(function (f) {
        return typeof f === "string" ? f : f.text;
      });
      extra.earlier = res.data.calls || [];
      extra.loaded = true;
      render();
    });
  }

  function renderButtons() {
    var a = myAssignment();
    var status = state.unit.status;
    var enable = {
      acknowledge: !!a && !a.acknowledged_at,
      EN_ROUTE: !!a && (status === "DISPATCHED"),
      ON_SCENE: !!a && (status === "DISPATCHED" || status === "EN_ROUTE"),
      "backup-POLICE": !!a && (status === "ON_SCENE" || status === "EN_ROUTE" || status === "DISPATCHED"),
      "backup-FIRE_EMS": !!a && (status === "ON_SCENE" || status === "EN_ROUTE" || status === "DISPATCHED"),
      "scene-safe": !!a && IS_POLICE && !a.scene_safe_at,
      AVAILABLE: !a && status !== "AVAILABLE",
      OUT_OF_SERVICE: !a && status !== "OUT_OF_SERVICE",
    };
    document.querySelectorAll("[data-action]").forEach(function (btn) {
      var key = btn.dataset.action;
      if (key in enable) btn.disabled = !enable[key];
    });
    $("clear-btn").disabled = !a;
    $("clear-disposition").disabled = !a;
    if (!enable["backup-POLICE"] && !$("backup-form").hidden) backupClose(false);
  }

  function renderNotes() {
    var panel = $("notes-panel");
    panel.hidden = !(IS_ACS && state.call);
    if (panel.hidden) return;
    var notes = Object.values(state.notes).sort(function (x, y) {
      return x.id - y.id;
    });
    $("notes").innerHTML = notes.length
      ? notes.map(function (n) {
          return '<div class="note"><span class="muted">' + esc(L.clock(n.created_at)) + " " + esc(n.author || "") + "</span><br>" + esc(n.text) + "</div>";
        }).join("")
      : '<p class="muted">No notes yet.</p>';
  }

  function renderAlerts() {
    var alerts = Object.values(state.alerts);
    $("unit-alerts").innerHTML = alerts.length
      ? alerts.map(function (a) {
          return '<li class="alert-row alert-level-' + esc(a.level) + '">' + esc(a.level_label || "Alert") + ": " + esc(a.message) + "</li>";
        }).join("")
      : '<li class="muted">No open alert.</li>';
  }

  function renderHistory() {
    $("history").innerHTML = state.history.length
      ? state.history.map(function (h) {
          return "<li>" + esc(L.clock(h.at)) + " " + L.statusBadge(h.status) + (h.call_number ? " · " + esc(h.call_number) : "") + "</li>";
        }).join("")
      : '<li class="muted">No status change yet.</li>';
  }

  // --- the assignment alert ------------------------------------------------------------------
  var audio = null;
  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
      [0, 0.35, 0.7].forEach(function (t) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = "square";
        osc.frequency.value = 880;
        gain.gain.value = 0.15;
        osc.connect(gain);
        gain.connect(audio.destination);
        osc.start(audio.currentTime + t);
        osc.stop(audio.currentTime + t + 0.2);
      });
    } catch (err) {
      /* no audio device: the visual alert still shows */
    }
  }

  function announce() {
    var a = myAssignment();
    var overlay = $("assign-alert");
    if (a && !a.acknowledged_at) {
      $("assign-alert-body").innerHTML = callDetails(state.call);
      if (overlay.hidden) {
        overlay.hidden = false;
        $("assign-alert-ack").focus();
      }
      if (!alerted[a.id]) {
        alerted[a.id] = true;
        beep();
      }
    } else {
      overlay.hidden = true;
    }
  }

  // --- actions -------------------------------------------------------------------------------
  function flash(ok, text) {
    $("flash").innerHTML = '<p class="flash ' + (ok ? "flash-ok" : "flash-err") + '">' + esc(text) + "</p>";
  }

  function act(key) {
    var a = myAssignment();
    var req;
    if (key === "acknowledge") {
      if (!a) return;
      req = L.api("POST", "/api/v1/assignments/" + a.id + "/acknowledge", {});
    } else if (key === "scene-safe") {
      if (!a) return;
      req = L.api("POST", "/api/v1/assignments/" + a.id + "/scene-safe", {});
    } else if (key.indexOf("backup-") === 0) {
      if (state.call) backupOpen(key.slice(7));
      return;
    } else {
      req = L.api("POST", "/api/v1/units/" + encodeURIComponent(CALL_SIGN) + "/status", { status: key });
    }
    req.then(function (res) {
      flash(res.ok, res.ok ? "Done." : L.errorText(res));
      if (res.ok && key === "acknowledge") $("assign-alert").hidden = true;
    });
  }

  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("[data-action]");
    if (btn && !btn.disabled) act(btn.dataset.action);
  });

  // --- backup request: a short form asking why (required), Enter sends, Esc cancels ----------------
  var backup = { agency: null, opener: null };

  function backupError(text) {
    var p = $("backup-reason-error");
    p.textContent = text || "";
    p.hidden = !text;
    if (text) $("backup-reason").setAttribute("aria-invalid", "true");
    else $("backup-reason").removeAttribute("aria-invalid");
  }

  function backupOpen(agency) {
    backup = { agency: agency, opener: document.activeElement };
    $("backup-h").textContent = "Request " + (L.AGENCY_LABELS[agency] || agency) + " backup";
    $("backup-reason-label").textContent = "Why do you need " + (L.AGENCY_LABELS[agency] || agency) + "?";
    $("backup-reason").value = "";
    backupError("");
    $("backup-form").hidden = false;
    $("backup-reason").focus();
  }

  function backupClose(refocus) {
    $("backup-form").hidden = true;
    backupError("");
    if (refocus && backup.opener && backup.opener.focus) backup.opener.focus();
    backup = { agency: null, opener: null };
  }

  $("backup-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var reason = $("backup-reason").value.trim();
    if (!reason) {
      backupError("Give a reason: the dispatcher tells the backup what they will face.");
      $("backup-reason").focus();
      return;
    }
    if (!state.call || !backup.agency) return;
    var agency = backup.agency;
    $("backup-send").disabled = true;
    L.api("POST", "/api/v1/calls/" + state.call.id + "/backup", { agency: agency, reason: reason }).then(function (res) {
      $("backup-send").disabled = false;
      if (res.ok) {
        backupClose(true);
        flash(true, (L.AGENCY_LABELS[agency] || agency) + " backup requested.");
        return;
      }
      var errors = (res.data && (res.data.errors || res.data)) || {};
      if (res.status === 400 && errors.reason) {
        backupError([].concat(errors.reason).join(" "));
        $("backup-reason").focus();
      } else {
        backupClose(true);
        flash(false, L.errorText(res));
      }
    });
  });

  $("backup-cancel").addEventListener("click", function () {
    backupClose(true);
  });

  $("backup-form").addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") {
      ev.preventDefault();
      backupClose(true);
    }
  });

  $("clear-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var a = myAssignment();
    if (!a) return;
    if (!$("clear-disposition").value) {
      flash(false, "Choose a disposition first.");
      $("clear-disposition").focus();
      return;
    }
    var body = { disposition: $("clear-disposition").value };
    // Issue 14: where an ACS team took the person (static/js/facilities.js fills the list).
    if ($("clear-destination") && $("clear-destination").value) body.destination = Number($("clear-destination").value);
    L.api("POST", "/api/v1/assignments/" + a.id + "/clear", body).then(
      function (res) {
        flash(res.ok, res.ok ? "Cleared." : L.errorText(res));
      }
    );
  });

  $("note-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!state.call) return;
    var text = $("note-text").value;
    L.api("POST", "/api/v1/calls/" + state.call.id + "/notes", { text: text }).then(function (res) {
      flash(res.ok, res.ok ? "Note saved." : L.errorText(res));
      if (res.ok) $("note-text").value = "";
    });
  });

  L.api("GET", "/api/v1/dispositions").then(function (res) {
    var list = res.ok && Array.isArray(res.data) ? res.data.slice() : [];
    if (IS_ACS) list.sort(function (x, y) { return (y.acs_outcome ? 1 : 0) - (x.acs_outcome ? 1 : 0); });
    // No default outcome: a tired thumb must not close a call as the first code in the list.
    $("clear-disposition").innerHTML = '<option value="">Choose a disposition</option>' + list.map(function (d) {
      return '<option value="' + esc(d.code) + '">' + esc(d.code + " " + d.description) + "</option>";
    }).join("");
  });

  window.ACSUnit = {
    live: L.connect({ path: "/ws/unit/", indicator: $("live"), onSnapshot: onSnapshot, onEvent: onEvent }),
    state: function () {
      return state;
    },
  };
})();
