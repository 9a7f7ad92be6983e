"""The REST API of the calls app, by sub-domain: calls (calls.py); alerts and thresholds (alerts.py);
the agencies a call requires (agencies.py)."""

from __future__ import annotations

from calls.api.agencies import CallAgencyWaiveApi  # noqa: F401
from calls.api.alerts import (  # noqa: F401
    AlertAcknowledgeApi,
    AlertsListApi,
    CallAlertsAcknowledgeApi,
    ThresholdsApi,
)
from calls.api.calls import (  # noqa: F401
    BackupRequestCreateApi,
    CallCancelApi,
    CallCloseApi,
    CallDetailApi,
    CallDuplicateApi,
    CallHistoryApi,
    CallOverrideApi,
    CallsApi,
    CallTypesApi,
    CautionFlagCreateApi,
    ClinicalNotesApi,
    DispositionsApi,
    EventsApi,
    HistoryLookupApi,
    TriStateField,
    call_or_404,
    call_payload,
)
