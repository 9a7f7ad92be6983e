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

from acs_dispatch.roles import Role, user_has_role
from calls.models import OPEN_STATUSES, Answer, Call, DeadlineThreshold
from live.events import SUPERVISOR, unit_stream
from live.kinds import EventKind
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


# A call in one of these waits for its first unit.
WAITING_STATUSES = frozenset({Call.Status.NEW, Call.Status.TRIAGED, Call.Status.PENDING})


def call_in_queue(*, call: Any, missing_agencies: list[str], needs_backup: bool) -> bool:
    """Does the call wait in the dispatch queue? While it has no unit yet, while a required agency
    has no unit and no recorded reason why not (call_agencies_missing), or while a unit's request
    for backup is unanswered. Asked by calls.selectors.calls_pending and the queue rows' reasons."""
    return call.status in WAITING_STATUSES or needs_backup or bool(missing_agencies)


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
        return frozenset({Agency.Code.POLICE, Agency.Code.FIRE_EMS, Agency.Code.ACS})
    return frozenset({Agency.Code.ACS}) if disposition.acs_outcome else frozenset({Agency.Code.POLICE})


def phone_normalize(*, phone: str) -> str:
    """The digits of a phone number (a leading US country code dropped), so '505-555-0100' and
    '(505) 555 0100' are the same caller in the history; text without digits is kept as typed."""
    digits = re.sub(r"\D", "", phone or "")
    if not digits:
        return (phone or "").strip()
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits


# --- is ACS on a call ------------------------------------------------------------------------------------


def call_involves_acs(*, agencies: Iterable[str], unit_agencies: Iterable[str] = ()) -> bool:
    """ACS is among the call's agencies (lead or not), or an ACS unit works it. The ACS supervisor
    sees such a call, its alerts and its figures."""
    return ACS in set(agencies) or ACS in set(unit_agencies)


# --- who reads ACS clinical notes ------------------------------------------------------------------

# Event kinds whose payload is ACS health information.
CLINICAL_EVENT_KINDS = frozenset({EventKind.NOTE_ADDED})


def may_read_clinical_notes(
    *, user: Any, call: Any = None, unit_ids_on_call: Iterable[int] | None = None
) -> bool:
    """May `user` read ACS clinical notes (of `call`, when given)? The one answer, asked by the
    services, the selectors, the API, the snapshots and the sockets.

    ACS supervisors and admins: yes. A responder: only while crewing an ACS unit, and for a given
    call only if that unit worked it. Police, fire/EMS, dispatchers and call-takers: never.
    `unit_ids_on_call` (the units that worked the call) may be passed in when already loaded.
    """
    if user_has_role(user, Role.ACS_SUPERVISOR, Role.ADMIN):
        return True
    if not user_has_role(user, Role.RESPONDER) or user.unit_id is None or user.unit.agency_id != ACS:
        return False
    if call is None:
        return True
    if unit_ids_on_call is not None:
        return user.unit_id in set(unit_ids_on_call)
    return call.assignments.filter(unit_id=user.unit_id).exists()


def clinical_note_streams(*, acs_unit_ids: Iterable[int]) -> list[str]:
    """Who a clinical note event is for: the ACS supervisor and the ACS units on the call. Named
    here, never derived from the call's streams, which include the dispatch board and police/fire."""
    return [SUPERVISOR, *(unit_stream(uid) for uid in acs_unit_ids)]


def event_visible_to(frame: dict[str, Any], *, clinical_reader: bool) -> dict[str, Any]:
    """An event frame as a socket sees it: `frame` itself, or with a clinical note's text withheld.

    Defence in depth: services never address a clinical note to a stream that may not read it
    (clinical_note_streams), but if one ever did, the text stops here. The frame itself still
    goes, so the client's prev/id chain stays whole and it does not resume forever.
    """
    if frame.get("kind") in CLINICAL_EVENT_KINDS and not clinical_reader:
        return {**frame, "data": {"redacted": True}}
    return frame


# --- who acts for a unit -------------------------------------------------------------------------------


def may_act_for_unit(*, user: Any, unit: Any) -> bool:
    """Dispatchers and admins act for any unit; a responder only for the unit they crew."""
    if user_has_role(user, Role.DISPATCHER, Role.ADMIN):
        return True
    return bool(user_has_role(user, Role.RESPONDER) and user.unit_id == unit.pk)


# --- the floor's deadlines -------------------------------------------------------------------------------

PRIORITIES = (1, 2, 3, 4)


def _table(
    per_agency: dict[str, tuple[tuple[int, int], ...]], kind: str
) -> dict[tuple[str, str, int], tuple[int, int]]:
    return {
        (kind, agency, priority): limits
        for agency, rows in per_agency.items()
        for priority, limits in zip(PRIORITIES, rows, strict=True)
    }


# (warn_seconds, escalate_seconds) for priorities 1, 2, 3, 4 of each agency. Why these numbers:
# see thresholds_ensure_defaults.
DEFAULT_THRESHOLDS: dict[tuple[str, str, int], tuple[int, int]] = {
    **_table(
        {
            "POLICE": ((60, 120), (90, 180), (180, 360), (300, 600)),
            "FIRE_EMS": ((60, 120), (90, 180), (180, 360), (300, 600)),
            "ACS": ((60, 120), (90, 180), (180, 360), (300, 600)),
        },
        DeadlineThreshold.Kind.ACK,
    ),
    **_table(
        {
            "POLICE": ((60, 120), (300, 600), (900, 1800), (1800, 3600)),
            "FIRE_EMS": ((60, 120), (120, 300), (600, 1200), (1200, 2400)),
            "ACS": ((60, 120), (300, 900), (1800, 3600), (3600, 14400)),
        },
        DeadlineThreshold.Kind.QUEUE,
    ),
    **_table(
        {
            "POLICE": ((600, 1200), (900, 1800), (1200, 2400), (1200, 2400)),
            "FIRE_EMS": ((480, 900), (600, 1200), (900, 1800), (900, 1800)),
            "ACS": ((900, 1800), (900, 1800), (1200, 2400), (1200, 2400)),
        },
        DeadlineThreshold.Kind.EN_ROUTE,
    ),
    **_table(
        {
            "POLICE": ((600, 900), (900, 1500), (1200, 1800), (1200, 1800)),
            "FIRE_EMS": ((1200, 1800), (1800, 2700), (1800, 2700), (1800, 2700)),
            "ACS": ((1800, 2700), (1800, 2700), (2700, 3600), (2700, 3600)),
        },
        DeadlineThreshold.Kind.ON_SCENE,
    ),
}
