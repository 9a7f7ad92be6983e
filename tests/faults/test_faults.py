"""The live floor under faults (issue 16), on real daphne processes, PostgreSQL and a Redis of the
test's own: whatever happens, every board ends with every event of the log once, in order, and
intake never waits on Redis.

Each test reads the truth from the event log (calls_eventdelivery of the dispatch stream after the
board's first snapshot) and compares it with what each board received.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from fault_kit import boards_open, intake, log_ids, until_caught_up

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.faults]


def assert_every_event_once_in_order(boards, database_url):
    for board in boards:
        expected = log_ids(database_url, board.baseline)
        assert board.ids == expected, f"board got {len(board.ids)} of {len(expected)} events"
        assert board.duplicates == 0


async def test_it_keeps_every_board_open_and_complete_when_redis_is_killed_and_restarted(
    fault_db, redis_proc, web
):
    servers = [web(), web()]
    token = fault_db.tokens["dispatcher"]
    # No resume on a broken chain: what reaches these boards is the hubs' doing alone.
    boards = await boards_open([(s.url, token) for s in servers for _ in range(3)], resume_on_gap=False)
    try:
        pushes = asyncio.create_task(
            intake(servers[0].url, fault_db.tokens["call_taker"], seconds=7, every=0.15)
        )
        await asyncio.sleep(1.5)
        redis_proc.kill()
        await asyncio.sleep(2.5)
        redis_proc.start()  # same port, empty: every group forgotten
        results = await pushes
        await until_caught_up(boards, fault_db)
    finally:
        for board in boards:
            await board.stop()

    assert {status for status, _ in results} == {201}
    assert_every_event_once_in_order(boards, fault_db)
    assert all(b.breaks == 0 for b in boards)
    assert all(b.connects == 1 for b in boards), "a socket was closed by the Redis failure"
    # The failure did reach the hubs (they read the log meanwhile), and crashed no consumer.
    assert all("channel layer failed" in s.log.read_text() for s in servers)
    assert sum(s.exceptions() for s in servers) == 0


async def test_it_brings_every_board_back_complete_when_a_web_process_is_killed(fault_db, redis_proc, web):
    servers = [web(), web()]
    token = fault_db.tokens["dispatcher"]
    boards = await boards_open([(s.url, token) for s in servers for _ in range(3)])
    try:
        # Intake goes through the process that stays up.
        pushes = asyncio.create_task(
            intake(servers[1].url, fault_db.tokens["call_taker"], seconds=6, every=0.15)
        )
        await asyncio.sleep(1.5)
        servers[0].kill()
        await asyncio.sleep(1.5)
        servers[0].start()  # same port: its boards reconnect and resume by id
        await pushes
        await until_caught_up(boards, fault_db)
    finally:
        for board in boards:
            await board.stop()

    assert_every_event_once_in_order(boards, fault_db)
    assert all(b.connects >= 2 for b in boards[:3]), "the killed process's boards reconnected"
    assert all(b.connects == 1 for b in boards[3:])


async def test_it_answers_intake_at_once_while_redis_is_frozen(fault_db, redis_proc, web):
    server = web()
    boards = await boards_open([(server.url, fault_db.tokens["dispatcher"])] * 3)
    frozen_for = 8.0
    try:
        before = await intake(server.url, fault_db.tokens["call_taker"], seconds=1, every=0.1)
        redis_proc.freeze()
        try:
            started = time.monotonic()
            during = await intake(
                server.url, fault_db.tokens["call_taker"], seconds=frozen_for - 2, every=0.1, start=100
            )
        finally:
            # Thaw after the full freeze even if intake was quick (that is the point).
            await asyncio.sleep(max(0.0, frozen_for - (time.monotonic() - started)))
            redis_proc.thaw()
        await until_caught_up(boards, fault_db, timeout=40)
    finally:
        for board in boards:
            await board.stop()

    assert {status for status, _ in before + during} == {201}
    assert len(during) >= 10
    # Not a timing benchmark (bench/load.py is): a request that waited on the frozen Redis would
    # take about as long as the freeze; none comes near it.
    assert max(seconds for _, seconds in during) < frozen_for / 2
    assert_every_event_once_in_order(boards, fault_db)


async def test_it_gives_a_client_that_was_away_every_event_once(fault_db, redis_proc, web):
    # The issue says 60 s away; 5 s here keeps the suite short. What the server does (a replay
    # from the log by id) does not depend on how long the client was away, only on how many events
    # it missed (up to live.consumers.REPLAY_LIMIT, then a fresh snapshot).
    servers = [web(), web()]
    token = fault_db.tokens["dispatcher"]
    away, staying = await boards_open([(servers[0].url, token), (servers[1].url, token)])
    try:
        await intake(servers[1].url, fault_db.tokens["call_taker"], seconds=1, every=0.2)
        await until_caught_up([away, staying], fault_db)
        await away.stop()
        held = len(away.ids)
        await intake(servers[1].url, fault_db.tokens["call_taker"], seconds=5, every=0.2, start=200)
        away.start()  # back on the other process: snapshot, then resume after its last id
        await intake(servers[1].url, fault_db.tokens["call_taker"], seconds=1, every=0.2, start=300)
        await until_caught_up([away, staying], fault_db)
    finally:
        await away.stop()
        await staying.stop()

    assert len(away.ids) > held + 10
    assert_every_event_once_in_order([away, staying], fault_db)
    assert away.connects == 2
