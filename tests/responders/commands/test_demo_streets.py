"""The demo's street data (data/abq_streets_approx.geojson.gz) and gazetteer (data/abq_places.csv)."""

from __future__ import annotations

from responders.geography import shared_data_dir
from responders.gis_seed import geocoder_seed
from responders.gis_selectors import geocode_search


def test_it_loads_the_demo_streets_and_places_without_a_bad_row(zones):
    summary = geocoder_seed(data=shared_data_dir())

    assert "(0 bad rows)" in summary


def test_it_places_the_issue_s_example_in_a_zone_with_no_coordinates_typed(zones):
    geocoder_seed(data=shared_data_dir())

    corner = geocode_search(q="Central Ave & Louisiana Blvd")[0]
    hospital = geocode_search(q="UNM Hospital")[0]
    address = geocode_search(q="2500 San Mateo Blvd NE")[0]

    assert corner["kind"] == "intersection" and corner["zone"] == "Southeast"
    assert hospital["kind"] == "place" and hospital["zone"] == "University"
    assert address["label"] == "2500 San Mateo Blvd NE" and address["zone"] == "Northeast"
