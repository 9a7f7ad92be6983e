from __future__ import annotations

from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = "Calls"

    def ready(self) -> None:
        # Triage reads no model of ours: hand it the call types, zones and recent calls it needs.
        from calls.triage_sources import triage_sources_register

        triage_sources_register()
        # Nor does responders: hand it a unit's active assignment (the AVL push names the call).
        from calls.selectors.assignments import assignment_active_for_unit
        from responders.sources import sources_register

        sources_register(assignment_active=lambda unit: assignment_active_for_unit(unit=unit))
