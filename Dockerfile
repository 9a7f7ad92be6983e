# ACS Dispatch: one image for the web app (daphne), the Celery worker and beat, and the one-shot
# migrate step (docker-compose.yml). Dependencies from requirements/runtime.lock only, each file
# checked against its sha256; the app runs as an unprivileged user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY requirements/runtime.lock requirements/runtime.lock
RUN pip install --require-hashes --no-deps --only-binary :all: -r requirements/runtime.lock

COPY . .
# The static files are collected at build time, into the image (WhiteNoise serves them). The key is
# for this one command: DEBUG is off and the development key is refused.
RUN SECRET_KEY=collectstatic-at-build-time-only DJANGO_SETTINGS_MODULE=acs_dispatch.settings \
    python manage.py collectstatic --noinput \
 && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home --shell /usr/sbin/nologin acs

# Not root: the code and static files stay owned by root, read-only to the app.
USER acs
EXPOSE 8000

# Liveness without curl (not in the slim image): the probe answers whatever the Host header
# (acs_dispatch.probes). Readiness (database, Redis, the deadline sweep) is /readyz.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]

CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "acs_dispatch.asgi:application"]
