"""Writes of the calls app: call types, calls and their lifecycle."""

from __future__ import annotations

import csv
import logging
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from acs_dispatch.exceptions import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from acs_dispatch.roles import Role, user_has_role
from calls.events import call_decision, call_streams, call_summary
from calls.models import (
    OPEN_STATUSES,
    Answer,
    BackupRequest,
    Call,
    CallerLanguage,
    CallType,
    CautionFlag,
    ClinicalNote,
    Disposition,
)
from calls.policies import (  # noqa: F401 (phone_normalize re-exported)
    clinical_note_streams,
    disposition_agencies,
    may_read_clinical_notes,
    phone_normalize,
)
from calls.services.alerts import alerts_resolve_ended
from calls.services.kpi_facts import call_facts_refresh
from calls.services.units import assignments_release
from live.events import AUDIT, counter_next, event_append
from live.kinds import EventKind
from responders.gis_selectors import geocode_best
from responders.models import Agency
from responders.selectors import zone_at
from triage.engine import CallInput, Decision, triage
from triage.models import RuleSet
from triage.selectors import engine_published

logger = logging.getLogger(__name__)


@transaction.atomic
def call_types_load(*, rows: list[dict[str, Any]], actor: Any = None) -> dict[str, int]:
    """Create or update call types by code (idempotent). Each row: code, name, description,
    apco_code, agencies (list), priority (int or None)."""
    existing = {ct.code: ct for ct in CallType.objects.all()}
    created = updated = 0
    to_create = []
    for row in rows:
        code = row["code"].strip().upper()
        fields = {
            "name": row["name"][:120],
            "description": (row.get("description") or "")[:300],
            "apco_code": row.get("apco_code") or "",
            "default_agencies": list(row.get("agencies") or []),
            "priority_hint": row.get("priority"),
        }
        current = existing.get(code)
        if current is None:
            to_create.append(CallType(code=code, **fields))
            created += 1
        elif any(getattr(current, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(current, k, v)
            current.save(update_fields=list(fields))
            updated += 1
    CallType.objects.bulk_create(to_create)
    if created or updated:
        event_append(
            kind=EventKind.CALL_TYPES_LOADED,
            actor=actor,
            data={"created": created, "updated": updated},
            streams=[AUDIT],
        )
    return {"created": created, "updated": updated}


# --- calls: intake, triage, lifecycle --------------------------------------------------------------

# The call lifecycle. Any change not listed here is refused with InvalidTransition (HTTP 409), so a
# stale screen can never silently reopen a closed call or close a cancelled one.
CALL_TRANSITIONS: dict[str, frozenset[str]] = {
    Call.Status.NEW: frozenset({Call.Status.TRIAGED, Call.Status.CANCELLED, Call.Status.DUPLICATE}),
    Call.Status.TRIAGED: frozenset({Call.Status.PENDING, Call.Status.CANCELLED, Call.Status.DUPLICATE}),
    Call.Status.PENDING: frozenset(
        {Call.Status.DISPATCHED, Call.Status.CLOSED, Call.Status.CANCELLED, Call.Status.DUPLICATE}
    ),
    Call.Status.DISPATCHED: frozenset(
        {
            Call.Status.ON_SCENE,
            Call.Status.PENDING,
            Call.Status.CLOSED,
            Call.Status.CANCELLED,
            Call.Status.DUPLICATE,
        }
    ),
    Call.Status.ON_SCENE: frozenset(
        {Call.Status.DISPATCHED, Call.Status.PENDING, Call.Status.CLOSED, Call.Status.CANCELLED}
    ),
    Call.Status.CLOSED: frozenset(),
    Call.Status.CANCELLED: frozenset(),
    Call.Status.DUPLICATE: frozenset(),
}

# The ACS outcomes added to the San Diego disposition codes.
ACS_DISPOSITIONS = [
    ("ACS-NPF", "ACS: no person found"),
    ("ACS-RA", "ACS: resources offered and accepted"),
    ("ACS-RD", "ACS: resources declined"),
    ("ACS-TF", "ACS: transported to a facility"),
    ("ACS-HP", "ACS: handed to police"),
    ("ACS-HF", "ACS: handed to fire/EMS"),
    ("ACS-988", "ACS: transferred to 988"),
]
DISPOSITIONS_FILE = Path(__file__).resolve().parents[2] / "data" / "sdpd_disposition_codes.csv"


def _answer_to_bool(answer: str) -> bool | None:
    return {Answer.YES: True, Answer.NO: False}.get(answer)


def _bool_to_answer(value: bool | None) -> str:
    if value is None:
        return Answer.UNKNOWN
    return Answer.YES if value else Answer.NO


def _call_event(*, kind: str, call: Call, actor: Any, extra_unit_ids=(), **data: Any) -> None:
    """Append a call event carrying the whole call summary, to the call's streams."""
    summary = call_summary(call)
    event_append(
        kind=kind,
        actor=actor,
        call=call,
        data={"call": summary, **data},
        streams=call_streams(summary, extra_unit_ids=list(extra_unit_ids)),
    )
    # A call leaving the queue or ending closes its alerts now, not at the next sweep.
    alerts_resolve_ended(call_id=call.pk)
    # The KPIs' read model changes with the call, in this transaction: a report never reads a call
    # whose facts lag behind its events.
    call_facts_refresh(call=call)


def _call_lock(call: Call) -> Call:
    """The call re-read with its row locked to the end of the transaction."""
    return (
        Call.objects.select_for_update(of=("self",))
        .select_related("call_type", "zone")
        .defer("zone__geometry")
        .get(pk=call.pk)
    )


def _call_transition_check(call: Call, to: str) -> None:
    if to not in CALL_TRANSITIONS[call.status]:
        raise InvalidTransition(
            f"Call {call.number} is {call.get_status_display()}: it cannot become {Call.Status(to).label}.",
            status=call.status,
        )


def _call_status_set(*, call: Call, to: str, actor: Any, reason: str = "") -> None:
    """Move a locked call along the lifecycle and append call.status_changed."""
    _call_transition_check(call, to)
    before = call.status
    call.status = to
    call.save(update_fields=["status"])
    _call_event(
        kind=EventKind.CALL_STATUS_CHANGED, call=call, actor=actor, before=before, after=to, reason=reason
    )


def call_number_next() -> str:
    """The next call number, e.g. '26-000123': the year in the city's time zone and a gap-free counter."""
    year = timezone.localtime(timezone.now(), ZoneInfo(settings.CITY_TIME_ZONE)).year % 100
    return f"{year:02d}-{counter_next(name='call_number'):06d}"


def call_address_point(*, address: str) -> tuple[float | None, float | None, bool]:
    """(lat, lon, unverified) for a call's address text: the geocoder's best candidate when it
    scores high enough to dispatch on, else (None, None, True): kept, flagged, placed by a map pick."""
    best = geocode_best(q=address)
    if best is None:
        return None, None, True
    return best["lat"], best["lon"], False


@transaction.atomic
def call_create(
    *,
    actor: Any,
    call_type: str = "",
    narrative: str = "",
    address: str = "",
    lat: float | None = None,
    lon: float | None = None,
    caller_name: str = "",
    caller_phone: str = "",
    weapons: bool | None = None,
    violence: bool | None = None,
    medical: bool | None = None,
    caller_is_subject: bool | None = None,
    caller_language: str = CallerLanguage.UNKNOWN,
    interpreter_needed: bool = False,
    idempotency_key: str = "",
) -> Call:
    """Save a call, place it in its zone and triage it at once: it leaves PENDING, in the queue.

    A point outside every service zone is accepted and flagged. Raises ValidationFailed (with
    per-field errors) for an unknown call type, an invalid point or an unknown caller language;
    nothing is saved then.
    """
    errors: dict[str, list[str]] = {}
    ctype = None
    if call_type:
        ctype = CallType.objects.filter(code__iexact=call_type.strip(), active=True).first()
        if ctype is None:
            errors["call_type"] = [f"Unknown call type {call_type!r}."]
    if (lat is None) != (lon is None):
        errors["lat" if lat is None else "lon"] = ["Give both latitude and longitude, or neither."]
    if lat is not None and not -90 <= lat <= 90:
        errors["lat"] = ["Latitude must be between -90 and 90."]
    if lon is not None and not -180 <= lon <= 180:
        errors["lon"] = ["Longitude must be between -180 and 180."]
    if not (narrative.strip() or ctype):
        errors["narrative"] = ["Give a call type or a narrative."]
    if caller_language not in CallerLanguage.values:
        errors["caller_language"] = [f"Choose one of: {', '.join(CallerLanguage.labels)}."]
    if errors:
        raise ValidationFailed("The call has invalid fields.", errors=errors)

    # No point given: place the call on its address text (issue 13). The geocoder is an in-memory
    # index (no I/O), so it may run inside this transaction.
    location_unverified = False
    if lat is None and lon is None and address.strip():
        lat, lon, location_unverified = call_address_point(address=address)
    zone = zone_at(lat=lat, lon=lon) if lat is not None and lon is not None else None
    call = Call.objects.create(
        number=call_number_next(),
        received_at=timezone.now(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        call_type=ctype,
        narrative=narrative.strip(),
        address=address.strip(),
        lat=lat,
        lon=lon,
        zone=zone,
        # A valid point in no service zone: still a call, but the dispatcher must see why no zone.
        outside_service_area=lat is not None and zone is None,
        location_unverified=location_unverified,
        caller_name=caller_name.strip(),
        caller_phone=phone_normalize(phone=caller_phone),
        caller_language=caller_language,
        interpreter_needed=interpreter_needed,
        weapons=_bool_to_answer(weapons),
        violence=_bool_to_answer(violence),
        medical=_bool_to_answer(medical),
        caller_is_subject=_bool_to_answer(caller_is_subject),
        status=Call.Status.NEW,
        idempotency_key=idempotency_key,
    )
    _call_event(kind=EventKind.CALL_CREATED, call=call, actor=actor)
    return call_triage(call=call, actor=actor)


IDEMPOTENCY_KEY_MAX = 100


def call_create_once(*, idempotency_key: str, **fields: Any) -> tuple[Call, bool]:
    """call_create, unless a call was already created with `idempotency_key`: then that call.
    Returns (call, created). Two requests racing with the same key: the database's unique key lets
    one in; the other finds its call. An empty key always creates."""
    key = idempotency_key.strip()
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationFailed(
            "The Idempotency-Key header is too long.",
            errors={"idempotency_key": [f"At most {IDEMPOTENCY_KEY_MAX} characters."]},
        )
    if not key:
        return call_create(**fields), True
    existing = Call.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return call_create(**fields, idempotency_key=key), True
    except IntegrityError:
        existing = Call.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return existing, False


def call_triage_input(*, call: Call) -> CallInput:
    """The engine's CallInput for a call: the one place a call becomes triage input."""
    return CallInput(
        call_type=call.call_type.code if call.call_type_id else None,
        # The catalogue name is read as words too, so the engine recognises the nature of a call
        # type that no rule names by code.
        call_type_name=call.call_type.name if call.call_type_id else "",
        narrative=call.narrative,
        weapons=_answer_to_bool(call.weapons),
        violence=_answer_to_bool(call.violence),
        medical=_answer_to_bool(call.medical),
        caller_is_subject=_answer_to_bool(call.caller_is_subject),
        zone=call.zone.name if call.zone_id else None,
        at=call.received_at,
    )


def _decision_fields(decision: Decision) -> dict[str, Any]:
    """The decision stored under the engine's names (Call field <- Decision attribute)."""
    return {
        "agencies": list(decision.agencies),
        "lead": decision.lead,
        "mode": decision.mode,
        "priority": decision.priority,
        "triage_rule": decision.rule,
        "ruleset_version": decision.ruleset_version,
        "triage_reasons": list(decision.reasons),
        "triage_guards": list(decision.guards),
        "acs_eligible": decision.acs_eligible,
        "acs_exclusion": decision.acs_exclusion,
        "triage_signals": [dict(signal) for signal in decision.signals],
        "triage_recognised": decision.recognised,
    }


# With no published rule set a call must still reach a responder: police, said plainly.
NO_RULESET_DECISION = {
    "agencies": [Agency.Code.POLICE],
    "lead": Agency.Code.POLICE,
    "mode": "POLICE_ONLY",
    "priority": 2,
    "triage_rule": "",
    "ruleset_version": None,
    "triage_reasons": ["No triage rule set is published: sent to police by default."],
    "triage_guards": ["no_ruleset"],
    "acs_eligible": False,
    "acs_exclusion": "no_rule",
    "triage_signals": [],
    "triage_recognised": False,
}


@transaction.atomic
def call_triage(*, call: Call, actor: Any) -> Call:
    """Run the published rule set over the call and store the decision with its rule set version.

    A NEW call becomes TRIAGED and then PENDING (in the dispatch queue). Appends call.triaged.
    """
    call = _call_lock(call)
    try:
        fields = _decision_fields(triage(engine_published(), call_triage_input(call=call)))
    except RuleSet.DoesNotExist:
        logger.error("call %s triaged without a published rule set: sent to police", call.number)
        fields = dict(NO_RULESET_DECISION)
    for name, value in fields.items():
        setattr(call, name, value)
    call.triaged_at = timezone.now()
    update = [*fields, "triaged_at"]
    if call.status == Call.Status.NEW:
        _call_transition_check(call, Call.Status.TRIAGED)
        # TRIAGED is a step, not a resting state: the call enters the queue in the same commit.
        call.status = Call.Status.PENDING
        update.append("status")
    call.save(update_fields=update)
    _call_event(kind=EventKind.CALL_TRIAGED, call=call, actor=actor)
    return call


@transaction.atomic
def call_override(
    *, call: Call, agencies: list[str], lead: str, priority: int, reason: str, actor: Any
) -> Call:
    """A dispatcher replaces the triage decision; the original decision is kept next to it.

    Raises ValidationFailed (bad agencies, lead not among them, priority outside 1-4, no reason)
    and InvalidTransition on a call no longer open.
    """
    errors: dict[str, list[str]] = {}
    agencies = list(dict.fromkeys(a.strip().upper() for a in agencies))
    if not agencies or any(a not in Agency.Code.values for a in agencies):
        errors["agencies"] = [f"Choose one or more of {', '.join(Agency.Code.values)}."]
    if lead not in agencies:
        errors["lead"] = ["The lead agency must be one of the agencies."]
    if not 1 <= int(priority) <= 4:
        errors["priority"] = ["Priority is 1 (most urgent) to 4."]
    if not reason.strip():
        errors["reason"] = ["An override needs a reason."]
    if errors:
        raise ValidationFailed("The override has invalid fields.", errors=errors)
    call = _call_lock(call)
    if call.status not in OPEN_STATUSES:
        raise InvalidTransition(
            f"Call {call.number} is {call.get_status_display()}: its triage can no longer change.",
            status=call.status,
        )
    if call.original_decision is None:
        call.original_decision = call_decision(call)
    call.agencies = agencies
    call.lead = lead
    call.priority = int(priority)
    call.mode = "OVERRIDE"
    call.override_reason = reason.strip()[:500]
    call.overridden_by = actor if getattr(actor, "is_authenticated", False) else None
    call.overridden_at = timezone.now()
    call.save(
        update_fields=[
            "original_decision",
            "agencies",
            "lead",
            "priority",
            "mode",
            "override_reason",
            "overridden_by",
            "overridden_at",
        ]
    )
    _call_event(kind=EventKind.CALL_OVERRIDDEN, call=call, actor=actor, reason=call.override_reason)
    return call


def call_mark_dispatched(*, call: Call, actor: Any) -> Call:
    """A unit was assigned: a PENDING call becomes DISPATCHED (other states are left alone).
    Call inside the assigning transaction, with the call row locked."""
    if call.status == Call.Status.PENDING:
        _call_status_set(call=call, to=Call.Status.DISPATCHED, actor=actor)
    elif call.status not in (Call.Status.DISPATCHED, Call.Status.ON_SCENE):
        _call_transition_check(call, Call.Status.DISPATCHED)
    return call


def call_mark_on_scene(*, call: Call, actor: Any) -> Call:
    """A unit arrived: a DISPATCHED call becomes ON_SCENE. Call with the call row locked."""
    if call.status == Call.Status.DISPATCHED:
        _call_status_set(call=call, to=Call.Status.ON_SCENE, actor=actor)
    return call


def call_units_changed(*, call: Call, actor: Any, reason: str = "") -> Call:
    """After a unit left: an open call with no unit goes back to PENDING (the queue); one whose
    remaining units have not arrived goes back to DISPATCHED. Call with the call row locked."""
    if call.status not in (Call.Status.DISPATCHED, Call.Status.ON_SCENE):
        return call
    active = list(call.assignments.filter(cleared_at__isnull=True).values_list("on_scene_at", flat=True))
    if not active:
        target = Call.Status.PENDING
    elif any(at is not None for at in active):
        target = Call.Status.ON_SCENE
    else:
        target = Call.Status.DISPATCHED
    if target != call.status:
        _call_status_set(call=call, to=target, actor=actor, reason=reason)
    return call


def _call_end(*, call: Call, to: str, disposition: str, actor: Any, reason: str) -> list[int]:
    """Move a locked call to a final state, clearing every unit still on it. Returns their ids."""
    _call_transition_check(call, to)

    released = assignments_release(call=call, actor=actor, reason=reason)
    call.status = to
    call.disposition = disposition
    call.closed_at = timezone.now()
    call.save(update_fields=["status", "disposition", "closed_at"])
    return released


def disposition_check(*, code: str, agency: str | None = None) -> Disposition:
    """The active disposition `code`; with `agency`, one that agency's units may close with (an ACS
    team never closes a call as an arrest). Raises ValidationFailed otherwise."""
    disposition = Disposition.objects.filter(code__iexact=(code or "").strip(), active=True).first()
    if disposition is None:
        raise ValidationFailed(
            "Unknown disposition.", errors={"disposition": [f"Unknown disposition code {code!r}."]}
        )
    if agency and agency not in disposition_agencies(disposition=disposition):
        raise ValidationFailed(
            "Not a disposition for this unit.",
            errors={
                "disposition": [f"{disposition.code} ({disposition.description}) is not one of {agency}'s."]
            },
        )
    return disposition


@transaction.atomic
def call_close(*, call: Call, disposition: str, actor: Any, note: str = "", destination: Any = None) -> Call:
    """Close a call with a disposition code; units still on it are cleared. `destination` (a
    responders Facility) records where an ACS team took the person, with an ACS outcome only.

    Raises ValidationFailed for an unknown code or a destination with a code that is not an ACS
    outcome, InvalidTransition unless the call is open and triaged.
    """
    dispo = disposition_check(code=disposition)
    if destination is not None and not dispo.acs_outcome:
        raise ValidationFailed(
            "A destination goes with an ACS outcome.",
            errors={"destination": [f"{dispo.code} is not an ACS outcome: record no destination with it."]},
        )
    call = _call_lock(call)
    released = _call_end(
        call=call,
        to=Call.Status.CLOSED,
        disposition=dispo.code,
        actor=actor,
        reason=f"call closed: {dispo.code}",
    )
    extra: dict[str, Any] = {}
    if destination is not None:  # issue 14
        call.destination = destination
        call.save(update_fields=["destination"])
        extra["destination"] = {"id": destination.pk, "name": destination.name}
    _call_event(
        kind=EventKind.CALL_CLOSED,
        call=call,
        actor=actor,
        extra_unit_ids=released,
        disposition={"code": dispo.code, "description": dispo.description},
        note=note.strip(),
        **extra,
    )
    return call


@transaction.atomic
def call_cancel(*, call: Call, reason: str, actor: Any) -> Call:
    """Cancel an open call (caller hung up and called back, no longer needed); units are cleared."""
    if not reason.strip():
        raise ValidationFailed("A cancel needs a reason.", errors={"reason": ["Give a reason."]})
    call = _call_lock(call)
    released = _call_end(
        call=call,
        to=Call.Status.CANCELLED,
        disposition="CAN",
        actor=actor,
        reason=f"call cancelled: {reason}",
    )
    _call_event(
        kind=EventKind.CALL_CANCELLED, call=call, actor=actor, extra_unit_ids=released, reason=reason.strip()
    )
    return call


@transaction.atomic
def call_mark_duplicate(*, call: Call, of: Call, actor: Any) -> Call:
    """Mark a call as a duplicate of another (the original, never a duplicate itself)."""
    of = Call.objects.select_related("duplicate_of").get(pk=of.pk)  # the caller's copy may be stale
    original = of.duplicate_of if of.duplicate_of_id else of
    if original.pk == call.pk:
        raise ValidationFailed("A call cannot duplicate itself.", errors={"of": ["Choose another call."]})
    call = _call_lock(call)
    call.duplicate_of = original
    released = _call_end(
        call=call,
        to=Call.Status.DUPLICATE,
        disposition="DUP",
        actor=actor,
        reason=f"duplicate of {original.number}",
    )
    call.save(update_fields=["duplicate_of"])
    _call_event(
        kind=EventKind.CALL_MARKED_DUPLICATE,
        call=call,
        actor=actor,
        extra_unit_ids=released,
        of={"id": original.pk, "number": original.number},
    )
    return call


@transaction.atomic
def clinical_note_add(*, call: Call, text: str, actor: Any) -> ClinicalNote:
    """Record what an ACS responder learned about the person's health.

    The note goes only to the ACS supervisor and the ACS units on the call, never to the dispatch
    board or to police/fire units. Raises NotAllowed for anyone but the ACS supervisor, an admin
    or an ACS responder whose unit worked the call.
    """
    if not text.strip():
        raise ValidationFailed("The note is empty.", errors={"text": ["Write the note."]})
    if not may_read_clinical_notes(user=actor, call=call):
        raise NotAllowed("Only ACS staff on the call, ACS supervisors and admins write clinical notes.")
    note = ClinicalNote.objects.create(call=call, author=actor, text=text.strip(), created_at=timezone.now())
    summary = call_summary(call)
    acs_unit_ids = [u["unit_id"] for u in summary["units"] if u["agency"] == Agency.Code.ACS]
    event_append(
        kind=EventKind.NOTE_ADDED,
        actor=actor,
        call=call,
        data={"call": summary, "note": clinical_note_summary(note=note)},
        streams=clinical_note_streams(acs_unit_ids=acs_unit_ids),
    )
    return note


def clinical_note_summary(*, note: ClinicalNote) -> dict[str, Any]:
    return {
        "id": note.pk,
        "call_id": note.call_id,
        "text": note.text,
        "author": note.author.username if note.author_id else None,
        "created_at": note.created_at.isoformat(),
    }


@transaction.atomic
def backup_request(*, call: Call, unit: Any, agency: str, reason: str, actor: Any) -> BackupRequest:
    """A unit on the call asks for another agency: the call gains it and the board shows the request
    at the top until a unit of that agency is assigned.

    Raises NotAllowed unless the actor crews `unit` (or dispatches), ValidationFailed for a bad agency
    or an empty reason, Conflict when the unit is not on this call.
    """
    agency = (agency or "").strip().upper()
    if agency not in (Agency.Code.POLICE, Agency.Code.FIRE_EMS):
        raise ValidationFailed(
            "Ask for POLICE or FIRE_EMS.", errors={"agency": ["Choose POLICE or FIRE_EMS."]}
        )
    if user_has_role(actor, Role.RESPONDER) and actor.unit_id != unit.pk:
        raise NotAllowed("A responder may ask for backup only for their own unit.")
    if not user_has_role(actor, Role.RESPONDER, Role.DISPATCHER, Role.ADMIN):
        raise NotAllowed("Your role does not allow this.")
    call = _call_lock(call)
    if not call.assignments.filter(unit=unit, cleared_at__isnull=True).exists():
        raise Conflict(f"{unit.call_sign} is not on call {call.number}.", status=call.status)
    if call.status not in (Call.Status.DISPATCHED, Call.Status.ON_SCENE):
        raise InvalidTransition(f"Call {call.number} is {call.get_status_display()}.", status=call.status)
    # The dispatcher tells the backup what they will face: a request without a reason is refused.
    if not (reason or "").strip():
        raise ValidationFailed(
            "Say why backup is needed.", errors={"reason": ["Give a reason: what the backup will face."]}
        )
    request = BackupRequest.objects.create(
        call=call,
        unit=unit,
        agency=agency,
        reason=reason.strip()[:300],
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        requested_at=timezone.now(),
    )
    if agency not in call.agencies:
        call.agencies = [*call.agencies, agency]
        call.save(update_fields=["agencies"])
    _call_event(
        kind=EventKind.BACKUP_REQUESTED,
        call=call,
        actor=actor,
        backup_request={"id": request.pk, "agency": agency, "unit": unit.call_sign, "reason": request.reason},
    )
    return request


def backup_requests_handle(*, call: Call, agency: str) -> int:
    """Mark the open backup requests for `agency` on a call as handled (a unit was assigned)."""
    return BackupRequest.objects.filter(call=call, agency=agency, handled_at__isnull=True).update(
        handled_at=timezone.now()
    )


@transaction.atomic
def caution_flag_add(
    *,
    text: str,
    actor: Any,
    address: str = "",
    lat: float | None = None,
    lon: float | None = None,
    caller_phone: str = "",
) -> CautionFlag:
    """Record a caution at an address, a point or a phone number (shown with the history)."""
    if not text.strip():
        raise ValidationFailed("The caution is empty.", errors={"text": ["Write the caution."]})
    if not (address.strip() or caller_phone.strip() or (lat is not None and lon is not None)):
        raise ValidationFailed(
            "A caution needs a place or a phone.",
            errors={"address": ["Give an address, a point or a phone."]},
        )
    flag = CautionFlag.objects.create(
        text=text.strip()[:300],
        address=address.strip(),
        lat=lat,
        lon=lon,
        caller_phone=phone_normalize(phone=caller_phone),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=timezone.now(),
    )
    event_append(
        kind=EventKind.CAUTION_FLAG_ADDED,
        actor=actor,
        data={"id": flag.pk, "text": flag.text, "address": flag.address, "caller_phone": flag.caller_phone},
        streams=[AUDIT],
    )
    return flag


@transaction.atomic
def dispositions_load(*, path: Path = DISPOSITIONS_FILE, actor: Any = None) -> dict[str, int]:
    """Create or update the disposition codes: the San Diego list plus the ACS outcomes (idempotent)."""
    rows: list[tuple[str, str, bool]] = []
    if path.exists():
        with path.open(newline="", encoding="utf-8-sig") as f:
            for row in csv.DictReader(f):
                code = (row.get("dispo_code") or "").strip().upper()
                if code:
                    rows.append((code, (row.get("description") or "").strip().capitalize(), False))
    rows += [(code, description, True) for code, description in ACS_DISPOSITIONS]
    existing = {d.code: d for d in Disposition.objects.all()}
    created = updated = 0
    for code, description, acs in rows:
        current = existing.get(code)
        if current is None:
            Disposition.objects.create(code=code, description=description[:200], acs_outcome=acs)
            created += 1
        elif current.description != description[:200] or current.acs_outcome != acs:
            current.description = description[:200]
            current.acs_outcome = acs
            current.save(update_fields=["description", "acs_outcome"])
            updated += 1
    if created or updated:
        event_append(
            kind=EventKind.DISPOSITIONS_LOADED,
            actor=actor,
            data={"created": created, "updated": updated},
            streams=[AUDIT],
        )
    return {"created": created, "updated": updated}
