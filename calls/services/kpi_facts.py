"""The KPI read model (calls.models.CallFact, StepFact): rewritten for a call in the transaction
that changes it, so a year of KPIs reads narrow rows (issue 14). The definitions are the live
KPIs' SQL (calls.selectors.kpis), run for one call here, for every call in the backfill."""

from __future__ import annotations

from django.db import connection

from calls.models import Call, CallFact, StepFact
from calls.selectors.kpis import (
    CALL_FACT_COLUMNS,
    STEP_FACT_COLUMNS,
    kpis_call_facts_sql,
    kpis_step_facts_sql,
)


def _facts_write(*, where: str, params: list) -> None:
    """Delete, then insert again, the facts of the calls `c` matching `where` (one %s each time)."""
    call_t, fact_t, step_t = Call._meta.db_table, CallFact._meta.db_table, StepFact._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {step_t} WHERE call_id IN (SELECT c.id FROM {call_t} c WHERE {where})", params
        )
        cursor.execute(
            f"DELETE FROM {fact_t} WHERE call_id IN (SELECT c.id FROM {call_t} c WHERE {where})", params
        )
        cursor.execute(
            f"INSERT INTO {fact_t} ({', '.join(CALL_FACT_COLUMNS)}) {kpis_call_facts_sql(where=where)}",
            params * 2,
        )
        cursor.execute(
            f"INSERT INTO {step_t} ({', '.join(STEP_FACT_COLUMNS)}) {kpis_step_facts_sql(where=where)}",
            params * 4,
        )


def call_facts_refresh(*, call: Call) -> None:
    """Rewrite the KPI facts of `call` from its rows as this transaction sees them. Call it after
    the change, with the call row locked (every service that appends a call event holds it), so two
    consoles acting on one call write its facts one after the other, each from the other's result."""
    _facts_write(where="c.id = %s", params=[call.pk])


def call_facts_rebuild() -> int:
    """Rewrite the KPI facts of every call (the backfill migration; the bench after a bulk load,
    which writes calls around the services). Returns the number of calls."""
    _facts_write(where="1 = %s", params=[1])
    return CallFact.objects.count()
