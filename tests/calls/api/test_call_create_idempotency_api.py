"""POST /api/v1/calls with an Idempotency-Key: a retry returns the call already saved, never a second."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from calls.models import Call

BODY = {"narrative": "man asleep in the doorway, breathing, no weapons", "caller_phone": "505-555-0100"}


def test_it_returns_the_same_call_for_a_retry_with_the_same_key(api_as, carla):
    first = api_as(carla).post("/api/v1/calls", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    retry = api_as(carla).post("/api/v1/calls", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == first.json()["id"]
    assert retry.json()["number"] == first.json()["number"]
    assert Call.objects.count() == 1


def test_it_creates_a_call_per_key_and_per_request_without_one(api_as, carla):
    api_as(carla).post("/api/v1/calls", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    api_as(carla).post("/api/v1/calls", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    api_as(carla).post("/api/v1/calls", BODY, format="json")
    api_as(carla).post("/api/v1/calls", BODY, format="json")

    assert Call.objects.count() == 4


def test_it_saves_nothing_for_an_invalid_call_so_the_corrected_retry_creates_it(api_as, carla):
    bad = api_as(carla).post("/api/v1/calls", {"lat": 95}, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    good = api_as(carla).post("/api/v1/calls", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-3")

    assert (bad.status_code, good.status_code) == (400, 201)
    assert Call.objects.count() == 1


def test_it_refuses_an_overlong_key(api_as, carla):
    response = api_as(carla).post("/api/v1/calls", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k" * 101)

    assert response.status_code == 400
    assert "idempotency_key" in response.json()["errors"]
    assert Call.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_creates_one_call_when_four_retries_race(carla):
    barrier = threading.Barrier(4)
    statuses = []

    def post():
        api = APIClient()
        api.force_authenticate(carla)
        barrier.wait()
        statuses.append(
            api.post("/api/v1/calls", BODY, format="json", HTTP_IDEMPOTENCY_KEY="race").status_code
        )
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(statuses) == [200, 200, 200, 201]
    assert Call.objects.filter(idempotency_key="race").count() == 1
