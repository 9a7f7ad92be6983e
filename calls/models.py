from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Answer(models.TextChoices):
    """A screening answer as the call-taker recorded it."""

    YES = "YES", "Yes"
    NO = "NO", "No"
    UNKNOWN = "UNKNOWN", "Unknown"


class CallerLanguage(models.TextChoices):
    """The language the caller speaks, as the call-taker heard it. Spanish comes first after
    "unknown": it is the language other than English heard most often in Albuquerque."""

    UNKNOWN = "", "Unknown"
    SPANISH = "es", "Spanish"
    ENGLISH = "en", "English"
    NAVAJO = "nv", "Navajo"
    VIETNAMESE = "vi", "Vietnamese"
    CHINESE = "zh", "Chinese"
    OTHER = "other", "Other"


class CallType(models.Model):
    """A call type the center uses (San Diego codes, APCO common incident types)."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    apco_code = models.CharField(max_length=16, blank=True)
    default_agencies = models.JSONField(default=list, blank=True)  # hint only; triage decides
    priority_hint = models.PositiveSmallIntegerField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Call(models.Model):
    """A call for service, from intake to close."""

    class Status(models.TextChoices):
        NEW = "NEW", "New"
        TRIAGED = "TRIAGED", "Triaged"
        PENDING = "PENDING", "Pending"
        DISPATCHED = "DISPATCHED", "Dispatched"
        ON_SCENE = "ON_SCENE", "On scene"
        CLOSED = "CLOSED", "Closed"
        CANCELLED = "CANCELLED", "Cancelled"
        DUPLICATE = "DUPLICATE", "Duplicate"

    number = models.CharField(max_length=20, unique=True)
    received_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    call_type = models.ForeignKey(CallType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    narrative = models.TextField(blank=True)

    # Location: the address as spoken, the point if known, and the zone found from the point.
    address = models.CharField(max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    zone = models.ForeignKey(
        "responders.Zone", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outside_service_area = models.BooleanField(default=False)
    # An address given that the geocoder could not place (issue 13): kept as spoken, flagged, and
    # placed later by a map pick (calls.services.location.call_locate).
    location_unverified = models.BooleanField(default=False)

    caller_name = models.CharField(max_length=120, blank=True)
    caller_phone = models.CharField(max_length=30, blank=True)
    caller_language = models.CharField(
        max_length=16, choices=CallerLanguage.choices, blank=True, default=CallerLanguage.UNKNOWN
    )
    interpreter_needed = models.BooleanField(default=False)

    # Screening answers.
    weapons = models.CharField(max_length=8, choices=Answer.choices, default=Answer.UNKNOWN)
    violence = models.CharField(max_length=8, choices=Answer.choices, default=Answer.UNKNOWN)
    medical = models.CharField(max_length=8, choices=Answer.choices, default=Answer.UNKNOWN)
    caller_is_subject = models.CharField(max_length=8, choices=Answer.choices, default=Answer.UNKNOWN)

    # The triage decision in force (after any dispatcher override).
    agencies = models.JSONField(default=list, blank=True)
    lead = models.CharField(max_length=10, blank=True)
    mode = models.CharField(max_length=32, blank=True)
    priority = models.PositiveSmallIntegerField(null=True, blank=True)
    triage_rule = models.CharField(max_length=120, blank=True)
    ruleset_version = models.PositiveIntegerField(null=True, blank=True)
    triage_reasons = models.JSONField(default=list, blank=True)
    triage_guards = models.JSONField(default=list, blank=True)
    acs_eligible = models.BooleanField(default=False)
    acs_exclusion = models.CharField(max_length=24, blank=True)
    # The engine's structured reading: [{"kind", "state", "words", "source"}]. Recommendation and
    # the unit's safety panel read these, never the reason strings.
    triage_signals = models.JSONField(default=list, blank=True)
    # False: nothing of the vocabulary was recognised and the decision is the safe default.
    triage_recognised = models.BooleanField(default=True)
    triaged_at = models.DateTimeField(null=True, blank=True)

    # A dispatcher's override, kept next to the original decision.
    original_decision = models.JSONField(null=True, blank=True)
    override_reason = models.CharField(max_length=500, blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    disposition = models.CharField(max_length=32, blank=True)  # a Disposition code
    # Issue 14: where an ACS team took the person (an ACS outcome only; optional).
    destination = models.ForeignKey(
        "responders.Facility", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The client's Idempotency-Key of POST /calls: a retry (a timeout, a double Enter) finds the call
    # already saved instead of creating a second one.
    idempotency_key = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["status", "priority", "received_at"]),
            models.Index(fields=["caller_phone", "received_at"]),
            models.Index(fields=["address"]),
            # Issue 14: KPIs and history read calls by the time they were received; on PostgreSQL the
            # columns the KPIs read ride along (an index-only scan skips the wide rows).
            models.Index(
                fields=["received_at"],
                name="call_received_at",
                include=[
                    "status",
                    "lead",
                    "mode",
                    "priority",
                    "zone",
                    "closed_at",
                    "disposition",
                    "acs_eligible",
                    "acs_exclusion",
                    "overridden_at",
                    "override_reason",
                    "agencies",
                    "original_decision",
                    "number",
                ],
            ),
            # Coverage: the calls still waiting when a period starts (closed after it, or open).
            models.Index(fields=["closed_at"], name="call_closed_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="call_idempotency_key_unique",
            )
        ]

    def __str__(self) -> str:
        return self.number


# A call in any of these is still being worked: in the queue, dispatched or on scene.
OPEN_STATUSES = frozenset(
    {Call.Status.NEW, Call.Status.TRIAGED, Call.Status.PENDING, Call.Status.DISPATCHED, Call.Status.ON_SCENE}
)


class Disposition(models.Model):
    """How a call ended: the San Diego disposition codes plus the ACS outcomes."""

    code = models.CharField(max_length=32, primary_key=True)
    description = models.CharField(max_length=200)
    acs_outcome = models.BooleanField(default=False)  # an ACS outcome (no person found, 988, ...)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class CautionFlag(models.Model):
    """A caution recorded at an address, a point or a phone number (dog on premises, prior weapon,
    known ACS client: prefers female responders). Shown with the location and caller history."""

    address = models.CharField(max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    caller_phone = models.CharField(max_length=30, blank=True)
    text = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    active = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["address"]), models.Index(fields=["caller_phone"])]

    def __str__(self) -> str:
        return self.text


class BackupRequest(models.Model):
    """A unit on scene asks for another agency (an ACS team asking for police or fire/EMS)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="backup_requests")
    unit = models.ForeignKey("responders.Unit", on_delete=models.PROTECT, related_name="+")
    agency = models.CharField(max_length=10)
    reason = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.unit_id} asks {self.agency} on call {self.call_id}"


