"""`/metrics`: the Prometheus text format.

Two kinds of figures:
- measured in-process (live.metrics): push latency, events appended, open sockets per
  stream, sweep duration; summed over processes when PROMETHEUS_MULTIPROC_DIR is set.
- read from the database at each scrape, so they hold whichever process did the work (a Celery
  worker's sweep, another daphne's acknowledgement): queue depth and oldest pending call per
  agency, time to acknowledge (a histogram over every acknowledged assignment), sweep lag and last
  duration, the event log's last id.

Access (`metrics_allowed`): a request carrying `Authorization: Bearer <METRICS_TOKEN>` when
METRICS_TOKEN is set, or one from an address in METRICS_ALLOWED_IPS (default: loopback only).
Anything else gets 403: the queue depth of a 911 center is not public information.
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import logging
import os
from collections.abc import Iterator

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

from acs_dispatch.health import SWEEP, heartbeat_get
from calls.models import Assignment, Call
from calls.selectors import calls_pending
from live.metrics import ACK_BUCKETS
from live.models import Counter as CounterRow
from responders.models import Agency

logger = logging.getLogger(__name__)


class DatabaseCollector(Collector):
    """Figures read from the database at scrape time."""

    def collect(self) -> Iterator:
        now = timezone.now()
        depth = GaugeMetricFamily(
            "acs_queue_depth",
            "Calls in the dispatch queue (as the board shows it), by agency.",
            labels=["agency"],
        )
        oldest = GaugeMetricFamily(
            "acs_oldest_pending_call_age_seconds",
            "Age of the oldest call in the dispatch queue, by agency (0 when the queue is empty).",
            labels=["agency"],
        )
        queue = calls_pending()
        for agency in Agency.Code.values:
            waiting = [c.received_at for c in queue if agency in (c.agencies or [])]
            depth.add_metric([agency], len(waiting))
            oldest.add_metric([agency], (now - min(waiting)).total_seconds() if waiting else 0.0)
        yield depth
        yield oldest
        pending = Call.objects.filter(status=Call.Status.PENDING).count()
        yield GaugeMetricFamily("acs_calls_pending", "Calls in status PENDING (no unit yet).", value=pending)

        yield self._ack_histogram()

        beat = heartbeat_get(name=SWEEP)
        if beat is not None:
            yield GaugeMetricFamily(
                "acs_sweep_lag_seconds",
                "Seconds since the deadline sweep last finished (readiness fails past 3 intervals).",
                value=max(0.0, (now - beat.at).total_seconds()),
            )
            yield GaugeMetricFamily(
                "acs_sweep_last_duration_seconds",
                "How long the last deadline sweep took.",
                value=beat.duration,
            )
        yield GaugeMetricFamily(
            "acs_sweep_interval_seconds",
            "The configured deadline sweep interval.",
            value=float(settings.DEADLINE_SWEEP_INTERVAL),
        )
        last_event = CounterRow.objects.filter(name="event").values_list("value", flat=True).first() or 0
        yield GaugeMetricFamily("acs_event_log_last_id", "Id of the last event in the log.", value=last_event)

    def _ack_histogram(self) -> HistogramMetricFamily:
        """Time from assignment to acknowledgement over every acknowledged assignment, as buckets
        counted by one aggregate query (cumulative, as Prometheus wants)."""
        delay = ExpressionWrapper(F("acknowledged_at") - F("assigned_at"), output_field=DurationField())
        rows = Assignment.objects.filter(acknowledged_at__isnull=False).annotate(delay=delay)
        aggregates = {
            f"le_{b}": Count("pk", filter=Q(delay__lte=dt.timedelta(seconds=b))) for b in ACK_BUCKETS
        }
        result = rows.aggregate(total=Count("pk"), sum=Sum("delay"), **aggregates)
        total = result["total"] or 0
        buckets = [(str(float(b)), result[f"le_{b}"] or 0) for b in ACK_BUCKETS] + [("+Inf", total)]
        seconds = result["sum"].total_seconds() if result["sum"] is not None else 0.0
        histogram = HistogramMetricFamily(
            "acs_time_to_acknowledge_seconds",
            "From a unit's assignment to its acknowledgement, over every acknowledged assignment.",
        )
        histogram.add_metric([], buckets, sum_value=seconds)
        return histogram


def metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer "):
        # Constant-time: the token is a secret.
        return hmac.compare_digest(header.removeprefix("Bearer ").strip().encode(), token.encode())
    address = request.META.get("REMOTE_ADDR", "")
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_IPS)


def metrics_text() -> bytes:
    """The in-process (or multiprocess) figures, then the database figures."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    output = generate_latest(registry)
    database = CollectorRegistry()
    database.register(DatabaseCollector())
    try:
        output += generate_latest(database)
    except DatabaseError:
        # The in-process figures are still worth a scrape; /readyz says what is wrong.
        logger.exception("metrics: the database figures could not be read")
        output += b"# database figures unavailable\n"
    return output


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)
