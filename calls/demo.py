"""The living demo's dispatcher (issue 13): assigns the top recommended unit of each agency a
pending call still needs, as a dispatcher would on a quiet console. Only for the demo
(replay_calls --dispatch, simulate_units --dispatch); the units then move through
calls.simulation."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from acs_dispatch.exceptions import DispatchError
from acs_dispatch.roles import Role
from calls.selectors.assignments import call_units_recommend
from calls.selectors.calls import calls_pending
from calls.services.assignments import unit_assign
from responders.models import Unit

DEMO_ACTOR = "demo-simulation"


def demo_actor() -> Any:
    """The user the simulation acts as: a dispatcher who cannot sign in (no usable password)."""
    user, created = get_user_model().objects.get_or_create(
        username=DEMO_ACTOR, defaults={"role": Role.DISPATCHER}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def calls_autodispatch(*, actor: Any, limit: int = 20) -> int:
    """Assign the nearest suitable unit to each agency the most urgent pending calls still need.
    Refusals (the order of arrival, a unit taken meanwhile) leave the call for the next round."""
    assigned = 0
    for call in calls_pending()[:limit]:
        if call.lat is None:
            continue
        for entry in call_units_recommend(call=call):
            if entry["covered_by"] or not entry["units"]:
                continue
            unit = Unit.objects.get(pk=entry["units"][0]["unit_id"])
            try:
                unit_assign(call=call, unit=unit, actor=actor)
                assigned += 1
            except DispatchError:
                continue  # police first, or the unit went elsewhere: next round
    return assigned
