#!/usr/bin/env bash
# Run every check: lint, format, the test suite, then the browser tests (their own pytest run:
# their live server and Playwright's event loop must not share a process with the async tests).
# Uses PostgreSQL / Redis when DATABASE_URL / REDIS_URL are set, SQLite and in-memory otherwise.
set -euo pipefail
cd "$(dirname "$0")"
scripts/bootstrap.sh
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian's chromium for the browser tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest -m "not e2e" "$@"
.venv/bin/python -m pytest -m e2e tests/e2e "$@"
