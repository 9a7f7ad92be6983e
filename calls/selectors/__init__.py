"""Reads of the calls app, by sub-domain: calls, queues and history (calls.py); alerts, thresholds
and the due clocks (alerts.py). Import from here: `from calls.selectors import calls_pending`."""

from __future__ import annotations

from calls.selectors.alerts import (  # noqa: F401
    PRIORITIES,
    alert_condition_ended,
    alert_get,
    alerts_condition_ended,
    alerts_open,
    alerts_visible,
    assignments_ack_due,
    assignments_status_due,
    call_alerts_open,
    calls_queue_due,
    thresholds_effective,
    thresholds_list,
    user_alert_streams,
)
from calls.selectors.calls import (  # noqa: F401
    HISTORY_DAYS,
    HISTORY_LIMIT,
    HISTORY_RADIUS_M,
    call_assignments_active,
    call_get,
    call_history,
    call_types_all,
    call_types_search,
    call_visible,
    calls_list,
    calls_open,
    calls_open_acs,
    calls_open_for_board,
    calls_pending,
    clinical_notes_for,
    dispositions_active,
    event_streams_for,
    events_after,
)
from calls.selectors.kpis import (  # noqa: F401
    MISSED_REASONS,
    kpis_compute,
    kpis_csv_rows,
    kpis_period,
    zones_for_kpis,
)
