"""manage.py replay_calls [--limit N] [--speed X] [--skip N]: feed real San Diego calls for service
(data/sdpd_cfs_2023-01-01_to_01-20.csv) into the center as new calls, through the same service the
call-takers' form uses, so the boards, the supervisor's map and the clocks have a realistic day.

Each call keeps its real call type, its description as the narrative, and its rhythm: `--speed 60`
plays one minute of the real day per second (0: as fast as possible). The street addresses were
removed from the public data, so each call gets a point inside its real beat when the San Diego
beats are loaded (`seed_demo --city san-diego`), or else a point in a random service zone.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError

from acs_dispatch.exceptions import ValidationFailed
from calls.management.commands.simulate_units import simulation_run
from calls.models import CallType
from calls.services import call_create
from responders.geography import point_inside, shared_data_dir
from responders.models import Zone

CALLS_FILE = "sdpd_cfs_2023-01-01_to_01-20.csv"
SAN_DIEGO = ZoneInfo("America/Los_Angeles")  # the data's clock; used only to pace the replay
MAX_PAUSE = 10.0  # seconds: a quiet hour of the real night is not replayed as a quiet hour


def calls_read(path: Path, *, skip: int, limit: int) -> Iterator[dict[str, str]]:
    """The rows of the calls file in time order (the file is in incident order, which is time order)."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        for index, row in enumerate(csv.DictReader(f)):
            if index < skip:
                continue
            if index >= skip + limit:
                return
            yield row


class Command(BaseCommand):
    help = "Replay real San Diego calls for service into the center (demo and load)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=50, help="how many calls (default 50)")
        parser.add_argument("--skip", type=int, default=0, help="start after this many calls of the file")
        parser.add_argument(
            "--speed",
            type=float,
            default=60.0,
            help="real seconds played per second; 0: no pauses (default 60)",
        )
        parser.add_argument("--seed", type=int, default=2023, help="random seed for the points")
        # The living demo (issue 13): units drive to their calls between replayed calls.
        parser.add_argument(
            "--move-units", action="store_true", help="dispatched units drive, work and clear"
        )
        parser.add_argument(
            "--dispatch", action="store_true", help="a demo dispatcher assigns units (with --move-units)"
        )
        parser.add_argument(
            "--time-scale", type=float, default=10.0, help="simulated seconds per wall second"
        )

    def _pause(self, seconds: float, options: dict) -> None:
        """Wait between two calls; with --move-units the units move meanwhile (issue 13)."""
        if not options.get("move_units"):
            time.sleep(seconds)
            return
        simulation_run(seconds=seconds, time_scale=options["time_scale"], dispatch=options["dispatch"])

    def handle(self, *args, limit: int, skip: int, speed: float, seed: int, **options):
        if limit < 1 or skip < 0 or speed < 0:
            raise CommandError("--limit must be >= 1, --skip and --speed >= 0", returncode=2)
        path = shared_data_dir() / CALLS_FILE
        if not path.exists():
            raise CommandError(f"{path}: the calls file is missing", returncode=2)
        zones = list(Zone.objects.filter(kind=Zone.Kind.SERVICE).only("name", "geometry"))
        if not zones:
            raise CommandError("no service zones: run `manage.py seed_demo` first", returncode=2)
        beats = {z.name.split(" ", 1)[0]: z for z in zones}  # "511 BARRIO LOGAN" -> "511"
        known_types = set(CallType.objects.values_list("code", flat=True))
        rng = random.Random(seed)

        created = refused = 0
        agencies: dict[str, int] = {}
        previous: dt.datetime | None = None
        for row in calls_read(path, skip=skip, limit=limit):
            at = dt.datetime.fromisoformat(row["date_time"]).replace(tzinfo=SAN_DIEGO)
            if speed and previous is not None:
                self._pause(min(MAX_PAUSE, max(0.0, (at - previous).total_seconds() / speed)), options)
            previous = at
            zone = beats.get(row["beat"]) or rng.choice(zones)
            lat, lon = point_inside(zone.geometry, rng)
            code = row["call_type"].strip().upper()
            try:
                call = call_create(
                    actor=None,
                    call_type=code if code in known_types else "",
                    narrative=row["call_type_desc"].strip().lower(),
                    address=f"({zone.name}, address withheld in the public data)",
                    lat=lat,
                    lon=lon,
                )
            except ValidationFailed as exc:
                refused += 1
                self.stderr.write(f"{row['incident_num']}: refused: {exc.message}")
                continue
            created += 1
            key = "+".join(call.agencies)
            agencies[key] = agencies.get(key, 0) + 1
            self.stdout.write(
                f"{call.number} {code or '-':8} P{call.priority} {'+'.join(call.agencies):18} {call.triage_rule}"
            )
        if options.get("move_units") and not speed:
            self._pause(0, options)  # --speed 0: one round of moves after the burst
        mix = ", ".join(f"{k} {v}" for k, v in sorted(agencies.items(), key=lambda kv: -kv[1]))
        self.stdout.write(f"replayed {created} calls ({refused} refused): {mix}")
