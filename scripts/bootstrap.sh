#!/usr/bin/env bash
# Create .venv and install the locked dependencies (requirements/dev.lock: runtime + dev extra,
# every file checked against its sha256), once per change of the lock. Nothing else is installed:
# a package missing from the lock or a file whose hash differs stops the install.
# Re-lock after editing pyproject.toml: scripts/lock.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
LOCK=requirements/dev.lock
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.deps-$(cat "$LOCK" | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
  # --require-hashes: only the pinned files; --no-deps: the lock already lists every dependency,
  # so nothing outside it can be pulled in. --only-binary: wheels only, no build step runs (every
  # locked package publishes wheels for CPython 3.11 on Linux).
  .venv/bin/python -m pip install --quiet --require-hashes --no-deps --only-binary :all: -r "$LOCK"
  rm -f .venv/.deps-*
  touch "$stamp"
fi
