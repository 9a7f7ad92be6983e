#!/usr/bin/env bash
# Set up and run ACS Dispatch on the embedded default (SQLite, in-memory channel layer, Celery
# eager, timers in-process) with demo data, at http://127.0.0.1:8000/ . Set DATABASE_URL and
# REDIS_URL to run on PostgreSQL + Redis instead (see README).
set -euo pipefail
cd "$(dirname "$0")"
scripts/bootstrap.sh
export DJANGO_SETTINGS_MODULE=acs_dispatch.settings
# A development run: DEBUG is off by default in the settings (production), on here (readable text
# logs, the development key accepted). Run with DEBUG=False SECRET_KEY=... to try production
# settings; the static files are then collected first and served by WhiteNoise from STATIC_ROOT.
export DEBUG=${DEBUG:-True}
if [ "$DEBUG" = False ]; then
  .venv/bin/python manage.py collectstatic --noinput --verbosity 0
fi
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py seed_demo
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
echo "ACS Dispatch on http://$HOST:$PORT/  (Ctrl-C stops it)"
# Demo mode (issue 13): `DEMO=1 ./run.sh` moves the units (and a demo dispatcher assigns calls);
# feed calls beside it with `.venv/bin/python manage.py replay_calls --limit 200`.
if [ "${DEMO:-0}" = "1" ]; then
  export DEMO_MOVE_UNITS=${DEMO_MOVE_UNITS:-True} DEMO_DISPATCH=${DEMO_DISPATCH:-True}
fi
# Without beat, the floor's timers run on a loop inside the web process (see calls/timers.py).
TIMERS=${TIMERS:-inprocess} exec .venv/bin/daphne -b "$HOST" -p "$PORT" acs_dispatch.asgi:application