class CallAgencyWaiver(models.Model):
    """A dispatcher's record of why a required agency gets no unit on a call (no ACS team on shift,
    police declined): the call then leaves the queue without it (calls.policies)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="agency_waivers")
    agency = models.CharField(max_length=10)
    reason = models.CharField(max_length=500)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    waived_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["call", "agency"], name="one_waiver_per_call_agency")]

    def __str__(self) -> str:
        return f"{self.agency} waived on call {self.call_id}"


class DeadlineThreshold(models.Model):
    """How long a clock may run before an alert (warn) and an escalation, per agency and priority.
    Admins edit these; defaults come from NFPA 1221 and common CAD practice (calls.services)."""

    class Kind(models.TextChoices):
        ACK = "ACK", "Assignment not acknowledged"
        QUEUE = "QUEUE", "Call waiting in queue"
        EN_ROUTE = "EN_ROUTE", "Unit en route too long"
        ON_SCENE = "ON_SCENE", "Unit on scene too long"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    agency = models.CharField(max_length=10)
    priority = models.PositiveSmallIntegerField()
    warn_seconds = models.PositiveIntegerField()
    escalate_seconds = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "agency", "priority"], name="threshold_unique"),
            models.CheckConstraint(
                condition=models.Q(escalate_seconds__gt=models.F("warn_seconds")), name="escalate_after_warn"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.agency} P{self.priority}: {self.warn_seconds}s / {self.escalate_seconds}s"


class Alert(models.Model):
    """A clock that ran out: raised by the deadline sweep, acknowledged by the person who handles it,
    resolved by itself when its condition ends (the call assigned, the unit acknowledged or moved
    on) or when its escalation supersedes it. Open = neither acknowledged nor resolved."""

    class Level(models.IntegerChoices):
        WARNING = 1, "Warning"
        ESCALATED = 2, "Escalated"

    kind = models.CharField(max_length=10, choices=DeadlineThreshold.Kind.choices)
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.WARNING)
    # What the clock ran on, as one key ("assignment:12", "call:40"): with kind and level it makes
    # the alert unique, so two sweeps running at once cannot raise it twice.
    subject = models.CharField(max_length=40)
    call = models.ForeignKey(Call, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts")
    unit = models.ForeignKey(
        "responders.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    assignment = models.ForeignKey(
        "calls.Assignment", null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    message = models.CharField(max_length=300)
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # Set once, when the condition ended or the escalation superseded this warning; the reason
    # says which ("ACS-12 acknowledged", "Superseded by the escalation").
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject", "level"], name="alert_once"),
            # One live row per clock: raising the escalation resolves its warning first, so a
            # screen never shows a warning and its escalation side by side.
            models.UniqueConstraint(
                fields=["kind", "subject"],
                condition=models.Q(resolved_at__isnull=True),
                name="alert_live_once",
            ),
        ]
        indexes = [models.Index(fields=["acknowledged_at", "raised_at"])]

    def __str__(self) -> str:
        return f"{self.kind} L{self.level} {self.subject}"


class ClinicalNote(models.Model):
    """What an ACS responder learned about a person's health. ACS roles and admins only."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="clinical_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"note on {self.call_id}"


