"""Writes of AVL (automatic vehicle location): a unit's fixes from its tablet or its vehicle modem.

A batch of fixes is sorted by time; a fix older than the unit's last position (out of order), older
than AVL_MAX_FIX_AGE (a modem's backlog) or in the future is dropped. The accepted fixes go to the
track (UnitPosition); the newest becomes the unit's position. The screens hear of it through a
"unit.moved" event, at most one per unit per AVL_PUSH_INTERVAL: 600 units reporting every 5 s make
at most 120 events a second, never one push per fix per screen; the sweep sends the last position
of a unit whose final fix fell inside a throttled interval.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from acs_dispatch.exceptions import NotAllowed, ValidationFailed
from acs_dispatch.roles import Role, user_has_role
from live.events import AUDIT, event_append
from live.kinds import EventKind
from responders.events import unit_streams, unit_summary
from responders.models import Unit, UnitPosition
from responders.selectors import units_index_clear
from responders.sources import sources_get

FUTURE_TOLERANCE = dt.timedelta(seconds=30)  # device clocks run a little fast
MAX_FIXES_PER_BATCH = 500


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def unit_avl_token_issue(*, unit: Unit, actor: Any = None) -> str:
    """A new AVL token for the unit's vehicle modem (only its hash is stored; the old one stops)."""
    token = secrets.token_urlsafe(32)
    Unit.objects.filter(pk=unit.pk).update(avl_token_hash=_token_hash(token))
    event_append(
        kind=EventKind.UNIT_AVL_TOKEN_ISSUED,
        actor=actor,
        unit=unit,
        data={"call_sign": unit.call_sign},
        streams=[AUDIT],
    )
    return token


def avl_actor_check(*, unit: Unit, user: Any, token: str = "") -> None:
    """Who may report a unit's position: its modem (the unit's token) or a responder crewing it.
    Raises NotAllowed otherwise."""
    if token:
        if unit.avl_token_hash and hmac.compare_digest(unit.avl_token_hash, _token_hash(token)):
            return
        raise NotAllowed(f"That AVL token is not {unit.call_sign}'s.")
    if user_has_role(user, Role.RESPONDER) and user.unit_id == unit.pk:
        return
    raise NotAllowed(f"Only {unit.call_sign}'s crew or its vehicle modem may report its position.")


def _fix_check(fix: dict[str, Any], n: int, errors: dict[str, list[str]]) -> None:
    lat, lon, at = fix.get("lat"), fix.get("lon"), fix.get("at")
    if not isinstance(lat, int | float) or not -90 <= lat <= 90:
        errors.setdefault(f"positions[{n}].lat", []).append("Latitude must be a number between -90 and 90.")
    if not isinstance(lon, int | float) or not -180 <= lon <= 180:
        errors.setdefault(f"positions[{n}].lon", []).append(
            "Longitude must be a number between -180 and 180."
        )
    if not isinstance(at, dt.datetime) or timezone.is_naive(at):
        errors.setdefault(f"positions[{n}].at", []).append("Give the fix's time with its UTC offset.")


@transaction.atomic
def unit_positions_record(*, unit: Unit, fixes: list[dict[str, Any]], actor: Any = None) -> dict[str, Any]:
    """Record a batch of fixes ({lat, lon, at, speed?, heading?}); returns what was accepted and
    dropped. Raises ValidationFailed (nothing saved) for a malformed fix."""
    errors: dict[str, list[str]] = {}
    if not fixes:
        errors["positions"] = ["Give at least one fix."]
    if len(fixes) > MAX_FIXES_PER_BATCH:
        errors["positions"] = [f"At most {MAX_FIXES_PER_BATCH} fixes per batch."]
    for n, fix in enumerate(fixes):
        _fix_check(fix, n, errors)
    if errors:
        raise ValidationFailed("The positions have invalid fields.", errors=errors)

    now = timezone.now()
    oldest = now - dt.timedelta(seconds=settings.AVL_MAX_FIX_AGE)
    # The row lock orders two batches of one unit (a modem retrying beside the tablet): the
    # second sees the first's position_at and drops what is older.
    unit = Unit.objects.select_for_update(of=("self",)).select_related("home_zone").get(pk=unit.pk)
    last = unit.position_at
    accepted: list[UnitPosition] = []
    dropped = {"out_of_order": 0, "stale": 0, "future": 0}
    for fix in sorted(fixes, key=lambda f: f["at"]):
        at = fix["at"]
        if at > now + FUTURE_TOLERANCE:
            dropped["future"] += 1
        elif at < oldest:
            dropped["stale"] += 1
        elif last is not None and at <= last:
            dropped["out_of_order"] += 1
        else:
            accepted.append(
                UnitPosition(
                    unit=unit, lat=float(fix["lat"]), lon=float(fix["lon"]), at=at,
                    speed=fix.get("speed"), heading=fix.get("heading"), received_at=now,
                )
            )  # fmt: skip
            last = at
    pushed = False
    if accepted:
        UnitPosition.objects.bulk_create(accepted)
        newest = accepted[-1]
        unit.lat, unit.lon, unit.position_at = newest.lat, newest.lon, newest.at
        # The row is locked: decide the throttle here and write it with the position, one UPDATE.
        interval = dt.timedelta(seconds=settings.AVL_PUSH_INTERVAL)
        pushed = unit.position_pushed_at is None or unit.position_pushed_at <= now - interval
        if pushed:
            unit.position_pushed_at = now
        unit.save(update_fields=["lat", "lon", "position_at", "position_pushed_at"])
        if pushed:
            _unit_moved_event(unit=unit, actor=actor)
    return {"accepted": len(accepted), "dropped": dropped, "pushed": pushed}


