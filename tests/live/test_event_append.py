from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from live.events import AUDIT, DISPATCH, SUPERVISOR, event_append, unit_stream
from live.models import Event, EventDelivery


def test_it_numbers_events_one_after_another(db):
    first = event_append(kind="call.created", actor=None, data={}, streams=[DISPATCH])
    second = event_append(kind="call.triaged", actor=None, data={}, streams=[DISPATCH])

    assert second.id == first.id + 1


def test_it_gives_a_rolled_back_id_to_the_next_event(db):
    before = event_append(kind="call.created", actor=None, data={}, streams=[DISPATCH])
    with pytest.raises(RuntimeError), transaction.atomic():
        event_append(kind="call.cancelled", actor=None, data={}, streams=[DISPATCH])
        raise RuntimeError("the change failed")
    after = event_append(kind="call.closed", actor=None, data={}, streams=[DISPATCH])

    assert after.id == before.id + 1
    assert not Event.objects.filter(kind="call.cancelled").exists()


def test_it_chains_each_stream_to_its_previous_event(db):
    a = event_append(kind="call.created", actor=None, data={}, streams=[DISPATCH, SUPERVISOR])
    b = event_append(kind="call.triaged", actor=None, data={}, streams=[DISPATCH])
    c = event_append(kind="call.closed", actor=None, data={}, streams=[SUPERVISOR, unit_stream(7)])

    prev = {(d.stream, d.event_id): d.prev_id for d in EventDelivery.objects.all()}
    assert prev[(DISPATCH, b.id)] == a.id
    assert prev[(SUPERVISOR, c.id)] == a.id  # b was not on the supervisor stream
    assert prev[(unit_stream(7), c.id)] == 0


def test_it_pushes_the_full_frame_after_commit(db, capture_events):
    with capture_events() as pushed:
        event = event_append(
            kind="call.created", actor=None, data={"call": "26-000001"}, streams=[DISPATCH, AUDIT]
        )

    assert [stream for stream, _ in pushed] == [AUDIT, DISPATCH]
    frame = dict(pushed)[DISPATCH]
    assert frame["type"] == "event"
    assert frame["id"] == event.id
    assert frame["kind"] == "call.created"
    assert frame["data"] == {"call": "26-000001"}


def test_it_pushes_nothing_for_a_rolled_back_transaction(db, capture_events):
    with capture_events() as pushed, pytest.raises(RuntimeError), transaction.atomic():
        event_append(kind="call.cancelled", actor=None, data={}, streams=[DISPATCH])
        raise RuntimeError("the change failed")

    assert pushed == []


def test_it_refuses_a_payload_that_is_not_json(db):
    with pytest.raises(TypeError):
        event_append(kind="call.closed", actor=None, data={"x": object()}, streams=[DISPATCH])

    assert not Event.objects.filter(kind="call.closed").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_keeps_ids_gap_free_in_commit_order_under_concurrent_writers():
    """Eight threads append at once; every committed id appears exactly once, 1..N, and an id
    committed later is never smaller than one committed earlier."""
    threads, per_thread = 8, 25
    commit_order: list[int] = []
    order_lock = threading.Lock()
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    event = event_append(
                        kind="call.status_changed", actor=None, data={"t": n, "i": i}, streams=[DISPATCH]
                    )
                with order_lock:
                    commit_order.append(event.id)
        except BaseException as exc:  # surfaced below, never swallowed
            errors.append(exc)
        finally:
            connection.close()

    holes_seen: list[list[int]] = []
    done = threading.Event()

    def reader() -> None:
        # What a catching-up client sees: at any instant, the committed ids must be contiguous.
        # With auto-increment ids a later id can commit first and this list would have a hole.
        try:
            while not done.is_set():
                seen = list(
                    Event.objects.filter(kind="call.status_changed")
                    .order_by("id")
                    .values_list("id", flat=True)
                )
                if seen and seen != list(range(seen[0], seen[0] + len(seen))):
                    holes_seen.append(seen)
        finally:
            connection.close()

    watcher = threading.Thread(target=reader)
    watcher.start()
    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    done.set()
    watcher.join()

    assert holes_seen == []

    assert errors == []
    ids = list(Event.objects.filter(kind="call.status_changed").order_by("id").values_list("id", flat=True))
    assert len(ids) == threads * per_thread
    assert ids == list(range(ids[0], ids[0] + len(ids)))  # no gaps, no duplicates
    # Commit order: the counter row lock is held to commit, so a writer that got id n+1
    # committed after the writer of n. Each thread's own appends are strictly increasing.
    by_thread: dict[int, list[int]] = {}
    for e in Event.objects.filter(kind="call.status_changed").order_by("id"):
        by_thread.setdefault(e.data["t"], []).append(e.id)
    assert all(seq == sorted(seq) for seq in by_thread.values())
    # And the stream chain has no holes: each delivery's prev is the id before it.
    chain = list(
        EventDelivery.objects.filter(stream=DISPATCH, event__kind="call.status_changed")
        .order_by("event_id")
        .values_list("event_id", "prev_id")
    )
    assert all(prev == eid - 1 for eid, prev in chain[1:])
