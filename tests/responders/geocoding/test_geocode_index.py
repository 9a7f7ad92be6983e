"""The geocoder's resolution over the small network of tests/responders/gis_support.py (no database)."""

from __future__ import annotations

import pytest

from responders.geocoding import GeocodeIndex, parse_street, split_intersection
from tests.responders.gis_support import CENTRAL_LAT, LOUISIANA_LON, index_rows


@pytest.fixture(scope="module")
def index():
    return GeocodeIndex(**index_rows())


def top(index, q):
    results = index.search(q)
    assert results, f"nothing for {q!r}"
    return results[0]


def test_it_finds_a_full_address_on_its_address_point(index):
    best = top(index, "7810 Central Ave SE")

    assert (best.label, best.kind, best.precision) == ("7810 Central Ave SE", "address", "point")
    assert (best.lat, best.lon) == (35.07772, -106.5659)


def test_it_interpolates_an_address_along_its_block(index):
    best = top(index, "7750 Central Ave SE")

    assert (best.label, best.precision) == ("7750 Central Ave SE", "range")
    # 7750 is half way along the 7700 block, which runs from lon -106.5700 to -106.5666.
    assert best.lat == pytest.approx(CENTRAL_LAT)
    assert best.lon == pytest.approx(-106.5683, abs=0.0001)


def test_it_keeps_to_the_side_whose_parity_matches(index):
    # 7751 is odd: the left range 7701-7799, same block.
    assert top(index, "7751 Central Ave SE").lon == pytest.approx(-106.5683, abs=0.0001)
    assert index.search("7950 Central Ave SE") == []  # beyond every range


@pytest.mark.parametrize(
    "q",
    [
        "Central & Louisiana",
        "Central/Louisiana",
        "Central and Louisiana",
        "central at louisiana",
        "CENTRAL @ LOUISIANA",
    ],
)
def test_it_finds_an_intersection_written_any_common_way(index, q):
    best = top(index, q)

    assert best.kind == "intersection"
    assert (best.lat, best.lon) == pytest.approx((CENTRAL_LAT, LOUISIANA_LON))


def test_it_finds_an_intersection_where_lines_cross_without_a_shared_node(index):
    best = top(index, "Central & San Mateo")

    assert best.kind == "intersection"
    assert (best.lat, best.lon) == pytest.approx((CENTRAL_LAT, -106.5680))


def test_it_reads_the_quadrant_to_choose_between_street_variants(index):
    ne = top(index, "Central Ave & Louisiana Blvd NE")
    se = top(index, "Central Ave & Louisiana Blvd SE")

    assert ne.label.endswith("Louisiana Blvd NE") and ne.score == 1.0
    assert se.label.endswith("Louisiana Blvd SE") and se.score == 1.0


def test_it_ranks_an_address_in_another_quadrant_lower(index):
    exact = top(index, "150 Louisiana Blvd NE")
    wrong = top(index, "150 Louisiana Blvd NW")  # no NW Louisiana: the NE/SE ones, penalised

    assert exact.label == "150 Louisiana Blvd NE" and exact.score > wrong.score


@pytest.mark.parametrize(
    "q", ["7750 Central Avenue Southeast", "7750 central ave. s.e.", "7750 Central Ave SE, Albuquerque, NM 87108",
          "7750 Central Ave SE Apt 4", "7750 Central Ave SE #12"],
)  # fmt: skip
def test_it_understands_usps_abbreviations_and_ignores_city_zip_and_unit(index, q):
    assert top(index, q).label == "7750 Central Ave SE"


@pytest.mark.parametrize("q", ["Lousiana & Centrl", "Centrall & Louisana"])
def test_it_forgives_misspelt_street_names(index, q):
    best = top(index, q)

    assert best.kind == "intersection" and 0.6 < best.score < 1.0


def test_it_completes_the_second_street_as_the_call_taker_types(index):
    assert top(index, "Central & Lou").label.startswith("Central Ave SE & Louisiana Blvd")


@pytest.mark.parametrize(
    "q", ["UNM Hospital", "unmh", "university hospital", "UNM Hosp", "Alvarado", "downtown transit"]
)
def test_it_finds_places_by_name_and_alias(index, q):
    best = top(index, q)

    assert best.kind == "place"
    assert best.label in ("UNM Hospital", "Alvarado Transportation Center")


def test_it_forgives_a_misspelt_place(index):
    assert top(index, "Alvardo Transportation Center").label == "Alvarado Transportation Center"


def test_it_returns_nothing_for_an_unknown_place(index):
    assert index.search("Nowhere In Particular Rd & Elsewhere") == []


def test_it_reverse_geocodes_to_the_nearest_address_point(index):
    found = index.reverse(lat=35.07773, lon=-106.56591)

    assert found[0]["label"] == "7810 Central Ave SE" and found[0]["distance_m"] < 5


def test_it_reverse_geocodes_near_a_corner_to_the_intersection(index):
    found = index.reverse(lat=CENTRAL_LAT + 0.0001, lon=LOUISIANA_LON + 0.0001)
    kinds = [r["kind"] for r in found]

    assert "intersection" in kinds
    corner = next(r for r in found if r["kind"] == "intersection")
    assert "Central Ave" in corner["label"] and "Louisiana Blvd" in corner["label"]


def test_it_reverse_geocodes_along_a_block_to_an_interpolated_number(index):
    found = index.reverse(lat=CENTRAL_LAT - 0.0001, lon=-106.5683)  # south (right) side: even numbers
    ranged = next(r for r in found if r.get("precision") == "range")

    number = int(ranged["label"].split()[0])
    assert 7740 <= number <= 7760 and number % 2 == 0


def test_it_finds_nothing_far_from_every_street(index):
    assert index.reverse(lat=36.5, lon=-105.0) == []


def test_it_parses_nena_parts():
    p = parse_street("1100 N Central Ave. Southeast, Albuquerque NM 87106")

    assert (p.number, p.predir, p.name, p.postyp, p.posdir) == (1100, "N", "CENTRAL", "AVE", "SE")
    assert parse_street("Fourth Street NW").name == "4TH"


def test_it_does_not_split_an_address_as_an_intersection():
    assert split_intersection("123 1/2 Central Ave") is None
    assert split_intersection("Central & Louisiana") == ("CENTRAL", "LOUISIANA")
