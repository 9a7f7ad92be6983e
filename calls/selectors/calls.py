"""Reads of the calls app: the queue, active calls, one call with its visibility rules, history."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from acs_dispatch.roles import Role, user_has_role
from calls.events import CallBoardRow, call_board_row
from calls.models import (
    OPEN_STATUSES,
    Assignment,
    BackupRequest,
    Call,
    CallAgencyWaiver,
    CallType,
    CautionFlag,
    ClinicalNote,
    Disposition,
)
from calls.policies import (  # noqa: F401 (NEUTRAL_DISPOSITIONS, disposition_agencies re-exported)
    NEUTRAL_DISPOSITIONS,
    call_agencies_missing,
    call_in_queue,
    call_involves_acs,
    disposition_agencies,
    may_read_clinical_notes,
    phone_normalize,
)
from live.events import DISPATCH, SUPERVISOR, unit_stream
from live.models import Event
from responders.models import Agency

HISTORY_DAYS = 90
HISTORY_RADIUS_M = 100
HISTORY_LIMIT = 50


def calls_with_details(calls: QuerySet[Call]) -> QuerySet[Call]:
    """What call_summary reads, loaded in a fixed number of queries."""
    return (
        calls.select_related("call_type", "zone")
        .defer("zone__geometry")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(cleared_at__isnull=True).select_related("unit"),
                to_attr="active_assignments",
            ),
            Prefetch("backup_requests", queryset=BackupRequest.objects.select_related("unit").order_by("id")),
            Prefetch("agency_waivers", queryset=CallAgencyWaiver.objects.select_related("waived_by")),
        )
    )


def _open_backup() -> Exists:
    return Exists(BackupRequest.objects.filter(call=OuterRef("pk"), handled_at__isnull=True))


def calls_pending(*, agency: str | None = None, zone: str | None = None) -> list[Call]:
    """The dispatch queue: calls waiting for a unit; calls partly dispatched, where a required agency
    still has no unit and no recorded reason why not (calls.policies.call_agencies_missing); calls
    whose unit asked for backup that no unit has answered yet. Backup requests first, then priority
    1 (most urgent) first, then oldest.

    Each call has `needs_backup` (bool), `missing_agencies` and `active_assignments` set. Ranked in
    Python (a short list).
    """
    calls = Call.objects.annotate(needs_backup=_open_backup()).filter(
        status__in=[Call.Status.PENDING, Call.Status.DISPATCHED, Call.Status.ON_SCENE]
    )
    if zone:
        calls = calls.filter(zone__name=zone)
    rows = []
    for call in calls_with_details(calls):
        call.missing_agencies = call_agencies_missing(
            call=call,
            assignments=call.active_assignments,
            backup_requests=list(call.backup_requests.all()),
            waivers=list(call.agency_waivers.all()),
        )
        if call_in_queue(call=call, missing_agencies=call.missing_agencies, needs_backup=call.needs_backup):
            rows.append(call)
    if agency:
        rows = [c for c in rows if agency in c.agencies]
    # Backup requests first: a responder on scene is waiting for them.
    rows.sort(key=lambda c: (not c.needs_backup, c.priority or 9, c.received_at))
    return rows


def calls_open() -> list[Call]:
    """Every open call (pending, dispatched, on scene) with what call_summary reads, oldest first."""
    return list(
        calls_with_details(Call.objects.filter(status__in=OPEN_STATUSES)).order_by("received_at", "pk")
    )


# What calls.events.call_board_row reads of a call: never its zone's geometry (a city polygon of tens
# of kilobytes, decoded per row), narrative or triage signals.
BOARD_CALL_FIELDS = (
    "id",
    "number",
    "status",
    "priority",
    "lead",
    "agencies",
    "call_type__code",
    "call_type__name",
    "address",
    "zone__name",
    "received_at",
    "caller_language",
    "interpreter_needed",
    "triage_recognised",
    "triage_reasons",
)


def calls_open_for_board() -> list[CallBoardRow]:
    """Every open call as a brief dispatch board row (calls.events.call_board_row), oldest first.

    Four queries whatever the number of calls: the calls (with type and zone name), their active
    assignments with the unit, their backup requests with the unit, their waivers."""
    calls = (
        Call.objects.filter(status__in=OPEN_STATUSES)
        .select_related("call_type", "zone")
        .only(*BOARD_CALL_FIELDS)
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(cleared_at__isnull=True)
                .select_related("unit")
                .only(
                    "id",
                    "call_id",
                    "unit_id",
                    "acknowledged_at",
                    "cleared_at",
                    "unit__call_sign",
                    "unit__agency_id",
                    "unit__status",
                ),
                to_attr="active_assignments",
            ),
            Prefetch(
                "backup_requests",
                queryset=BackupRequest.objects.select_related("unit")
                .only("id", "call_id", "agency", "reason", "requested_at", "handled_at", "unit__call_sign")
                .order_by("id"),
                to_attr="backup_requests_loaded",
            ),
            Prefetch(
                "agency_waivers",
                queryset=CallAgencyWaiver.objects.only("id", "call_id", "agency"),
                to_attr="waivers_loaded",
            ),
        )
        .order_by("received_at", "pk")
    )
    return [
        call_board_row(
            c,
            assignments=c.active_assignments,
            backup_requests=c.backup_requests_loaded,
            waivers=c.waivers_loaded,
        )
        for c in calls
    ]


def calls_open_acs() -> list[Call]:
    """The open calls the ACS supervisor sees (calls.policies.call_involves_acs: ACS among the call's
    agencies, or an ACS unit on it), with what call_summary reads, oldest first.

    One narrow query picks them (agencies, and whether an active ACS assignment exists, read in
    SQL); the policy answers on those values; only the chosen calls are loaded in full."""
    acs_unit_on_call = Exists(
        Assignment.objects.filter(
            call=OuterRef("pk"), cleared_at__isnull=True, unit__agency_id=Agency.Code.ACS
        )
    )
    candidates = (
        Call.objects.filter(status__in=OPEN_STATUSES)
        .annotate(acs_unit_on_call=acs_unit_on_call)
        .values_list("id", "agencies", "acs_unit_on_call")
    )
    ids = [
        pk
        for pk, agencies, acs_unit in candidates
        if call_involves_acs(
            agencies=agencies or [], unit_agencies=[Agency.Code.ACS.value] if acs_unit else []
        )
    ]
    return list(calls_with_details(Call.objects.filter(pk__in=ids)).order_by("received_at", "pk"))


def calls_list(*, status: str | None = None, user: Any = None, limit: int = 200) -> list[Call]:
    """Calls for the list endpoint: open calls by default or one status; a responder sees only the
    calls their unit worked. Newest first."""
    calls = Call.objects.all()
    calls = calls.filter(status=status) if status else calls.filter(status__in=OPEN_STATUSES)
    if user is not None and user_has_role(user, Role.RESPONDER):
        calls = calls.filter(assignments__unit_id=user.unit_id).distinct()
    return list(calls_with_details(calls).order_by("-received_at")[:limit])


def call_get(*, call_id: int, user: Any = None) -> Call | None:
    """One call, if `user` may see it (a responder: only calls their unit worked). The call carries
    `clinical_notes_visible`: its ACS clinical notes for users who may read them, else None."""
    call = calls_with_details(Call.objects.filter(pk=call_id)).first()
    if call is None:
        return None
    if user is not None and not call_visible(call=call, user=user):
        return None
    call.clinical_notes_visible = clinical_notes_for(call=call, user=user) if user is not None else None
    return call


def call_visible(*, call: Call, user: Any) -> bool:
    if user_has_role(user, Role.CALL_TAKER, Role.DISPATCHER, Role.ACS_SUPERVISOR, Role.ADMIN):
        return True
    if user_has_role(user, Role.RESPONDER):
        return call.assignments.filter(unit_id=user.unit_id).exists()
    return False


def clinical_notes_for(*, call: Call, user: Any) -> list[ClinicalNote] | None:
    """The ACS clinical notes of a call for a user who may read them (ACS supervisor, admin, an ACS
    responder whose unit worked the call), else None: police and fire never get them."""
    if not may_read_clinical_notes(user=user, call=call):
        return None
    return list(call.clinical_notes.select_related("author").order_by("created_at", "pk"))


def call_assignments_active(call: Call) -> list:
    """The active assignments of a call loaded by calls_with_details (or read now)."""
    if hasattr(call, "active_assignments"):
        return call.active_assignments
    return list(call.assignments.filter(cleared_at__isnull=True).select_related("unit"))


def _metres_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(a))


def _near(lat: float, lon: float, radius_m: float) -> Q:
    """A bounding box around a point (a cheap index-friendly prefilter; exact distance afterwards)."""
    dlat = radius_m / 111_320
    dlon = radius_m / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    return Q(lat__gte=lat - dlat, lat__lte=lat + dlat, lon__gte=lon - dlon, lon__lte=lon + dlon)


def call_history(
    *,
    address: str = "",
    lat: float | None = None,
    lon: float | None = None,
    caller_phone: str = "",
    exclude_call_id: int | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Earlier calls at the same address or within 100 m, or from the same phone, in the last 90
    days (newest first, with type and disposition), and the active caution flags recorded there."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=HISTORY_DAYS)
    address = address.strip()
    phone = phone_normalize(phone=caller_phone)
    has_point = lat is not None and lon is not None
    where = Q()
    if address:
        where |= Q(address__iexact=address)
    if phone:
        where |= Q(caller_phone=phone)
    if has_point:
        where |= _near(lat, lon, HISTORY_RADIUS_M)
    calls: list[dict[str, Any]] = []
    flags: list[dict[str, Any]] = []
    if not where:
        return {"calls": calls, "caution_flags": flags}
    found = (
        Call.objects.filter(where, received_at__gte=since, received_at__lte=now)
        .exclude(pk=exclude_call_id)
        .select_related("call_type")
        .order_by("-received_at")[: HISTORY_LIMIT * 2]
    )
    dispositions = dict(Disposition.objects.values_list("code", "description"))
    for call in found:
        matched = []
        distance = None
        if address and call.address.strip().lower() == address.lower():
            matched.append("address")
        if phone and call.caller_phone == phone:
            matched.append("phone")
        if has_point and call.lat is not None and call.lon is not None:
            distance = _metres_between(lat, lon, call.lat, call.lon)
            if distance <= HISTORY_RADIUS_M:
                matched.append("nearby")
        if not matched:
            continue  # in the bounding box corner, but farther than 100 m
        calls.append(
            {
                "id": call.pk,
                "number": call.number,
                "received_at": call.received_at,
                "status": call.status,
                "call_type": {"code": call.call_type.code, "name": call.call_type.name}
                if call.call_type_id
                else None,
                "address": call.address,
                "agencies": list(call.agencies),
                "priority": call.priority,
                "disposition": call.disposition,
                "disposition_description": dispositions.get(call.disposition, ""),
                "matched": matched,
                "distance_m": round(distance) if distance is not None and "nearby" in matched else None,
            }
        )
    flag_where = Q()
    if address:
        flag_where |= Q(address__iexact=address)
    if phone:
        flag_where |= Q(caller_phone=phone)
    if has_point:
        flag_where |= _near(lat, lon, HISTORY_RADIUS_M)
    for flag in CautionFlag.objects.filter(flag_where, active=True).order_by("-created_at"):
        if (
            not (address and flag.address.strip().lower() == address.lower())
            and not (phone and flag.caller_phone == phone)
            and (
                flag.lat is None
                or not has_point
                or _metres_between(lat, lon, flag.lat, flag.lon) > HISTORY_RADIUS_M
            )
        ):
            continue
        flags.append(
            {
                "id": flag.pk,
                "text": flag.text,
                "address": flag.address,
                "caller_phone": flag.caller_phone,
                "created_at": flag.created_at,
            }
        )
    return {"calls": calls[:HISTORY_LIMIT], "caution_flags": flags}


def dispositions_active(*, agencies: list[str] | None = None) -> QuerySet[Disposition]:
    """Disposition codes to close a call with: the ACS outcomes first, then the San Diego codes.

    With `agencies`, only the codes those agencies use (disposition_agencies): an ACS team never
    sees an arrest, a police officer never an ACS outcome; the neutral codes are everyone's.
    """
    dispositions = Disposition.objects.filter(active=True)
    if agencies:
        allowed = Q(code__in=NEUTRAL_DISPOSITIONS)
        if Agency.Code.ACS in agencies:
            allowed |= Q(acs_outcome=True)
        if Agency.Code.POLICE in agencies:
            allowed |= Q(acs_outcome=False)
        dispositions = dispositions.filter(allowed)
    return dispositions.order_by("-acs_outcome", "code")


def call_types_search(*, q: str = "", limit: int = 20) -> list[CallType]:
    """Active call types whose code starts with `q` (first) or whose name contains it."""
    q = q.strip()
    types = CallType.objects.filter(active=True)
    if not q:
        return list(types.order_by("code")[:limit])
    by_code = list(types.filter(code__istartswith=q).order_by("code")[:limit])
    seen = {t.pk for t in by_code}
    by_name = [t for t in types.filter(name__icontains=q).order_by("name")[: limit * 2] if t.pk not in seen]
    return (by_code + by_name)[:limit]


def call_types_all() -> list[dict[str, str]]:
    """Every active call type as code and name (the intake screen's type-ahead list)."""
    return [
        {"code": c, "name": n} for c, n in CallType.objects.filter(active=True).values_list("code", "name")
    ]


def event_streams_for(*, user: Any) -> list[str] | None:
    """The streams whose events a user may read over the API: None means all (admin)."""
    if user_has_role(user, Role.ADMIN):
        return None
    if user_has_role(user, Role.DISPATCHER, Role.CALL_TAKER):
        return [DISPATCH]
    if user_has_role(user, Role.ACS_SUPERVISOR):
        return [SUPERVISOR]
    if user_has_role(user, Role.RESPONDER):
        return [unit_stream(user.unit_id)]
    return []


def events_after(*, after: int, user: Any, limit: int = 500) -> list[Event]:
    """Events with id > after on the streams the user may read (a clinical note goes only to the
    ACS streams, so a dispatcher or police officer never receives one here)."""
    streams = event_streams_for(user=user)
    events = Event.objects.filter(id__gt=after)
    if streams is not None:
        events = events.filter(deliveries__stream__in=streams).distinct()
    return list(events.order_by("id")[:limit])
