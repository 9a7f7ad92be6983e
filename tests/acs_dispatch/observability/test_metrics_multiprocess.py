"""With PROMETHEUS_MULTIPROC_DIR, /metrics adds up the figures of every server process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SETUP = "import django; django.setup(); from live import metrics; "


def _python(code: str, *, multiproc_dir: Path) -> str:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(multiproc_dir), "DEBUG": "True"}
    env["DJANGO_SETTINGS_MODULE"] = "acs_dispatch.settings"
    done = subprocess.run(
        [sys.executable, "-c", SETUP + code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_it_sums_the_events_and_sockets_of_two_processes(tmp_path):
    worker = "metrics.EVENTS_APPENDED.labels(kind='call.created').inc(); metrics.socket_opened('dispatch')"
    _python(worker, multiproc_dir=tmp_path)
    _python(worker + "; metrics.EVENTS_APPENDED.labels(kind='call.created').inc()", multiproc_dir=tmp_path)

    text = _python(
        "from acs_dispatch.metrics_views import metrics_text; print(metrics_text().decode())",
        multiproc_dir=tmp_path,
    )

    assert 'acs_events_appended_total{kind="call.created"} 3.0' in text
    assert 'acs_sockets_open{stream="dispatch"} 2.0' in text
