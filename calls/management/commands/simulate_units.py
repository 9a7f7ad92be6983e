"""manage.py simulate_units [--seconds N] [--time-scale 10] [--dispatch]: the living demo (issue 13).
Dispatched units drive to their calls, stay on scene, clear and drive home; with --dispatch a demo
dispatcher also assigns the nearest suitable units to pending calls. Run it beside ./run.sh (or use
`replay_calls --move-units`)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from calls.demo import calls_autodispatch, demo_actor
from calls.simulation import units_simulate_step

TICK_S = 1.0


def simulation_run(*, seconds: float, time_scale: float, dispatch: bool, out=None) -> dict[str, int]:
    """Step the simulation every TICK_S of wall time for `seconds` (0: just one step)."""
    actor = demo_actor()
    totals: dict[str, int] = {}
    end = time.monotonic() + seconds
    last = time.monotonic() - TICK_S
    while True:
        now = time.monotonic()
        if dispatch:
            totals["assigned"] = totals.get("assigned", 0) + calls_autodispatch(actor=actor)
        for k, v in units_simulate_step(seconds=now - last, actor=actor, time_scale=time_scale).items():
            totals[k] = totals.get(k, 0) + v
        last = now
        if now >= end:
            return totals
        time.sleep(min(TICK_S, max(0.0, end - now)))


class Command(BaseCommand):
    help = "Move the demo's units: to their calls, on scene, clear, home (issue 13)."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=0, help="wall seconds to run (0: forever)")
        parser.add_argument(
            "--time-scale", type=float, default=10.0, help="simulated seconds per wall second"
        )
        parser.add_argument("--dispatch", action="store_true", help="also assign units to pending calls")

    def handle(self, *args, seconds: float, time_scale: float, dispatch: bool, **options):
        if seconds < 0 or time_scale <= 0:
            raise CommandError("--seconds must be >= 0 and --time-scale > 0", returncode=2)
        forever = seconds == 0
        while True:
            totals = simulation_run(
                seconds=60 if forever else seconds, time_scale=time_scale, dispatch=dispatch
            )
            self.stdout.write(f"simulation: {totals}")
            if not forever:
                return
