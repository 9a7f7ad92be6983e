"""Reads of the deadline clocks: thresholds in force, open alerts, and the rows whose clock is due.

The due queries are set-based: one query per clock and level, with the per-agency, per-priority
limits folded into its WHERE clause and the rows already alerted excluded by an EXISTS, so a sweep
over 10,000 open calls touches in Python only the rows that need an alert now.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from acs_dispatch.roles import Role, user_has_role
from calls.events import alert_streams
from calls.models import OPEN_STATUSES, Alert, Assignment, Call, CallAgencyWaiver, DeadlineThreshold
from live.events import DISPATCH, SUPERVISOR, unit_stream
from responders.models import Unit

Kind = DeadlineThreshold.Kind
ThresholdKey = tuple[str, str, int]  # (kind, agency, priority)
from calls.policies import DEFAULT_THRESHOLDS, PRIORITIES  # noqa: E402,F401 (PRIORITIES re-exported)

# --- thresholds ---------------------------------------------------------------------------------


def thresholds_effective() -> dict[ThresholdKey, tuple[int, int]]:
    """(warn_seconds, escalate_seconds) for every kind, agency and priority: the admin's rows
    over the built-in defaults, so the clocks run even on a database never seeded."""

    result = dict(DEFAULT_THRESHOLDS)
    for row in DeadlineThreshold.objects.values_list(
        "kind", "agency", "priority", "warn_seconds", "escalate_seconds"
    ):
        kind, agency, priority, warn, escalate = row
        result[(kind, agency, priority)] = (warn, escalate)
    return result


def thresholds_list() -> list[dict[str, Any]]:
    """Every threshold in force, ordered kind, agency, priority (for the admin page and API).

    `is_default` is True when the limits in force equal the built-in default, whether or not a row
    was ever saved: a row edited and then set back, or saved unchanged by the page, is not "edited".
    """

    rows = []
    kind_order = {k: i for i, k in enumerate(Kind.values)}
    for (kind, agency, priority), (warn, escalate) in sorted(
        thresholds_effective().items(),
        key=lambda item: (kind_order.get(item[0][0], 99), item[0][1], item[0][2]),
    ):
        rows.append(
            {
                "kind": kind,
                "kind_label": Kind(kind).label,
                "agency": agency,
                "priority": priority,
                "warn_seconds": warn,
                "escalate_seconds": escalate,
                "is_default": DEFAULT_THRESHOLDS.get((kind, agency, priority)) == (warn, escalate),
                "default_warn_seconds": DEFAULT_THRESHOLDS.get((kind, agency, priority), (None, None))[0],
                "default_escalate_seconds": DEFAULT_THRESHOLDS.get((kind, agency, priority), (None, None))[1],
            }
        )
    return rows


# --- alerts -------------------------------------------------------------------------------------


def alert_get(*, alert_id: int) -> Alert:
    return Alert.objects.select_related("call", "unit", "acknowledged_by").get(pk=alert_id)


def user_alert_streams(*, user: Any) -> set[str] | None:
    """The alert streams a user watches; None means every stream (admin)."""
    if user_has_role(user, Role.ADMIN):
        return None
    if user_has_role(user, Role.DISPATCHER):
        return {DISPATCH}
    if user_has_role(user, Role.ACS_SUPERVISOR):
        return {SUPERVISOR}
    if user_has_role(user, Role.RESPONDER) and user.unit_id:
        return {unit_stream(user.unit_id)}
    return set()


def _open() -> Q:
    """Open: nobody acknowledged it and its condition still holds."""
    return Q(acknowledged_at__isnull=True, resolved_at__isnull=True)


def alerts_open(*, stream: str | None = None) -> list[Alert]:
    """Open alerts (unacknowledged, unresolved), escalated first, then oldest; only those pushed
    to `stream` if given."""
    alerts = Alert.objects.filter(_open()).select_related("call", "unit", "acknowledged_by")
    ordered = alerts.order_by("-level", "raised_at", "id")
    if stream is None:
        return list(ordered)
    return [a for a in ordered if stream in alert_streams(a)]


def alerts_visible(*, user: Any, open_only: bool = True, limit: int = 200) -> list[Alert]:
    """The alerts `user` is shown: those pushed to a stream the user watches. Open ones come
    first (escalated, then oldest); with open_only False, the latest closed ones (acknowledged or
    resolved) follow."""
    streams = user_alert_streams(user=user)
    if streams is not None and not streams:
        return []
    base = Alert.objects.select_related("call", "unit", "acknowledged_by")
    # Open alerts are few (each is a clock someone must answer); the recent history is capped.
    candidates = list(base.filter(_open()).order_by("-level", "raised_at", "id"))
    if not open_only:
        closed = base.exclude(_open()).annotate(closed_at=Coalesce("acknowledged_at", "resolved_at"))
        candidates += list(closed.order_by("-closed_at", "-id")[:limit])
    if streams is None:
        return candidates[:limit]
    return [a for a in candidates if streams & set(alert_streams(a))][:limit]


def call_alerts_open(*, call_id: int) -> list[Alert]:
    """The open alerts of one call (every stream), escalated first, then oldest."""
    return list(
        Alert.objects.filter(_open(), call_id=call_id)
        .select_related("call", "unit", "acknowledged_by")
        .order_by("-level", "raised_at", "id")
    )


# --- conditions that ended ----------------------------------------------------------------------


def _condition_ended() -> Q:
    """An alert whose clock no longer runs, per kind and level (each the negation of what keeps
    its due query matching):
    - QUEUE: the call is no longer PENDING (assigned, closed, cancelled, a duplicate).
    - ACK warning: the assignment was acknowledged or cleared.
    - ACK escalation (the silent unit was taken off): the call ended, another unit of that agency
      is on it, or the agency was waived on it.
    - EN_ROUTE / ON_SCENE: the assignment was cleared or the unit's status moved on.
    """
    agency_back = Assignment.objects.filter(
        call=OuterRef("call_id"), unit__agency_id=OuterRef("unit__agency_id"), cleared_at__isnull=True
    )
    agency_waived = CallAgencyWaiver.objects.filter(
        call=OuterRef("call_id"), agency=OuterRef("unit__agency_id")
    )
    queue = Q(kind=Kind.QUEUE) & ~Q(call__status=Call.Status.PENDING)
    ack_warning = Q(kind=Kind.ACK, level=Alert.Level.WARNING) & (
        Q(assignment__acknowledged_at__isnull=False) | Q(assignment__cleared_at__isnull=False)
    )
    ack_escalated = Q(kind=Kind.ACK, level=Alert.Level.ESCALATED) & (
        ~Q(call__status__in=OPEN_STATUSES) | Q(Exists(agency_back)) | Q(Exists(agency_waived))
    )
    status = Q(assignment__cleared_at__isnull=False)
    en_route = Q(kind=Kind.EN_ROUTE) & (status | ~Q(unit__status=Unit.Status.EN_ROUTE))
    on_scene = Q(kind=Kind.ON_SCENE) & (status | ~Q(unit__status=Unit.Status.ON_SCENE))
    return queue | ack_warning | ack_escalated | en_route | on_scene


def alerts_condition_ended(*, call_id: int | None = None, unit_id: int | None = None) -> QuerySet[Alert]:
    """Unresolved alerts (acknowledged or not) whose condition has ended, oldest first; only those
    of `call_id` or `unit_id` when either is given. One query, whatever the number of alerts."""
    alerts = Alert.objects.filter(resolved_at__isnull=True)
    if call_id is not None or unit_id is not None:
        alerts = alerts.filter(Q(call_id=call_id) | Q(unit_id=unit_id))
        # Most calls and units have no live alert: one indexed probe spares the joins below.
        if not alerts.exists():
            return Alert.objects.none()
    return (
        alerts.filter(_condition_ended())
        .select_related("call", "unit", "assignment", "acknowledged_by")
        .order_by("raised_at", "id")
    )


def alert_condition_ended(*, alert_id: int) -> bool:
    """Whether the condition of one alert has ended (re-read inside the resolving transaction)."""
    return Alert.objects.filter(pk=alert_id).filter(_condition_ended()).exists()


# --- due clocks ---------------------------------------------------------------------------------


# "Not yet alerted at `level`" reads level__gte: a clock already escalated (a sweep that ran late
# raises the escalation first) is never warned about afterwards.


def _limit_q(
    *,
    thresholds: dict[ThresholdKey, tuple[int, int]],
    kind: str,
    level: int,
    now: dt.datetime,
    agency_field: str,
    priority_field: str,
    start_field: str,
) -> Q:
    """OR over every (agency, priority) of kind: the row's clock started before now - limit.
    A row with no priority is held to the priority 1 limit: an unknown urgency is treated as the
    highest, never the lowest."""
    due = Q(pk__in=[])
    for (k, agency, priority), (warn, escalate) in sorted(thresholds.items()):
        if k != kind:
            continue
        limit = warn if level == Alert.Level.WARNING else escalate
        cond = Q(**{agency_field: agency, f"{start_field}__lte": now - dt.timedelta(seconds=limit)})
        if priority == 1:
            cond &= Q(**{priority_field: 1}) | Q(**{f"{priority_field}__isnull": True})
        else:
            cond &= Q(**{priority_field: priority})
        due |= cond
    return due


def assignments_ack_due(
    *, now: dt.datetime, level: int, thresholds: dict[ThresholdKey, tuple[int, int]]
) -> QuerySet[Assignment]:
    """Active assignments still not acknowledged past their limit and not yet alerted at `level`."""
    alerted = Alert.objects.filter(kind=Kind.ACK, level__gte=level, assignment=OuterRef("pk"))
    return (
        Assignment.objects.filter(cleared_at__isnull=True, acknowledged_at__isnull=True)
        .filter(
            _limit_q(
                thresholds=thresholds,
                kind=Kind.ACK,
                level=level,
                now=now,
                agency_field="unit__agency_id",
                priority_field="call__priority",
                start_field="assigned_at",
            )
        )
        .filter(~Exists(alerted))
        .select_related("call", "unit")
        .order_by("id")
    )


def calls_queue_due(
    *, now: dt.datetime, level: int, thresholds: dict[ThresholdKey, tuple[int, int]]
) -> QuerySet[Call]:
    """Calls waiting in the queue (PENDING) past their lead agency's limit for their priority,
    counted from receipt (NFPA 1221 measures from the call's arrival), not yet alerted at `level`."""
    alerted = Alert.objects.filter(kind=Kind.QUEUE, level__gte=level, call=OuterRef("pk"))
    return (
        Call.objects.filter(status=Call.Status.PENDING)
        .filter(
            _limit_q(
                thresholds=thresholds,
                kind=Kind.QUEUE,
                level=level,
                now=now,
                agency_field="lead",
                priority_field="priority",
                start_field="received_at",
            )
        )
        .filter(~Exists(alerted))
        .order_by("id")
    )


def assignments_status_due(
    *, now: dt.datetime, kind: str, level: int, thresholds: dict[ThresholdKey, tuple[int, int]]
) -> QuerySet[Assignment]:
    """Active assignments whose unit has been ON_SCENE / EN_ROUTE (per `kind`) past the limit of
    its agency and the call's priority, in this status period, and not yet alerted at `level`.
    An escalation (level 2) is due only while the level 1 status check stands unanswered."""
    unit_status = Unit.Status.ON_SCENE if kind == Kind.ON_SCENE else Unit.Status.EN_ROUTE
    this_period = {"unit": OuterRef("unit_id"), "raised_at__gte": OuterRef("unit__status_since")}
    alerted = Alert.objects.filter(kind=kind, level__gte=level, **this_period)
    due = (
        Assignment.objects.filter(cleared_at__isnull=True, unit__status=unit_status)
        .filter(
            _limit_q(
                thresholds=thresholds,
                kind=kind,
                level=level,
                now=now,
                agency_field="unit__agency_id",
                priority_field="call__priority",
                start_field="unit__status_since",
            )
        )
        .filter(~Exists(alerted))
    )
    if level == Alert.Level.ESCALATED:
        unanswered = Alert.objects.filter(_open(), kind=kind, level=Alert.Level.WARNING, **this_period)
        due = due.filter(Exists(unanswered))
    return due.select_related("call", "unit").order_by("id")
