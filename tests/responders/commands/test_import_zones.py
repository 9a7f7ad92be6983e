from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from responders.models import Zone
from responders.selectors import zone_at

SQUARE = [[[-106.7, 35.0], [-106.6, 35.0], [-106.6, 35.1], [-106.7, 35.1], [-106.7, 35.0]]]
BOWTIE = [[[-106.7, 35.0], [-106.6, 35.1], [-106.6, 35.0], [-106.7, 35.1], [-106.7, 35.0]]]


def write(tmp_path, features):
    path = tmp_path / "zones.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def feature(name, coords, kind="Polygon"):
    return {
        "type": "Feature",
        "properties": {"NAME": name},
        "geometry": {"type": kind, "coordinates": coords},
    }


def test_it_imports_zones_and_finds_a_point_in_them(db, tmp_path):
    path = write(tmp_path, [feature("Old Town", SQUARE)])

    call_command("import_zones", str(path), "--name-field", "NAME", stdout=io.StringIO())

    zone = Zone.objects.get(name="Old Town")
    assert zone_at(lat=35.05, lon=-106.65) == zone
    assert zone_at(lat=36.0, lon=-106.65) is None


def test_it_updates_a_zone_in_place_on_reimport(db, tmp_path):
    path = write(tmp_path, [feature("Old Town", SQUARE)])
    call_command("import_zones", str(path), "--name-field", "NAME", stdout=io.StringIO())
    first_id = Zone.objects.get(name="Old Town").pk

    call_command("import_zones", str(path), "--name-field", "NAME", stdout=io.StringIO())

    assert list(Zone.objects.values_list("pk", flat=True)) == [first_id]


@pytest.mark.parametrize(
    ("features", "message"),
    [
        ([feature("Bow", BOWTIE)], "feature 1 \\(Bow\\): invalid polygon \\(Self-intersection"),
        ([feature("Line", [[-106.7, 35.0], [-106.6, 35.1]], kind="LineString")], "must be a Polygon"),
        ([{"type": "Feature", "properties": {}, "geometry": None}], "no 'NAME' property"),
        ([feature("Far", [[[500, 35], [501, 35], [501, 36], [500, 35]]])], "not lon/lat degrees"),
    ],
)
def test_it_refuses_invalid_geometry_and_writes_nothing(db, tmp_path, features, message):
    path = write(tmp_path, [feature("Good", SQUARE), *features])

    with pytest.raises(CommandError, match=message) as excinfo:
        call_command("import_zones", str(path), "--name-field", "NAME", stdout=io.StringIO())

    assert excinfo.value.returncode == 2
    assert not Zone.objects.exists()


def test_it_refuses_a_file_that_is_not_json(db, tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text("{not json")

    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_zones", str(path), "--name-field", "NAME", stdout=io.StringIO())


def test_it_mends_a_self_intersecting_polygon_when_asked(db, tmp_path):
    path = write(tmp_path, [feature("Good", SQUARE), feature("Bow", BOWTIE)])

    call_command("import_zones", str(path), "--name-field", "NAME", "--repair", stdout=io.StringIO())

    assert set(Zone.objects.values_list("name", flat=True)) == {"Good", "Bow"}
