"""How a call's triage decision is carried through dispatch: one answer per question.

- `call_agencies_required` / `call_agencies_missing`: which agencies the call needs and which of them
  still have no unit (nor a dispatcher's recorded reason why not). The queue (calls.selectors), the
  call summary every screen and the API show (calls.events), and the services all ask here.
- `call_police_first` / `call_assign_refusal`: the order of arrival. ACS must not reach a scene that
  police make safe before police are on the call. Police make the scene safe first when police are
  among the call's agencies and
    * a weapon, violence or a crime in progress is known (a signal read in the narrative or call
      type, a screening answer, a safety guard that fired, or the triage exclusion), whoever leads; or
    * police lead the call (POLICE_LEAD_ACS_FOLLOW, POLICE_LEAD_FIRE_EMS_ACS, an override naming police
      lead: "police lead and secure the scene; ACS follows up"); or
    * the mode is ACS_LEAD_POLICE_STAGED ("police stage nearby and secure the scene first if needed,
      then ACS goes in"): dispatch cannot know "if needed", so police are sent first and stage, and
      ACS goes in when they report the scene safe.
  Assigning an ACS unit before any police unit is then refused (HTTP 409) unless the dispatcher gives
  a reason, which is recorded. Fire/EMS are not held by this rule.
- `call_dangers`: every danger known from the call itself (screening answers, signals with their
  words, guards that fired), for the unit's pop-up and the board. Caution flags at the location are
  read with the call's history (calls.selectors.call_history).

Pure functions over a call and its rows; they read the database only for rows not passed in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TypedDict

from calls.models import OPEN_STATUSES, Answer
from responders.models import Agency

POLICE = Agency.Code.POLICE.value
FIRE_EMS = Agency.Code.FIRE_EMS.value
ACS = Agency.Code.ACS.value

POLICE_STAGED_MODE = "ACS_LEAD_POLICE_STAGED"

# Signal kinds that are a danger to the people sent, with the label a responder reads.
DANGER_LABELS: dict[str, str] = {
    "weapon": "Weapon",
    "violence": "Violence",
    "crime_in_progress": "Crime in progress",
    "suicide_attempt": "Suicide attempt",
    "medical": "Medical emergency",
    "fire": "Fire",
    "death": "Death",
    "traffic": "Traffic hazard",
    "missing_endangered": "Missing, endangered person",
    "order_violation": "Protection-order violation",
}
# The dangers police deal with before ACS goes in (the engine's police-lead safety signals, and a
# crime in progress).
POLICE_DANGERS = ("weapon", "violence", "suicide_attempt", "crime_in_progress", "order_violation")
# Screening answer field -> danger kind.
SCREENING_DANGERS = {"weapons": "weapon", "violence": "violence", "medical": "medical"}
SOURCE_LABELS = {"narrative": "narrative", "call_type": "call type", "screening": "screening"}


class DangerDetail(TypedDict):
    text: str  # "'has a gun'", "caller answered yes"
    source: str  # narrative, call_type, screening, guard, triage


class Danger(TypedDict):
    kind: str
    label: str
    details: list[DangerDetail]


def _active_assignments(call: Any, assignments: Iterable[Any] | None) -> list[Any]:
    if assignments is not None:
        return [a for a in assignments if a.cleared_at is None]
    if hasattr(call, "active_assignments"):  # prefetched by calls.selectors / calls.snapshots
        return list(call.active_assignments)
    return list(call.assignments.filter(cleared_at__isnull=True).select_related("unit"))


def _agencies_on(assignments: Iterable[Any]) -> set[str]:
    return {a.unit.agency_id for a in assignments}


def call_agencies_required(*, call: Any, backup_requests: Iterable[Any] | None = None) -> list[str]:
    """The agencies the call's decision requires, lead first, plus any asked for by backup requests."""
    if backup_requests is None:
        backup_requests = call.backup_requests.all()
    return list(dict.fromkeys([*(call.agencies or []), *(b.agency for b in backup_requests)]))


def call_agencies_waived(*, call: Any, waivers: Iterable[Any] | None = None) -> dict[str, Any]:
    """Agency -> the dispatcher's waiver (CallAgencyWaiver) recorded on the call."""
    if waivers is None:
        waivers = call.agency_waivers.all()
    return {w.agency: w for w in waivers}


def call_agencies_missing(
    *,
    call: Any,
    assignments: Iterable[Any] | None = None,
    backup_requests: Iterable[Any] | None = None,
    waivers: Iterable[Any] | None = None,
) -> list[str]:
    """The required agencies with no active unit on the call and no recorded reason why not, in the
    order of the decision (lead first). Empty for a call that is no longer open.

    `assignments` (active ones, with their unit), `backup_requests` and `waivers` may be passed in
    when already loaded; otherwise they are read from the call.
    """
    if call.status not in OPEN_STATUSES:
        return []
    covered = _agencies_on(_active_assignments(call, assignments))
    waived = call_agencies_waived(call=call, waivers=waivers)
    return [
        agency
        for agency in call_agencies_required(call=call, backup_requests=backup_requests)
        if agency not in covered and agency not in waived
    ]