class Assignment(models.Model):
    """A unit committed to a call, from assignment until it clears."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="assignments")
    unit = models.ForeignKey("responders.Unit", on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    en_route_at = models.DateTimeField(null=True, blank=True)
    on_scene_at = models.DateTimeField(null=True, blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_reason = models.CharField(max_length=200, blank=True)
    # Police sent to stage nearby (ACS_LEAD_POLICE_STAGED): they hold off until needed.
    staged = models.BooleanField(default=False)
    # Why the dispatcher sent this unit although the call's order forbade it yet (ACS before police).
    override_reason = models.CharField(max_length=500, blank=True)
    # When this (police) unit reported the scene safe: the ACS units on the call were told then.
    scene_safe_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "responders_assignment"  # born in responders; moved here with no row changed
        constraints = [
            # With the row lock in unit_assign this is the second wall: even a code path that
            # forgets the lock cannot commit a unit to two calls at once.
            models.UniqueConstraint(
                fields=["unit"], condition=Q(cleared_at__isnull=True), name="one_active_assignment_per_unit"
            ),
        ]
        indexes = [
            models.Index(fields=["call", "cleared_at"], name="responders__call_id_a9bb9f_idx"),
            # Issue 14: utilisation and coverage read assignments by time.
            models.Index(fields=["assigned_at"], name="assignment_assigned_at"),
            models.Index(fields=["cleared_at"], name="assignment_cleared_at"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} -> call {self.call_id}"

    @property
    def is_active(self) -> bool:
        return self.cleared_at is None


class CallFact(models.Model):
    """The KPI read model of one call (issue 14): what calls.selectors.kpis computes per call from
    the call, its assignments and its waivers, stored so a year of KPIs reads narrow rows instead
    of joining ~700,000 calls to their assignments. Written only by calls.services.kpi_facts in the
    transaction that changes the call; the definitions are calls.selectors.kpis'."""

    call = models.OneToOneField(Call, primary_key=True, on_delete=models.CASCADE, related_name="+")
    number = models.CharField(max_length=20)
    received_at = models.DateTimeField()
    # Day and hour on the city's clock when the fact was written (settings.CITY_TIME_ZONE).
    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    zone = models.ForeignKey(
        "responders.Zone", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=12)
    lead = models.CharField(max_length=10, blank=True)
    mode = models.CharField(max_length=32, blank=True)
    priority = models.PositiveSmallIntegerField(null=True, blank=True)
    disposition = models.CharField(max_length=32, blank=True)
    destination = models.ForeignKey(
        "responders.Facility", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    first_assigned_at = models.DateTimeField(null=True, blank=True)
    # When the call left the queue: its first unit, or its end (coverage's calls waiting).
    left_queue_at = models.DateTimeField(null=True, blank=True)
    # 1 when the call waited over a day for its first unit (calls.selectors.kpis.LONG_WAIT), or is
    # still waiting: the few calls before a period that may still be in the queue at its start.
    long_wait = models.PositiveSmallIntegerField(default=0)
    # 0/1 flags of the module docstring of calls.selectors.kpis.
    eligible = models.PositiveSmallIntegerField()
    served = models.PositiveSmallIntegerField()
    led = models.PositiveSmallIntegerField()
    kicked_back = models.PositiveSmallIntegerField()
    acs_led = models.PositiveSmallIntegerField()
    acs_assigned = models.PositiveSmallIntegerField()
    police_assigned = models.PositiveSmallIntegerField()
    fire_ems_assigned = models.PositiveSmallIntegerField()
    missed_reason = models.CharField(max_length=24, blank=True)
    guard_signal = models.CharField(max_length=24, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["received_at"], name="callfact_received_at"),
            models.Index(fields=["day"], name="callfact_day"),
            # Coverage: the calls still in the queue when a period starts (with callfact_received_at).
            models.Index(fields=["received_at"], name="callfact_long_wait", condition=Q(long_wait=1)),
            # The missed and kicked-back lists: a few percent of the calls, in received order.
            models.Index(
                fields=["received_at"],
                name="callfact_missed",
                condition=Q(eligible=1, served=0) | Q(kicked_back=1),
            ),
        ]

    def __str__(self) -> str:
        return f"facts of {self.number}"


