"""Writes of the calls app, by sub-domain: calls and their lifecycle (calls.py); the units on a call
(units.py) and the assignment lifecycle (assignments.py); alerts and thresholds (alerts.py); the
deadline sweep (timers.py); waivers of the agencies a call requires (agencies.py).
Import from here: `from calls.services import call_create`."""

from __future__ import annotations

from calls.services.agencies import call_agency_waive  # noqa: F401
from calls.services.alerts import (  # noqa: F401
    alert_acknowledge,
    alert_may_acknowledge,
    alert_raise,
    alert_resolve,
    alerts_resolve_ended,
    call_alerts_acknowledge,
    threshold_update,
    thresholds_ensure_defaults,
    thresholds_update,
)
from calls.services.assignments import (  # noqa: F401
    assignment_ack_escalate,
    assignment_acknowledge,
    assignment_clear,
    assignment_reassign,
    assignment_scene_safe,
    assignment_unassign,
    unit_assign,
    unit_status_change,
)
from calls.services.calls import (  # noqa: F401
    ACS_DISPOSITIONS,
    CALL_TRANSITIONS,
    DISPOSITIONS_FILE,
    NO_RULESET_DECISION,
    backup_request,
    backup_requests_handle,
    call_cancel,
    call_close,
    call_create,
    call_create_once,
    call_mark_dispatched,
    call_mark_duplicate,
    call_mark_on_scene,
    call_number_next,
    call_override,
    call_triage,
    call_triage_input,
    call_types_load,
    call_units_changed,
    caution_flag_add,
    clinical_note_add,
    clinical_note_summary,
    disposition_check,
    dispositions_load,
    phone_normalize,
)
from calls.services.kpi_facts import call_facts_rebuild, call_facts_refresh, kpi_periods_build  # noqa: F401
from calls.services.location import call_locate  # noqa: F401
from calls.services.timers import deadlines_sweep  # noqa: F401
from calls.services.units import assignments_release  # noqa: F401
