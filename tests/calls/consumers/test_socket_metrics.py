"""Open sockets per stream, in /metrics (acs_sockets_open)."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

pytestmark = pytest.mark.django_db(transaction=True)


def _open(stream: str) -> float:
    return REGISTRY.get_sample_value("acs_sockets_open", {"stream": stream}) or 0.0


async def test_it_counts_an_admitted_socket_while_it_is_open(socket, dana, riley):
    before_dispatch, before_unit = _open("dispatch"), _open("unit")

    async with socket("/ws/dispatch/", dana) as board, socket("/ws/unit/", riley) as tablet:
        await board.receive_json_from()
        await tablet.receive_json_from()
        during = _open("dispatch") - before_dispatch, _open("unit") - before_unit

    assert during == (1, 1)
    assert (_open("dispatch"), _open("unit")) == (before_dispatch, before_unit)


async def test_it_does_not_count_a_refused_socket(socket, carla):
    before = _open("dispatch")

    async with socket("/ws/dispatch/", carla) as ws:
        closed = await ws.receive_output()
        during = _open("dispatch")

    assert closed["code"] == 4403
    assert during == before == _open("dispatch")
