"""Two dispatchers click the same unit for two calls at the same moment: one wins, one gets 409."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from calls.models import Assignment, Call
from responders.models import Unit


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_commits_a_unit_once_when_two_dispatchers_race(api_as, make_call, dana, acs_12):
    calls = [make_call(call_type="5150"), make_call(call_type="5150")]
    barrier = threading.Barrier(2)
    answers: list[int] = []

    def click(call: Call) -> None:
        try:
            api = api_as(dana)
            barrier.wait()
            answers.append(
                api.post(
                    f"/api/v1/calls/{call.pk}/assignments", {"unit": "ACS-12"}, format="json"
                ).status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(answers) == [201, 409]
    assert Assignment.objects.filter(unit=acs_12).count() == 1
    acs_12.refresh_from_db()
    assert acs_12.status == Unit.Status.DISPATCHED
    statuses = sorted(Call.objects.filter(pk__in=[c.pk for c in calls]).values_list("status", flat=True))
    assert statuses == ["DISPATCHED", "PENDING"]