def _unit_moved_push(*, unit: Unit, now: dt.datetime, actor: Any) -> bool:
    """Append "unit.moved" unless this unit was pushed less than AVL_PUSH_INTERVAL ago (the row
    not locked: the sweep's flush)."""
    interval = dt.timedelta(seconds=settings.AVL_PUSH_INTERVAL)
    # Compare-and-set: of two sweeps (or a sweep and a batch) in the same interval one pushes.
    claimed = Unit.objects.filter(
        Q(position_pushed_at__isnull=True) | Q(position_pushed_at__lte=now - interval), pk=unit.pk
    ).update(position_pushed_at=now)
    if not claimed:
        return False
    unit.position_pushed_at = now
    _unit_moved_event(unit=unit, actor=actor)
    return True


def _unit_moved_event(*, unit: Unit, actor: Any) -> None:
    """The "unit.moved" event with the unit's summary, to the unit's streams."""
    # The recommendation's index follows the pushed positions (at most one rebuild per unit per
    # interval, and only when someone asks for a recommendation).
    units_index_clear()
    transaction.on_commit(units_index_clear)
    summary = unit_summary(unit, active_assignment=sources_get().assignment_active(unit))
    event_append(
        kind=EventKind.UNIT_MOVED,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        unit=unit,
        data={"unit": summary, "position_at": unit.position_at.isoformat() if unit.position_at else None},
        streams=unit_streams(summary),
    )


def unit_positions_flush(*, now: dt.datetime) -> int:
    """Push the last position of units whose newest fix came after their last push and whose
    interval has passed (their final fix fell in a throttled interval). Returns how many."""
    interval = dt.timedelta(seconds=settings.AVL_PUSH_INTERVAL)
    # Server clocks on both sides: a fix received after the last push (device clocks may differ).
    newer = UnitPosition.objects.filter(unit=OuterRef("pk"), received_at__gt=OuterRef("position_pushed_at"))
    due = Unit.objects.filter(position_at__isnull=False).filter(
        Q(position_pushed_at__isnull=True) | Q(Exists(newer), position_pushed_at__lte=now - interval)
    )
    pushed = 0
    for unit in due.select_related("home_zone"):
        with transaction.atomic():
            pushed += _unit_moved_push(unit=unit, now=now, actor=None)
    return pushed


def unit_positions_purge(*, now: dt.datetime) -> int:
    """Delete track rows older than AVL_TRACK_RETENTION_HOURS; returns how many went."""
    before = now - dt.timedelta(hours=settings.AVL_TRACK_RETENTION_HOURS)
    deleted, _ = UnitPosition.objects.filter(at__lt=before).delete()
    return deleted


@transaction.atomic
def unit_position_set(
    *, unit: Unit, lat: float, lon: float, at: dt.datetime | None = None, actor: Any = None
) -> bool:
    """Move a unit in the demo simulation (one fix, same rules as a device's)."""
    result = unit_positions_record(
        unit=unit, fixes=[{"lat": lat, "lon": lon, "at": at or timezone.now()}], actor=actor
    )
    return bool(result["accepted"])
