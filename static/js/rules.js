/* Rule editor: edit a draft's rules in place, autosave them (debounced) with optimistic locking,
   show validation errors next to the field at fault, run the test bench, the "try a call" box and
   the what-if replay (chunk by chunk, with progress). Talks only to /api/v1/rulesets/... */
import { api as request } from "./lib/api.js";
import { h } from "./lib/dom.js";

const editorRoot = document.getElementById("rule-editor");
if (editorRoot) ruleEditor(editorRoot);

function ruleEditor(root) {
  const data = JSON.parse(document.getElementById("editor-data").textContent);
  const api = root.dataset.api;
  const list = document.getElementById("rules");
  const statusEl = document.getElementById("save-status");
  const issueCount = document.getElementById("issue-count");
  const stale = document.getElementById("stale-banner");

  const SCREENING = [["weapons", "Weapons"], ["violence", "Violence"], ["medical", "Medical emergency"], ["caller_is_subject", "Caller is the subject"]];
  const ANSWERS = ["yes", "no", "unknown"];
  const KEYWORDS = [["keywords_any", "Any of these words or phrases"], ["keywords_all", "All of these"], ["keywords_none", "None of these"]];
  const modes = Object.fromEntries(data.modes.map((m) => [m.code, m]));

  let rules = data.rules;
  let lockVersion = data.lock_version;
  let dirty = false;
  let saving = null; // the in-flight save promise
  let timer = null;
  let frozen = false; // a stale draft: stop saving until reload
  let problems = 0; // validation problems of what is on screen (saved or refused)
  const publishForm = document.getElementById("publish-form");
  const publishMsg = document.getElementById("publish-msg");

  // --- helpers --------------------------------------------------------------------------------------
  const el = h; // lib/dom.js: attributes, `text`, on* listeners, children
  // The API's answer as {status, ok, body, error}: the editor reads refusals' bodies (409 stale
  // draft, 400 field problems). lib/api.js sends the CSRF token and reads the error shape.
  async function call(method, url, body) {
    try {
      return { status: 200, ok: true, body: await request(url, { method, body }) };
    } catch (err) {
      return { status: err.status ?? 0, ok: false, body: err.body || null, error: err };
    }
  }
  function lines(text) { return text.split("\n").map((s) => s.trim()).filter(Boolean); }
  function errSlot(id, field) { return el("div", { class: "field-error", id, "data-err": field, "aria-live": "polite" }); }

  // --- rendering one rule ---------------------------------------------------------------------------
  function ruleCard(rule, i) {
    const c = rule.conditions || {};
    const id = (f) => `r${i}-${f.replace(/\./g, "-")}`;
    const li = el("li", { class: "rule" + (rule.enabled === false ? " disabled-rule" : ""), "data-index": i });
    const heading = el("h2", { id: id("h") }, `Rule ${i + 1}: `, el("span", { class: "rule-name", text: rule.name || "(unnamed)" }));
    const label = rule.name || `rule ${i + 1}`;
    const tools = el("div", { class: "rule-tools" },
      el("label", { class: "check" }, el("input", { type: "checkbox", "data-field": "enabled", checked: rule.enabled !== false }), " Enabled"),
      el("button", { type: "button", "data-act": "up", "aria-label": `Move ${label} up`, disabled: i === 0 }, "↑ Up"),
      el("button", { type: "button", "data-act": "down", "aria-label": `Move ${label} down`, disabled: i === rules.length - 1 }, "↓ Down"),
      el("button", { type: "button", "data-act": "delete", class: "btn-danger", "aria-label": `Delete ${label}` }, "Delete"));
    const section = el("section", { "aria-labelledby": id("h") }, el("header", { class: "rule-head" }, heading, tools), errSlot(id("err-rule"), "rule"));

    section.append(
      el("label", { for: id("name") }, "Name"),
      el("input", { id: id("name"), "data-field": "name", value: rule.name || "", maxlength: 120, "aria-describedby": id("err-name") }),
      errSlot(id("err-name"), "name"));

    const conds = el("fieldset", { class: "conditions" }, el("legend", {}, "Conditions (all must hold)"), errSlot(id("err-conditions"), "conditions"));
    conds.append(el("label", { class: "check" },
      el("input", { type: "checkbox", "data-field": "conditions.always", checked: c.always === true, "aria-describedby": id("err-conditions-always") }),
      " Catch-all: matches every call that reaches it"), errSlot(id("err-conditions-always"), "conditions.always"));

    // Call types: chips plus a type-ahead input over code and name (the datalist).
    const chips = el("ul", { class: "chips", "aria-label": "Call types of this rule" });
    for (const code of c.call_types || []) {
      const known = data.call_types.find((t) => t.code === code);
      chips.append(el("li", {}, el("span", { text: known ? `${code} ${known.name}` : code }),
        el("button", { type: "button", "data-act": "remove-type", "data-code": code, "aria-label": `Remove call type ${code}` }, "×")));
    }
    conds.append(el("div", { class: "cond" },
      el("label", { for: id("types") }, "Call types (any of)"), chips,
      el("div", { class: "row" },
        el("input", { id: id("types"), list: "call-type-list", "data-role": "type-input", placeholder: "Type a code or a name", "aria-describedby": id("err-conditions-call_types") }),
        el("button", { type: "button", "data-act": "add-type" }, "Add call type")),
      errSlot(id("err-conditions-call_types"), "conditions.call_types")));

    for (const [kind, text] of KEYWORDS) {
      conds.append(el("div", { class: "cond" },
        el("label", { for: id(kind) }, `${text} `, el("span", { class: "muted", text: "(one per line)" })),
        el("textarea", { id: id(kind), rows: 2, "data-field": `conditions.${kind}`, "aria-describedby": id(`err-conditions-${kind}`) }, (c[kind] || []).join("\n")),
        errSlot(id(`err-conditions-${kind}`), `conditions.${kind}`)));
    }
    const screening = el("div", { class: "screening-grid" });
    for (const [q, text] of SCREENING) {
      const fs = el("fieldset", { "aria-describedby": id(`err-conditions-${q}`) }, el("legend", {}, text));
      for (const a of ANSWERS) {
        fs.append(el("label", { class: "check" }, el("input", { type: "checkbox", "data-answer": q, value: a, checked: (c[q] || []).includes(a) }), ` ${a}`));
      }
      fs.append(errSlot(id(`err-conditions-${q}`), `conditions.${q}`));
      screening.append(fs);
    }
    conds.append(el("p", { class: "muted" }, "Screening answers: tick the answers the rule accepts; none ticked = any answer."), screening);

    const zoneSelect = el("select", { id: id("zones"), multiple: true, size: Math.min(Math.max(data.zones.length, 2), 6), "data-field": "conditions.zones", "aria-describedby": id("err-conditions-zones") });
    for (const z of data.zones) zoneSelect.append(el("option", { value: z, selected: (c.zones || []).includes(z) }, z));
    for (const z of c.zones || []) if (!data.zones.includes(z)) zoneSelect.append(el("option", { value: z, selected: true }, `${z} (unknown)`));
    conds.append(el("div", { class: "cond" }, el("label", { for: id("zones") }, "Zones (any of; none selected = anywhere)"), zoneSelect, errSlot(id("err-conditions-zones"), "conditions.zones")));

    const tw = c.time_window || {};
    conds.append(el("div", { class: "cond row" },
      el("label", { for: id("tw-start") }, "From (local time)"), el("input", { id: id("tw-start"), type: "time", "data-field": "tw-start", value: tw.start || "" }),
      el("label", { for: id("tw-end") }, "to"), el("input", { id: id("tw-end"), type: "time", "data-field": "tw-end", value: tw.end || "", "aria-describedby": id("err-conditions-time_window") })),
      errSlot(id("err-conditions-time_window"), "conditions.time_window"));
    section.append(conds);

    const outcome = rule.outcome || {};
    const modeSelect = el("select", { id: id("mode"), "data-field": "outcome.mode", "aria-describedby": `${id("mode-info")} ${id("err-outcome-mode")}` });
    for (const m of data.modes) modeSelect.append(el("option", { value: m.code, selected: m.code === outcome.mode }, `${m.agencies.join(" + ")} (lead ${m.lead}): ${m.label}`));
    const prio = el("select", { id: id("priority"), "data-field": "outcome.priority", "aria-describedby": id("err-outcome-priority") });
    for (const p of [1, 2, 3, 4]) prio.append(el("option", { value: p, selected: p === outcome.priority }, `P${p}${p === 1 ? " (most urgent)" : ""}`));
    const info = modes[outcome.mode];
    section.append(el("fieldset", { class: "outcome" }, el("legend", {}, "Outcome"),
      el("label", { for: id("mode") }, "Who goes"), modeSelect,
      el("p", { id: id("mode-info"), class: "muted mode-info" }, info ? `Agencies: ${info.agencies.join(", ")} · Lead: ${info.lead}` : ""),
      errSlot(id("err-outcome-mode"), "outcome.mode"),
      el("label", { for: id("priority") }, "Priority"), prio, errSlot(id("err-outcome-priority"), "outcome.priority"),
      el("label", { for: id("explanation") }, "Explanation (dispatchers read it in the triage reasons)"),
      el("textarea", { id: id("explanation"), rows: 2, "data-field": "explanation", "aria-describedby": id("err-explanation") }, rule.explanation || ""),
      errSlot(id("err-explanation"), "explanation")));
    li.append(section);
    return li;
  }

  function render(focus) {
    list.replaceChildren(...rules.map(ruleCard));
    if (focus) {
      const target = list.querySelector(focus);
      if (target && !target.disabled) target.focus();
      else { const h = list.querySelector(`li[data-index="${focus.match(/\d+/)?.[0]}"] input`); if (h) h.focus(); }
    }
  }

  // --- reading a card back --------------------------------------------------------------------------
  function readCard(li) {
    const i = Number(li.dataset.index);
    const old = rules[i];
    const q = (f) => li.querySelector(`[data-field="${f}"]`);
    const conditions = {};
    if (q("conditions.always").checked) conditions.always = true;
    const types = (old.conditions && old.conditions.call_types) || [];
    if (types.length) conditions.call_types = types;
    for (const [kind] of KEYWORDS) { const v = lines(q(`conditions.${kind}`).value); if (v.length) conditions[kind] = v; }
    for (const [name] of SCREENING) {
      const ticked = [...li.querySelectorAll(`[data-answer="${name}"]:checked`)].map((x) => x.value);
      if (ticked.length) conditions[name] = ticked;
    }
    const zones = [...q("conditions.zones").selectedOptions].map((o) => o.value);
    if (zones.length) conditions.zones = zones;
    const start = q("tw-start").value, end = q("tw-end").value;
    if (start || end) conditions.time_window = { start, end };
    return {
      name: q("name").value.trim(),
      enabled: q("enabled").checked,
      conditions,
      outcome: { mode: q("outcome.mode").value, priority: Number(q("outcome.priority").value) },
      explanation: q("explanation").value.trim(),
    };
  }

  list.addEventListener("input", onEdit);
  list.addEventListener("change", onEdit);
  function onEdit(event) {
    const li = event.target.closest("li.rule");
    if (!li || event.target.dataset.role === "type-input") return;
    const i = Number(li.dataset.index);
    rules[i] = readCard(li);
    li.querySelector(".rule-name").textContent = rules[i].name || "(unnamed)";
    li.classList.toggle("disabled-rule", !rules[i].enabled);
    const info = modes[rules[i].outcome.mode];
    li.querySelector(".mode-info").textContent = info ? `Agencies: ${info.agencies.join(", ")} · Lead: ${info.lead}` : "";
    changed();
  }

  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-act]");
    if (!button) return;
    const li = button.closest("li.rule");
    const i = Number(li.dataset.index);
    const act = button.dataset.act;
    if (act === "up" && i > 0) { [rules[i - 1], rules[i]] = [rules[i], rules[i - 1]]; render(`li[data-index="${i - 1}"] [data-act="up"]`); changed(); }
    else if (act === "down" && i < rules.length - 1) { [rules[i + 1], rules[i]] = [rules[i], rules[i + 1]]; render(`li[data-index="${i + 1}"] [data-act="down"]`); changed(); }
    else if (act === "delete") {
      if (!window.confirm(`Delete rule ${i + 1} "${rules[i].name}"?`)) return;
      rules.splice(i, 1); render(`li[data-index="${Math.max(i - 1, 0)}"] [data-field="name"]`); changed();
    } else if (act === "add-type") { addType(li, i); }
    else if (act === "remove-type") {
      rules[i] = readCard(li);
      const types = (rules[i].conditions.call_types || []).filter((t) => t !== button.dataset.code);
      if (types.length) rules[i].conditions.call_types = types; else delete rules[i].conditions.call_types;
      render(`#r${i}-types`); changed();
    }
  });
  list.addEventListener("keydown", (event) => {
    if (event.target.dataset.role === "type-input" && event.key === "Enter") {
      event.preventDefault();
      const li = event.target.closest("li.rule");
      addType(li, Number(li.dataset.index));
    }
  });
  function addType(li, i) {
    const input = li.querySelector('[data-role="type-input"]');
    const raw = input.value.trim();
    if (!raw) return;
    // Accept "CODE", "CODE — name" or a name typed in full.
    const code = raw.split(" — ")[0].trim();
    const known = data.call_types.find((t) => t.code.toUpperCase() === code.toUpperCase() || t.name.toUpperCase() === raw.toUpperCase());
    rules[i] = readCard(li);
    const types = rules[i].conditions.call_types || [];
    const value = known ? known.code : code.toUpperCase();
    if (!types.includes(value)) types.push(value);
    rules[i].conditions.call_types = types;
    render(`#r${i}-types`); changed();
  }

  document.getElementById("add-rule").addEventListener("click", () => {
    let n = rules.length + 1;
    while (rules.some((r) => r.name === `New rule ${n}`)) n += 1;
    rules.push({ name: `New rule ${n}`, enabled: true, conditions: {}, outcome: { mode: "POLICE_ALONE", priority: 3 }, explanation: "" });
    render(`li[data-index="${rules.length - 1}"] [data-field="name"]`);
    changed();
  });

  // --- saving ---------------------------------------------------------------------------------------
  function changed() {
    if (frozen) return;
    dirty = true;
    statusEl.textContent = "Unsaved changes…";
    clearTimeout(timer);
    timer = setTimeout(save, 700);
  }
  async function save() {
    clearTimeout(timer);
    if (frozen) return false;
    if (saving) { await saving; if (!dirty) return true; }
    if (!dirty) return true;
    dirty = false;
    statusEl.textContent = "Saving…";
    const sent = JSON.parse(JSON.stringify(rules));
    saving = call("PUT", `${api}/rules`, { lock_version: lockVersion, rules: sent });
    const r = await saving;
    saving = null;
    if (r.ok) {
      lockVersion = r.body.lock_version;
      document.getElementById("publish-lock").value = lockVersion;
      statusEl.textContent = `Saved (revision ${lockVersion})`;
      showIssues([]);
      return !dirty || save();
    }
    if (r.status === 409) {
      frozen = true;
      statusEl.textContent = "Not saved";
      stale.hidden = false;
      stale.replaceChildren(el("p", {}, el("strong", {}, "Not saved: "), (r.body && r.body.detail) || "This draft changed elsewhere."),
        el("button", { type: "button", onclick: () => window.location.reload() }, "Reload the draft"));
      stale.focus?.();
      return false;
    }
    if (r.status === 400 && r.body) {
      statusEl.textContent = "Not saved: fix the problems marked below";
      showIssues(r.body.errors || [{ index: -1, field: "rules", message: r.body.detail || JSON.stringify(r.body), rule: "" }]);
      return false;
    }
    statusEl.textContent = `Not saved: the server answered ${r.status}; your changes are kept here, retrying…`;
    dirty = true;
    timer = setTimeout(save, 3000);
    return false;
  }
  async function flush() { if (dirty || saving) return save(); return true; }

  function showIssues(issues) {
    for (const slot of list.querySelectorAll(".field-error")) slot.textContent = "";
    for (const node of list.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
    const global = [];
    for (const issue of issues) {
      const li = list.querySelector(`li[data-index="${issue.index}"]`);
      if (!li) { global.push(issue.message); continue; }
      const slot = li.querySelector(`[data-err="${issue.field}"]`) || li.querySelector('[data-err="rule"]');
      slot.textContent = (slot.textContent ? slot.textContent + " " : "") + issue.message;
      const input = li.querySelector(`[data-field="${issue.field}"]`) || (issue.field === "conditions.call_types" ? li.querySelector('[data-role="type-input"]') : null);
      if (input) input.setAttribute("aria-invalid", "true");
    }
    problems = issues.length;
    issueCount.textContent = issues.length ? `${problemsText(issues.length)} to fix before publishing${global.length ? ": " + global.join("; ") : ""}` : "";
    // The button says how many problems stand in the way; publishing is refused until they are fixed.
    document.getElementById("publish-problems").textContent = issues.length ? ` (${problemsText(issues.length)} to fix first)` : "";
    document.getElementById("publish-btn").setAttribute("aria-disabled", issues.length ? "true" : "false");
    if (!issues.length) { publishMsg.hidden = true; publishMsg.textContent = ""; }
  }
  function problemsText(n) { return `${n} problem${n === 1 ? "" : "s"}`; }

  window.addEventListener("beforeunload", (event) => { if (dirty || saving) { event.preventDefault(); event.returnValue = ""; } });

  // --- publish: what is on screen, or nothing -------------------------------------------------------
  // The rules on screen go with the request and the server saves them first, in the same
  // transaction; rules with problems (or a saved draft with problems) get 409 and nothing changes.
  // (A refused autosave leaves the screen ahead of the saved draft: publishing the saved one then
  // would put live what nobody was looking at.)
  function publishRefused(text) {
    publishMsg.textContent = text;
    publishMsg.hidden = false;
  }
  publishForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearTimeout(timer);
    if (saving) await saving;
    if (frozen) { publishRefused("Not published: this draft changed elsewhere; reload it first."); return; }
    const notes = publishForm.querySelector("[name=notes]").value;
    const r = await call("POST", `${api}/publish`, { notes, lock_version: lockVersion, rules: JSON.parse(JSON.stringify(rules)) });
    if (r.ok) {
      dirty = false;
      window.location.assign(`${window.location.pathname}?published`);
      return;
    }
    const body = r.body || {};
    if (r.status === 409 && r.error.code === "draft_has_problems") {
      showIssues(body.errors || []);
      statusEl.textContent = "Not saved: fix the problems marked below";
      publishRefused(`Not published: ${problemsText(body.problems || (body.errors || []).length)} to fix before publishing. The live version is unchanged.`);
      const first = list.querySelector("[aria-invalid]");
      if (first) first.focus();
      return;
    }
    if (r.status === 409) {
      frozen = true;
      stale.hidden = false;
      stale.replaceChildren(el("p", {}, el("strong", {}, "Not published: "), body.detail || "This draft changed elsewhere."),
        el("button", { type: "button", onclick: () => window.location.reload() }, "Reload the draft"));
      publishRefused(`Not published: ${body.detail || "this draft changed elsewhere"}`);
      return;
    }
    const fields = body.errors && !Array.isArray(body.errors) ? Object.values(body.errors).flat().join(" ") : "";
    const notesIssue = Array.isArray(body.errors) && body.errors.some((e) => e.field === "notes");
    publishRefused(`Not published: ${notesIssue ? "write what changed and why." : body.detail || fields || `the server answered ${r.status}`}`);
  });
  document.querySelector(".discard-form")?.addEventListener("submit", (event) => {
    if (!window.confirm("Discard this draft? It cannot be recovered.")) event.preventDefault();
  });

  // --- test bench -----------------------------------------------------------------------------------
  function decisionView(d) {
    return el("div", { class: "decision" },
      el("p", {}, ...d.agencies.map((a) => el("span", { class: `badge ag-${a}`, text: a })), " ",
        el("span", { class: `badge p${d.priority}`, text: `P${d.priority}` }), ` lead ${d.lead} · ${d.mode}`,
        d.rule ? ` · rule “${d.rule}”` : " · no rule matched"),
      el("ul", { class: "reasons" }, ...d.reasons.map((r) => el("li", { text: r }))));
  }
  function unsavedNote() {
    return dirty ? el("p", { class: "error" }, "The draft has unsaved changes with problems: this ran on the last saved revision.") : null;
  }
  document.getElementById("run-tests").addEventListener("click", async () => {
    const out = document.getElementById("test-results");
    await flush();
    out.replaceChildren(el("p", {}, "Running…"));
    const r = await call("POST", `${api}/test`);
    if (!r.ok) { out.replaceChildren(el("p", { class: "error", text: (r.body && r.body.detail) || `Failed (${r.status})` })); return; }
    const b = r.body;
    const table = el("table", { class: "bench" }, el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Test"), el("th", { scope: "col" }, "Result"), el("th", { scope: "col" }, "Decision"))));
    const body = el("tbody");
    for (const t of b.results) {
      body.append(el("tr", { class: t.passed ? "pass" : "fail" }, el("td", { text: t.name }),
        el("td", {}, el("strong", { text: t.passed ? "PASS" : "FAIL" }), t.failures.length ? el("div", { class: "muted", text: t.failures.join("; ") }) : null),
        el("td", { text: `${t.decision.agencies.join("+")} lead ${t.decision.lead} P${t.decision.priority}${t.decision.rule ? " · " + t.decision.rule : ""}` })));
    }
    table.append(body);
    out.replaceChildren(unsavedNote() || "", el("p", { class: b.failed ? "error" : "ok", text: `${b.passed} of ${b.total} passed${b.failed ? `, ${b.failed} failed` : ""}` }), table);
  });
  document.getElementById("test-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = new FormData(event.target);
    const payload = {
      name: f.get("name"), narrative: f.get("narrative"), call_type: f.get("call_type"),
      expected_agencies: f.getAll("expected_agencies"), expected_lead: f.get("expected_lead"),
      expected_priority: f.get("expected_priority") ? Number(f.get("expected_priority")) : null,
    };
    const r = await call("POST", "/api/v1/triage-tests", payload);
    const msg = document.getElementById("test-form-msg");
    if (r.ok) { msg.textContent = `Saved “${r.body.name}”.`; event.target.reset(); }
    else msg.textContent = "Not saved: " + Object.entries(r.body.errors || r.body).map(([k, v]) => `${k}: ${[].concat(v).join(" ")}`).join("; ");
  });
  document.getElementById("try-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const out = document.getElementById("try-result");
    await flush();
    const f = new FormData(event.target);
    const answer = (name) => (f.get(name) === "" ? null : f.get(name) === "true");
    const r = await call("POST", `${api}/try`, {
      narrative: f.get("narrative"), call_type: f.get("call_type"),
      weapons: answer("weapons"), violence: answer("violence"), medical: answer("medical"),
    });
    if (!r.ok) { out.replaceChildren(el("p", { class: "error", text: Object.values(r.body || {}).flat().join(" ") || `Failed (${r.status})` })); return; }
    out.replaceChildren(unsavedNote() || "", decisionView(r.body));
  });

  // --- what-if replay -------------------------------------------------------------------------------
  function merge(total, part) {
    const out = {};
    for (const k of ["calls", "changed", "rule_changed", "lost_required"]) out[k] = total[k] + part[k];
    const by = new Map();
    for (const t of [...total.transitions, ...part.transitions]) {
      const key = `${t.from}\u0000${t.to}`;
      const into = by.get(key);
      if (!into) by.set(key, { ...t, examples: [...t.examples] });
      else { into.count += t.count; into.examples = into.examples.concat(t.examples).slice(0, 3); }
    }
    out.transitions = [...by.values()].sort((a, b) => b.count - a.count);
    out.flagged = total.flagged.concat(part.flagged).slice(0, 200);
    for (const side of ["agencies_before", "agencies_after"]) {
      out[side] = { ...total[side] };
      for (const [a, n] of Object.entries(part[side])) out[side][a] = (out[side][a] || 0) + n;
    }
    return out;
  }
  function chart(result) {
    const agencies = ["POLICE", "FIRE_EMS", "ACS"];
    const max = Math.max(1, ...agencies.flatMap((a) => [result.agencies_before[a] || 0, result.agencies_after[a] || 0]));
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 420 150");
    svg.setAttribute("role", "img");
    svg.setAttribute("class", "whatif-chart");
    const desc = agencies.map((a) => `${a}: ${result.agencies_before[a] || 0} now, ${result.agencies_after[a] || 0} with the draft`).join("; ");
    svg.setAttribute("aria-label", `Calls per agency. ${desc}`);
    const add = (tag, attrs, text) => { const n = document.createElementNS(ns, tag); for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v); if (text !== undefined) n.textContent = text; svg.append(n); };
    agencies.forEach((a, i) => {
      const x = 20 + i * 135;
      const before = result.agencies_before[a] || 0, after = result.agencies_after[a] || 0;
      const hb = Math.round((before / max) * 100), ha = Math.round((after / max) * 100);
      add("rect", { x, y: 115 - hb, width: 50, height: hb, class: "bar-before" });
      add("rect", { x: x + 55, y: 115 - ha, width: 50, height: ha, class: "bar-after" });
      add("text", { x: x + 25, y: 112 - hb, "text-anchor": "middle", class: "bar-num" }, before);
      add("text", { x: x + 80, y: 112 - ha, "text-anchor": "middle", class: "bar-num" }, after);
      add("text", { x: x + 52, y: 135, "text-anchor": "middle", class: "bar-label" }, a);
    });
    add("text", { x: 20, y: 148, class: "bar-label" }, "left: live version · right: this draft");
    return svg;
  }
  function showResult(result, meta, seconds) {
    const out = document.getElementById("whatif-result");
    const pct = result.calls ? ((100 * result.changed) / result.calls).toFixed(1) : "0";
    const parts = [el("p", { class: "whatif-summary" }, el("strong", { text: `${result.changed} of ${result.calls} calls change (${pct}%)` }),
      ` compared with live v${meta.published_version}, replayed in ${seconds.toFixed(1)} s. ${result.rule_changed} more reach another rule with the same outcome.`)];
    if (result.lost_required) {
      parts.push(el("div", { class: "error", role: "alert" }, el("strong", { text: `${result.lost_required} call(s) would lose a required agency` }),
        el("ul", {}, ...result.flagged.map((f) => el("li", { text: `${f.label}: ${f.from} → ${f.to} (missing ${f.missing.join(", ")})` })))));
    } else {
      parts.push(el("p", { class: "ok", text: "No call loses an agency the safety guards require." }));
    }
    parts.push(chart(result));
    if (result.transitions.length) {
      const body = el("tbody");
      for (const t of result.transitions.slice(0, 50)) {
        body.append(el("tr", {}, el("td", { text: t.from }), el("td", { text: t.to }), el("td", { class: "num", text: t.count }),
          el("td", {}, el("ul", { class: "examples" }, ...t.examples.map((e) => el("li", { text: `${e.label} (${e.rule_before || "no rule"} → ${e.rule_after || "no rule"})` }))))));
      }
      parts.push(el("table", { class: "transitions" }, el("caption", {}, "How calls change (from → to)"),
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Live version"), el("th", { scope: "col" }, "This draft"), el("th", { scope: "col" }, "Calls"), el("th", { scope: "col" }, "Examples"))), body));
    }
    out.replaceChildren(...parts);
  }
  document.getElementById("whatif-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = document.getElementById("whatif-run");
    const progress = document.getElementById("whatif-progress");
    const text = document.getElementById("whatif-progress-text");
    const out = document.getElementById("whatif-result");
    await flush();
    const f = new FormData(event.target);
    const source = f.get("source"), limit = Number(f.get("limit")) || 1000;
    button.disabled = true;
    progress.hidden = false; progress.value = 0;
    out.replaceChildren();
    const started = performance.now();
    let total = { calls: 0, changed: 0, rule_changed: 0, lost_required: 0, transitions: [], flagged: [], agencies_before: {}, agencies_after: {} };
    let offset = 0, meta = null;
    try {
      for (;;) {
        const r = await call("POST", `${api}/whatif`, { source, limit, offset, chunk: 2000 });
        if (!r.ok) { out.replaceChildren(el("p", { class: "error", text: (r.body && (r.body.detail || JSON.stringify(r.body))) || `Failed (${r.status})` })); break; }
        meta = r.body;
        total = merge(total, meta.result);
        progress.max = Math.max(meta.total, 1); progress.value = meta.next_offset;
        text.textContent = `${meta.next_offset} of ${meta.total} calls replayed`;
        if (total.lost_required && !out.querySelector('[role="alert"]')) showResult(total, meta, (performance.now() - started) / 1000);
        if (meta.done) { showResult(total, meta, (performance.now() - started) / 1000); break; }
        offset = meta.next_offset;
      }
    } finally {
      button.disabled = false;
    }
  });

  // --- start ----------------------------------------------------------------------------------------
  render();
  showIssues(data.issues || []);
  if (data.issues && data.issues.length) statusEl.textContent = `Saved (revision ${lockVersion}), with problems to fix`;
}
