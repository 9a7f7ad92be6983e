"""The Prometheus instruments measured in the process where things happen: push latency, events
appended, open sockets per stream, sweep duration. Exported, with the figures read from the
database at each scrape, at `/metrics` (acs_dispatch.metrics_views, which documents access).

With several server processes, set PROMETHEUS_MULTIPROC_DIR to a shared, empty directory (emptied
at each start): every process writes its figures there and /metrics adds them up
(prometheus_client's multiprocess mode). A process that exits leaves its figures there until the
directory is emptied (daphne has no per-worker exit hook to call mark_process_dead), so restart
the processes together. Imports no domain app: events and consumers import it.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

PUSH_LATENCY = Histogram(
    "acs_push_latency_seconds",
    "From the commit of an event to the end of its group_send to the channel layer.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
EVENTS_APPENDED = Counter(
    "acs_events_appended",
    "Events appended to the event log and committed, by kind.",
    ["kind"],
)
SOCKETS_OPEN = Gauge(
    "acs_sockets_open",
    "Open, admitted websockets by stream (dispatch, supervisor, unit).",
    ["stream"],
    multiprocess_mode="livesum",
)
SWEEP_DURATION = Histogram(
    "acs_sweep_duration_seconds",
    "How long one deadline sweep took (in the process that ran it).",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)

# Time to acknowledge: a responder has UNIT_ACK_TIMEOUT (90 s by default) before the alert.
ACK_BUCKETS = (5, 10, 15, 30, 45, 60, 90, 120, 180, 300, 600)  # seconds


def socket_stream_label(stream: str) -> str:
    """The label of a stream: `unit.12` counts under `unit` (one series per unit would grow forever)."""
    return stream.split(".", 1)[0]


def socket_opened(stream: str) -> None:
    SOCKETS_OPEN.labels(stream=socket_stream_label(stream)).inc()


def socket_closed(stream: str) -> None:
    SOCKETS_OPEN.labels(stream=socket_stream_label(stream)).dec()
