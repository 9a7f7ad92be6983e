"""calls.policies: the agencies a call still needs, the order of arrival and the dangers known.

Pure functions: these tests build unsaved calls with the decision the engine would store.
"""

from __future__ import annotations

from types import SimpleNamespace

from calls.models import Answer, Call
from calls.policies import (
    call_agencies_missing,
    call_agencies_required,
    call_assign_refusal,
    call_dangers,
    call_order_holds,
    call_police_first,
    call_staged_agency,
)

GUN = {"kind": "weapon", "state": "present", "words": "has a gun", "source": "narrative"}


def _call(**fields) -> Call:
    values = {
        "number": "26-000001",
        "status": Call.Status.PENDING,
        "agencies": ["POLICE", "ACS"],
        "lead": "POLICE",
        "mode": "POLICE_LEAD_ACS_FOLLOW",
        "triage_signals": [],
        "triage_guards": [],
    }
    values.update(fields)
    return Call(**values)


def _on_call(*agencies: str) -> list:
    return [SimpleNamespace(unit=SimpleNamespace(agency_id=a), cleared_at=None) for a in agencies]


def _waiver(agency: str):
    return SimpleNamespace(agency=agency, reason="no team on shift")


def test_it_requires_the_decisions_agencies_and_those_asked_for_by_backup():
    call = _call(agencies=["ACS"], lead="ACS", mode="ACS_ALONE")

    required = call_agencies_required(call=call, backup_requests=[SimpleNamespace(agency="POLICE")])

    assert required == ["ACS", "POLICE"]


def test_it_names_the_required_agencies_without_a_unit_lead_first():
    call = _call()

    assert call_agencies_missing(call=call, assignments=[], backup_requests=[], waivers=[]) == [
        "POLICE",
        "ACS",
    ]
    assert call_agencies_missing(call=call, assignments=_on_call("ACS"), backup_requests=[], waivers=[]) == [
        "POLICE"
    ]
    assert (
        call_agencies_missing(
            call=call, assignments=_on_call("ACS", "POLICE"), backup_requests=[], waivers=[]
        )
        == []
    )


def test_it_stops_needing_an_agency_a_dispatcher_waived():
    call = _call()

    missing = call_agencies_missing(
        call=call, assignments=_on_call("POLICE"), backup_requests=[], waivers=[_waiver("ACS")]
    )

    assert missing == []


def test_it_needs_nothing_on_a_closed_call():
    call = _call(status=Call.Status.CLOSED)

    assert call_agencies_missing(call=call, assignments=[], backup_requests=[], waivers=[]) == []


def test_it_refuses_acs_before_police_naming_the_danger_and_its_words():
    call = _call(triage_signals=[GUN], acs_exclusion="weapon")

    refusal = call_assign_refusal(call=call, agency="ACS", assignments=[])

    assert refusal == (
        "Police must be on this call before ACS: weapon ('has a gun'). "
        "Assign a police unit first, or give a reason to go ahead."
    )


def test_it_allows_acs_once_a_police_unit_is_on_the_call():
    call = _call(triage_signals=[GUN])

    assert call_assign_refusal(call=call, agency="ACS", assignments=_on_call("POLICE")) == ""


def test_it_never_holds_police_or_fire():
    call = _call(triage_signals=[GUN])

    assert call_assign_refusal(call=call, agency="POLICE", assignments=[]) == ""
    assert call_assign_refusal(call=call, agency="FIRE_EMS", assignments=[]) == ""


def test_it_holds_acs_for_a_weapon_from_the_screening_whoever_leads():
    call = _call(agencies=["FIRE_EMS", "POLICE", "ACS"], lead="FIRE_EMS", mode="FIRE_EMS_WITH_POLICE_ACS")
    call.weapons = Answer.YES

    assert call_police_first(call=call) == "weapon (caller answered yes)"


def test_it_holds_acs_where_police_stage_to_secure_the_scene():
    call = _call(agencies=["ACS", "POLICE"], lead="ACS", mode="ACS_LEAD_POLICE_STAGED")

    assert call_police_first(call=call) == "police stage nearby and secure the scene first"
    assert call_staged_agency(call=call, agency="POLICE") is True
    assert call_staged_agency(call=call, agency="ACS") is False


def test_it_lets_acs_go_first_where_police_only_assist_and_nothing_is_dangerous():
    call = _call(agencies=["FIRE_EMS", "POLICE", "ACS"], lead="FIRE_EMS", mode="FIRE_EMS_WITH_POLICE_ACS")

    assert call_police_first(call=call) == ""
    assert call_order_holds(call=call, assignments=[]) == {}


def test_it_holds_nothing_once_acs_is_on_the_call():
    call = _call(triage_signals=[GUN])

    assert "ACS" in call_order_holds(call=call, assignments=[])
    assert call_order_holds(call=call, assignments=_on_call("ACS")) == {}


def test_it_lists_every_danger_with_where_it_was_read():
    call = _call(
        triage_signals=[
            GUN,
            {"kind": "weapon", "state": "denied", "words": "no knife", "source": "narrative"},
            {"kind": "crisis", "state": "present", "words": "suicidal", "source": "narrative"},
            {"kind": "medical", "state": "suggested", "words": "took pills", "source": "narrative"},
        ],
        triage_guards=["weapon"],
        violence=Answer.YES,
    )

    dangers = call_dangers(call=call)

    assert [(d["kind"], [x["text"] for x in d["details"]]) for d in dangers] == [
        ("weapon", ["'has a gun'", "safety guard: ACS is not sent alone"]),
        ("violence", ["caller answered yes"]),
        ("medical", ["possibly: 'took pills'"]),
    ]


def test_it_reads_the_exclusion_when_the_engine_gave_no_signal():
    call = _call(acs_exclusion="weapon")

    assert call_dangers(call=call) == [
        {
            "kind": "weapon",
            "label": "Weapon",
            "details": [{"text": "triage: not ACS-eligible", "source": "triage"}],
        }
    ]


def test_it_reports_no_danger_when_none_is_known():
    call = _call(agencies=["ACS"], lead="ACS", mode="ACS_ALONE", weapons=Answer.NO)

    assert call_dangers(call=call) == []


def test_it_says_a_screening_answer_once_when_the_engine_reports_it_too():
    call = _call(
        triage_signals=[
            {"kind": "weapon", "state": "present", "words": "weapons: yes", "source": "screening"}
        ],
        weapons=Answer.YES,
    )

    (danger,) = call_dangers(call=call)

    assert danger["details"] == [{"text": "'weapons: yes'", "source": "screening"}]