class StepFact(models.Model):
    """One timed step of a call (calls.selectors.kpis.STEPS): the call's queue and close, and the
    acknowledge, en route and on scene of each of its assignments. Written with CallFact."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="+")
    received_at = models.DateTimeField()
    zone = models.ForeignKey(
        "responders.Zone", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    day = models.DateField()  # the call's CallFact.day
    step = models.CharField(max_length=12)
    priority = models.PositiveSmallIntegerField(null=True, blank=True)
    agency = models.CharField(max_length=10, blank=True)
    seconds = models.FloatField()
    # A monotone coarsening of `seconds` (calls.selectors.kpis): percentiles count by bucket, then
    # read the exact value from the few rows of one bucket.
    bucket = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["step", "bucket", "day"],
                include=["priority", "agency", "seconds"],
                name="stepfact_bucket",
            ),
            # PostgreSQL: the percentiles of a range read this index alone (an index-only scan).
            # PostgreSQL: the counts of a range and the percentiles of a zone read this index alone.
            models.Index(
                fields=["day"],
                include=["step", "priority", "agency", "bucket", "seconds", "zone"],
                name="stepfact_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step} of call {self.call_id}"


class KpiPeriod(models.Model):
    """A past day (or month) whose KPI counts are cached in KpiCount, built from the facts by
    calls.services.kpi_periods_build. Deleted with its counts in the transaction that changes a
    call received in it, so a report never reads a stale count: it counts that period's facts."""

    class Kind(models.TextChoices):
        DAY = "day", "Day"
        MONTH = "month", "Month"

    kind = models.CharField(max_length=5, choices=Kind.choices)
    start = models.DateField()  # on the city's clock; a month starts on its first day
    built_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "start"], name="kpi_period_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.start}"


class KpiCount(models.Model):
    """How many calls (or timed steps) of one KpiPeriod have one combination of keys of one metric
    (calls.selectors.kpis: status, hour, family, acs, disposition, destination, worked; step)."""

    kind = models.CharField(max_length=5, choices=KpiPeriod.Kind.choices)
    start = models.DateField()
    metric = models.CharField(max_length=16)
    k1 = models.CharField(max_length=32, blank=True)
    k2 = models.CharField(max_length=32, blank=True)
    k3 = models.CharField(max_length=32, blank=True)
    k4 = models.CharField(max_length=32, blank=True)
    n = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["kind", "start"], name="kpi_count_period")]

    def __str__(self) -> str:
        return f"{self.kind} {self.start} {self.metric} {self.k1} {self.k2} {self.k3} {self.k4}: {self.n}"
