"""The what-if replay over a known small set of hand-built calls."""

from __future__ import annotations

import pytest

from triage import replay as replay_module
from triage.engine import CallInput, Decision, compile_ruleset
from triage.replay import replay, replay_empty, replay_merge, required_agencies

CALLS = [
    CallInput(narrative="man sleeping in the bus shelter"),  # sleeping rule
    CallInput(narrative="woman passed out on the bench, breathing fine"),  # sleeping rule
    CallInput(call_type="WELCK", narrative="check on my neighbor"),  # welfare rule: unchanged
    CallInput(narrative="loud music next door"),  # catch-all
    CallInput(narrative="man sleeping with a gun in his lap"),  # weapon guard: police lead either way
    CallInput(narrative="two men fighting in the parking lot"),  # catch-all, violence guard
]
LABELS = [f"c{i}" for i in range(len(CALLS))]


@pytest.fixture
def before_after(small_rules):
    before = compile_ruleset(version=1, rules=small_rules)
    small_rules[0]["outcome"] = {"mode": "POLICE_LEAD_ACS_FOLLOW", "priority": 2}  # sleepers: police first
    small_rules[2]["outcome"] = {"mode": "ACS_ALONE", "priority": 4}  # the catch-all goes to ACS
    return before, compile_ruleset(version=0, rules=small_rules)


def test_it_counts_the_calls_that_change_and_how(before_after):
    before, after = before_after

    result = replay(before=before, after=after, calls=CALLS, labels=LABELS)

    assert (result["calls"], result["changed"], result["lost_required"]) == (6, 4, 0)
    assert [(t["from"], t["to"], t["count"]) for t in result["transitions"]] == [
        ("ACS (lead ACS) P3", "POLICE+ACS (lead POLICE) P2", 2),
        ("POLICE (lead POLICE) P3", "ACS (lead ACS) P4", 1),
        # The catch-all now says ACS alone, but the violence guard puts police in the lead.
        ("POLICE (lead POLICE) P3", "POLICE+ACS (lead POLICE) P2", 1),
    ]
    assert [e["label"] for e in result["transitions"][0]["examples"]] == ["c0", "c1"]
    assert result["agencies_before"] == {"ACS": 4, "POLICE": 3}
    assert result["agencies_after"] == {"ACS": 6, "POLICE": 4}


def test_it_adds_chunks_up_to_the_whole_run(before_after):
    before, after = before_after
    whole = replay(before=before, after=after, calls=CALLS, labels=LABELS)

    total = replay_empty()
    for start in range(0, len(CALLS), 4):
        part = replay(
            before=before,
            after=after,
            calls=CALLS[start : start + 4],
            labels=LABELS[start : start + 4],
            offset=start,
        )
        total = replay_merge(total, part)

    assert total == whole


def test_it_finds_the_agencies_the_guards_require():
    assert required_agencies(CallInput(narrative="man sleeping with a gun in his lap")) == {"POLICE"}
    assert required_agencies(CallInput(narrative="he is not breathing")) == {"FIRE_EMS"}
    assert required_agencies(CallInput(narrative="man sleeping, no weapons", weapons=False)) == set()


def test_it_flags_a_call_that_would_lose_a_required_agency(before_after, monkeypatch):
    """The guards make this impossible with the real engine; the replay must still catch a broken one."""
    before, after = before_after
    real_triage = replay_module.triage

    def engine_without_guards(compiled, call):
        decision = real_triage(compiled, call)
        if compiled is after and "gun" in call.narrative:
            return Decision(
                agencies=["ACS"],
                lead="ACS",
                mode="ACS_ALONE",
                priority=3,
                rule="x",
                ruleset_version=0,
                reasons=[],
            )
        return decision

    monkeypatch.setattr(replay_module, "triage", engine_without_guards)

    result = replay(before=before, after=after, calls=CALLS, labels=LABELS)

    assert result["lost_required"] == 1
    assert result["flagged"] == [
        {
            "index": 4,
            "label": "c4",
            "from": "POLICE+ACS (lead POLICE) P2",
            "to": "ACS (lead ACS) P3",
            "missing": ["POLICE"],
        }
    ]