def call_dangers(*, call: Any) -> list[Danger]:
    """Every danger known from the call itself, one entry per kind with where it was read: signals
    present or suggested (with the words), screening answers, safety guards that fired, and the
    triage exclusion. Signals a caller denied ("no weapons") are not dangers."""
    found: dict[str, Danger] = {}

    def add(kind: str, text: str, source: str) -> None:
        danger = found.setdefault(
            kind, {"kind": kind, "label": DANGER_LABELS.get(kind, kind.replace("_", " ")), "details": []}
        )
        if not any(d["text"] == text and d["source"] == source for d in danger["details"]):
            danger["details"].append({"text": text, "source": source})

    signals = [s for s in (call.triage_signals or []) if isinstance(s, dict)]
    for signal in signals:
        kind = signal.get("kind", "")
        state = signal.get("state", "present")
        if kind not in DANGER_LABELS or state == "denied":
            continue
        words = (signal.get("words") or "").strip()
        text = f"'{words}'" if words else "reported"
        if state == "suggested":
            text = f"possibly: {text}"
        add(kind, text, signal.get("source") or "narrative")
    read_from_screening = {s.get("kind") for s in signals if s.get("source") == "screening"}
    for field, kind in SCREENING_DANGERS.items():
        # The engine may already report the answer as a screening signal: say it once.
        if getattr(call, field, None) == Answer.YES and kind not in read_from_screening:
            add(kind, "caller answered yes", "screening")
    for guard in call.triage_guards or []:
        if guard in DANGER_LABELS:
            add(guard, "safety guard: ACS is not sent alone", "guard")
    exclusion = call.acs_exclusion or ""
    if exclusion in DANGER_LABELS and exclusion not in found:
        add(exclusion, "triage: not ACS-eligible", "triage")
    order = list(DANGER_LABELS)
    return sorted(found.values(), key=lambda d: order.index(d["kind"]) if d["kind"] in order else 99)


def danger_phrase(danger: Danger) -> str:
    """The danger and the first place it was read, e.g. "weapon ('has a gun')"."""
    first = danger["details"][0]["text"] if danger["details"] else ""
    return f"{danger['label'].lower()} ({first})" if first else danger["label"].lower()


def call_police_first(*, call: Any, dangers: list[Danger] | None = None) -> str:
    """Why police must be on this call before ACS (see the module docstring), or "" when they need not."""
    if POLICE not in (call.agencies or []):
        return ""
    dangers = call_dangers(call=call) if dangers is None else dangers
    police_dangers = [d for d in dangers if d["kind"] in POLICE_DANGERS]
    if police_dangers:
        return ", ".join(danger_phrase(d) for d in police_dangers)
    if call.mode == POLICE_STAGED_MODE:
        return "police stage nearby and secure the scene first"
    if call.lead == POLICE:
        return "police lead this call and secure the scene"
    return ""


def call_assign_refusal(
    *, call: Any, agency: str, assignments: Iterable[Any] | None = None, dangers: list[Danger] | None = None
) -> str:
    """The plain reason a unit of `agency` may not be assigned yet (ACS before police where police
    make the scene safe), or "" when the call's order allows it. A dispatcher may go ahead anyway
    with a recorded reason (responders.services.unit_assign)."""
    if agency != ACS:
        return ""
    why = call_police_first(call=call, dangers=dangers)
    if not why or POLICE in _agencies_on(_active_assignments(call, assignments)):
        return ""
    return f"Police must be on this call before ACS: {why}. Assign a police unit first, or give a reason to go ahead."


def call_order_holds(
    *, call: Any, assignments: Iterable[Any] | None = None, dangers: list[Danger] | None = None
) -> dict[str, str]:
    """Agency -> why its unit needs a reason to be assigned now (only agencies still without a unit)."""
    active = _active_assignments(call, assignments)
    if call.status not in OPEN_STATUSES or ACS in _agencies_on(active):
        return {}
    refusal = call_assign_refusal(call=call, agency=ACS, assignments=active, dangers=dangers)
    return {ACS: refusal} if refusal else {}


def call_staged_agency(*, call: Any, agency: str) -> bool:
    """Whether a unit of `agency` sent to this call stages nearby instead of going in (police in
    ACS_LEAD_POLICE_STAGED)."""
    return agency == POLICE and call.mode == POLICE_STAGED_MODE


# The San Diego codes that claim no police action (cancelled, duplicate, unfounded, no report,
# other): any agency may close with them. Every other San Diego code (arrests, board and secure,
# the Crisis Response Team's high-risk codes, stolen vehicles, reports) is police-only, and so is
# any code added to the list later until someone puts it here: an ACS team must never be offered
# "arrest made". The ACS outcomes (Disposition.acs_outcome) are ACS-only.
NEUTRAL_DISPOSITIONS = frozenset({"X", "O", "K", "U", "W", "CAN", "DUP", "V"})


def disposition_agencies(*, disposition: Any) -> frozenset[str]:
    """The agencies whose units may close a call with `disposition` (see dispositions_active)."""
    if disposition.code in NEUTRAL_DISPOSITIONS:
        return frozenset({"POLICE", "FIRE_EMS", "ACS"})
    return frozenset({"ACS"}) if disposition.acs_outcome else frozenset({"POLICE"})


def phone_normalize(*, phone: str) -> str:
    """The digits of a phone number (a leading US country code dropped), so '505-555-0100' and
    '(505) 555 0100' are the same caller in the history; text without digits is kept as typed."""
    digits = re.sub(r"\D", "", phone or "")
    if not digits:
        return (phone or "").strip()
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits
