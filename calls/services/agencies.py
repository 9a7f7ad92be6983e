"""Writes about the agencies a call requires: a dispatcher's recorded reason why one gets no unit."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from acs_dispatch.exceptions import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from acs_dispatch.roles import Role, user_has_role
from calls.models import OPEN_STATUSES, Call, CallAgencyWaiver
from calls.policies import call_agencies_missing, call_agencies_required
from calls.services.calls import _call_event, _call_lock
from live.kinds import EventKind
from responders.models import Agency


@transaction.atomic
def call_agency_waive(*, call: Call, agency: str, reason: str, actor: Any) -> CallAgencyWaiver:
    """A dispatcher records why a required agency gets no unit on the call (no ACS team on shift,
    the caller refused police): the call no longer waits in the queue for it. Appends
    call.agency_waived.

    Raises NotAllowed for anyone but a dispatcher or an admin, ValidationFailed without a reason or
    for an agency the call does not require, Conflict when the agency already has a unit or a
    waiver, InvalidTransition on a call no longer open.
    """
    if not user_has_role(actor, Role.DISPATCHER, Role.ADMIN):
        raise NotAllowed("Only a dispatcher records why an agency is not sent.")
    agency = (agency or "").strip().upper()
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if agency not in Agency.Code.values:
        errors["agency"] = [f"Choose one of {', '.join(Agency.Code.values)}."]
    if not reason:
        errors["reason"] = ["Say why this agency is not sent."]
    if errors:
        raise ValidationFailed("The waiver has invalid fields.", errors=errors)
    call = _call_lock(call)
    if call.status not in OPEN_STATUSES:
        raise InvalidTransition(
            f"Call {call.number} is {call.get_status_display()}: nothing is waiting.", status=call.status
        )
    if agency not in call_agencies_required(call=call):
        raise ValidationFailed(
            f"Call {call.number} does not require {Agency.Code(agency).label}.",
            errors={"agency": [f"Choose one of {', '.join(call_agencies_required(call=call))}."]},
        )
    if agency not in call_agencies_missing(call=call):
        raise Conflict(
            f"{Agency.Code(agency).label} is not missing on call {call.number}: "
            "it has a unit or a recorded reason already.",
            status=call.status,
        )
    waiver = CallAgencyWaiver.objects.create(
        call=call,
        agency=agency,
        reason=reason[:500],
        waived_by=actor if getattr(actor, "is_authenticated", False) else None,
        waived_at=timezone.now(),
    )
    _call_event(
        kind=EventKind.CALL_AGENCY_WAIVED,
        call=call,
        actor=actor,
        waiver={"agency": agency, "reason": waiver.reason},
    )
    return waiver
