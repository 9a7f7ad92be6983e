"""Dispositions offered by agency: an ACS team sees the ACS outcomes and the neutral codes, never an
arrest; police see no ACS outcome; the list data has no typo."""

from __future__ import annotations

from calls.models import Disposition
from calls.selectors import dispositions_active
from calls.selectors.calls import disposition_agencies

ARRESTS = {"A", "AB", "AHR"}


def _codes(**kwargs):
    return [d.code for d in dispositions_active(**kwargs)]


def test_it_offers_an_acs_team_its_outcomes_and_the_neutral_codes_but_never_an_arrest(dispositions):
    codes = _codes(agencies=["ACS"])

    assert {"ACS-NPF", "ACS-RA", "ACS-988", "K", "U", "CAN", "DUP"} <= set(codes)
    assert not ARRESTS & set(codes)
    assert not {"RB", "KB", "S", "RHR", "KHR", "OHR"} & set(codes)


def test_it_offers_police_their_codes_and_no_acs_outcome(dispositions):
    codes = _codes(agencies=["POLICE"])

    assert set(codes) >= ARRESTS
    assert not [c for c in codes if c.startswith("ACS-")]


def test_it_offers_a_call_with_both_agencies_both_lists(dispositions):
    codes = set(_codes(agencies=["ACS", "POLICE"]))

    assert codes >= ARRESTS and "ACS-988" in codes


def test_it_offers_everything_without_an_agency(dispositions):
    assert set(_codes()) == set(Disposition.objects.filter(active=True).values_list("code", flat=True))


def test_it_names_the_agencies_of_each_code(dispositions):
    assert disposition_agencies(disposition=Disposition.objects.get(code="A")) == {"POLICE"}
    assert disposition_agencies(disposition=Disposition.objects.get(code="ACS-RD")) == {"ACS"}
    assert disposition_agencies(disposition=Disposition.objects.get(code="U")) == {
        "POLICE",
        "FIRE_EMS",
        "ACS",
    }


def test_it_spells_the_no_dispatch_code_right(dispositions):
    assert Disposition.objects.get(code="W").description == (
        "No dispatch or incident cancelled prior to dispatching a unit"
    )


def test_it_gives_a_responder_their_units_codes_by_default(api_as, riley, pete, dispositions):
    acs = [d["code"] for d in api_as(riley).get("/api/v1/dispositions").json()]
    police = [d["code"] for d in api_as(pete).get("/api/v1/dispositions").json()]

    assert "ACS-988" in acs and not ARRESTS & set(acs)
    assert "A" in police and "ACS-988" not in police


def test_it_filters_by_the_agencies_a_dispatcher_asks_for(api_as, dana, dispositions):
    body = api_as(dana).get("/api/v1/dispositions?agency=ACS").json()
    refused = api_as(dana).get("/api/v1/dispositions?agency=NAVY")

    assert not ARRESTS & {d["code"] for d in body}
    assert refused.status_code == 400
