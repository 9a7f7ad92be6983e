#!/usr/bin/env bash
# Re-resolve the locked dependencies after a change to pyproject.toml (or requirements/pending.in):
#   requirements/dev.lock      runtime + dev extra: .venv of run.sh, test.sh and CI (scripts/bootstrap.sh)
#   requirements/runtime.lock  runtime only, the same versions: the Docker image
# Every file is pinned with its sha256 hashes; installs use pip --require-hashes. Needs uv
# (`.venv/bin/python -m pip install uv`, or any uv on PATH). Extra arguments go to uv, e.g.
# `scripts/lock.sh --upgrade-package django`.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-$(command -v uv || echo .venv/bin/uv)}
common=(--universal --python-version 3.11 --generate-hashes --quiet)
"$UV" pip compile pyproject.toml requirements/pending.in --extra dev "${common[@]}" "$@" -o requirements/dev.lock
# Runtime: a subset of the dev lock, at the very same versions.
"$UV" pip compile pyproject.toml requirements/pending.in "${common[@]}" -c requirements/dev.lock -o requirements/runtime.lock
echo "requirements/dev.lock: $(grep -cE '^[a-z0-9]' requirements/dev.lock) packages; requirements/runtime.lock: $(grep -cE '^[a-z0-9]' requirements/runtime.lock)"
