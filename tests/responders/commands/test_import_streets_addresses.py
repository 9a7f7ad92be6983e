from __future__ import annotations

import csv
import gzip
import io
import json

import pytest
from django.core.management import CommandError, call_command

from live.models import Event
from responders.gis_selectors import geocode_search
from responders.models import AddressPoint, StreetSegment
from tests.responders.gis_support import STREETS, address_features, rcl, write_addresses, write_streets


def run(command, path):
    out, err = io.StringIO(), io.StringIO()
    call_command(command, str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_centerlines_and_geocodes_along_them_at_once(db, tmp_path):
    out, err = run("import_streets", write_streets(tmp_path))

    assert "5 street segments imported, 0 bad rows skipped" in out
    assert "5/5" in err  # the progress bar's last state
    seg = StreetSegment.objects.filter(st_name="LOUISIANA", st_posdir="NE").get()
    assert (seg.st_postyp, seg.from_addr_l, seg.to_addr_r, seg.parity_l) == ("BLVD", 1, 298, "O")
    assert geocode_search(q="Central & Louisiana")[0]["kind"] == "intersection"
    assert Event.objects.filter(kind="streets.imported").count() == 1


def test_it_reports_each_bad_centerline_row_and_imports_the_good_ones(db, tmp_path):
    bad = [
        rcl("Lomas", "Blvd", "NE", [[-106.6, 35.09]], 1, 99, 0, 98),  # one point
        rcl("", "Blvd", "NE", [[-106.6, 35.09], [-106.5, 35.09]], 1, 99, 0, 98),  # no name
        rcl("Lomas", "Blvd", "NE", [[-106.6, 35.09], [-106.5, 35.09]], "abc", 99, 0, 98),  # bad number
        rcl("Lomas", "Blvd", "NE", [[-106.6, 35.09], [-106.5, 35.09]], 1, 99, 0, 98, Parity_L="X"),
        {
            "type": "Feature",
            "properties": {"St_Name": "Lomas"},
            "geometry": {"type": "Point", "coordinates": [0, 0]},
        },
    ]
    out, err = run("import_streets", write_streets(tmp_path, [*STREETS, *bad]))

    assert "5 street segments imported, 5 bad rows skipped" in out
    assert "row 6: a centerline needs at least two points" in err
    assert "row 7: no St_Name (nor FULLNAME)" in err
    assert "row 8: fromaddr_l 'abc' is not a whole number" in err
    assert "row 9: parity_l 'X' is not O, E, B or Z" in err
    assert "row 10: geometry is a Point, not a LineString" in err


def test_it_reads_tiger_addrfeat_names_and_gzip(db, tmp_path):
    feature = {
        "type": "Feature",
        "properties": {"FULLNAME": "Menaul Blvd NE", "LFROMHN": "7801", "LTOHN": "7899", "RFROMHN": "7800",
                       "RTOHN": "7898", "PARITYL": "O", "PARITYR": "E", "TLID": 123},
        "geometry": {"type": "LineString", "coordinates": [[-106.5666, 35.11], [-106.5630, 35.11]]},
    }  # fmt: skip
    path = tmp_path / "addrfeat.geojson.gz"
    path.write_bytes(gzip.compress(json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()))

    out, _ = run("import_streets", path)

    assert "1 street segments imported" in out
    assert geocode_search(q="7850 Menaul Blvd NE")[0]["label"] == "7850 Menaul Blvd NE"


def test_it_replaces_an_earlier_import_of_the_same_file(db, tmp_path):
    path = write_streets(tmp_path)
    run("import_streets", path)
    run("import_streets", path)

    assert StreetSegment.objects.count() == len(STREETS)


def test_it_refuses_a_file_that_is_not_geojson_or_csv(db, tmp_path):
    path = tmp_path / "streets.geojson"
    path.write_text("{not json")

    with pytest.raises(CommandError, match="not valid JSON"):
        run("import_streets", path)
    assert StreetSegment.objects.count() == 0


def test_it_imports_address_points_from_geojson(db, tmp_path):
    out, _ = run("import_addresses", write_addresses(tmp_path))

    assert "2 address points imported, 0 bad rows skipped" in out
    point = AddressPoint.objects.get(add_number=7810)
    assert (str(point), point.post_comm, point.lat) == ("7810 CENTRAL AVE SE", "Albuquerque", 35.07772)


def test_it_imports_address_points_from_csv_and_reports_bad_rows(db, tmp_path):
    path = tmp_path / "ssap.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "Add_Number",
                "AddNum_Suf",
                "St_PreDir",
                "St_Name",
                "St_PosTyp",
                "St_PosDir",
                "Post_Comm",
                "Lat",
                "Long",
            ]
        )
        w.writerow(["1100", "", "", "Central", "Ave", "SE", "Albuquerque", "35.0818", "-106.6368"])
        w.writerow(["1102", "A", "", "Central", "Ave", "SE", "Albuquerque", "35.0818", "-106.6367"])
        w.writerow(["", "", "", "Central", "Ave", "SE", "Albuquerque", "35.0818", "-106.6366"])
        w.writerow(["1104", "", "", "Central", "Ave", "SE", "Albuquerque", "95", "-106.6366"])
        w.writerow(["1106", "", "", "Central", "Ave", "SE", "Albuquerque", "", ""])

    out, err = run("import_addresses", path)

    assert "2 address points imported, 3 bad rows skipped" in out
    assert "row 3: no add_number" in err
    assert "row 4: coordinates (95.0, -106.6366) are not lon/lat degrees (WGS84)" in err
    assert "row 5: no usable coordinates" in err
    assert geocode_search(q="1102A Central Ave SE")[0]["label"] == "1102A Central Ave SE"


def test_it_fails_when_no_row_can_be_imported(db, tmp_path):
    features = address_features([{"Add_Number": "x", "St_Name": "Central", "lat": 35.0, "lon": -106.6}])

    with pytest.raises(CommandError, match="no row could be imported"):
        run("import_addresses", write_addresses(tmp_path, features))


def test_it_issues_an_avl_token_that_the_positions_api_takes(acs_12, api_as, now):
    out = io.StringIO()
    call_command("avl_token", "acs-12", stdout=out)
    token = out.getvalue().strip()

    response = api_as(None).post(
        "/api/v1/units/ACS-12/positions",
        {"positions": [{"lat": 35.09, "lon": -106.62, "at": now.isoformat()}]},
        format="json",
        HTTP_X_AVL_TOKEN=token,
    )

    assert len(token) > 30 and response.status_code == 200


def test_it_refuses_a_token_for_an_unknown_unit(db):
    with pytest.raises(CommandError, match="No unit"):
        call_command("avl_token", "NOPE-1", stdout=io.StringIO())
