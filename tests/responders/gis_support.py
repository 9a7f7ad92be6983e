"""A small street network in the NENA NG9-1-1 shape around Central & Louisiana, for geocoder tests.

Central Ave runs west-east along lat 35.0778; Louisiana Blvd north-south along lon -106.5666, NE
north of Central and SE south of it. Addresses along Central grow eastward (7700 block west of
Louisiana, 7800 east); along Louisiana they grow away from Central.
"""

from __future__ import annotations

import json
from pathlib import Path

CENTRAL_LAT = 35.0778
LOUISIANA_LON = -106.5666


def rcl(name, typ, posdir, coords, fl, tl, fr, tr, **extra):
    props = {
        "St_PreDir": "",
        "St_Name": name,
        "St_PosTyp": typ,
        "St_PosDir": posdir,
        "FromAddr_L": fl,
        "ToAddr_L": tl,
        "FromAddr_R": fr,
        "ToAddr_R": tr,
        "Parity_L": "O",
        "Parity_R": "E",
        **extra,
    }
    return {"type": "Feature", "properties": props, "geometry": {"type": "LineString", "coordinates": coords}}


STREETS = [
    rcl(
        "Central",
        "Avenue",
        "SE",
        [[-106.5700, CENTRAL_LAT], [LOUISIANA_LON, CENTRAL_LAT]],
        7701,
        7799,
        7700,
        7798,
    ),
    rcl(
        "Central",
        "Avenue",
        "SE",
        [[LOUISIANA_LON, CENTRAL_LAT], [-106.5630, CENTRAL_LAT]],
        7801,
        7899,
        7800,
        7898,
    ),
    rcl(
        "Louisiana",
        "Boulevard",
        "NE",
        [[LOUISIANA_LON, CENTRAL_LAT], [LOUISIANA_LON, 35.0810]],
        1,
        299,
        0,
        298,
    ),
    rcl(
        "Louisiana",
        "Boulevard",
        "SE",
        [[LOUISIANA_LON, CENTRAL_LAT], [LOUISIANA_LON, 35.0750]],
        1,
        199,
        0,
        198,
    ),
    # San Mateo NE crosses Central mid-segment (no shared node): found as a crossing.
    rcl("San Mateo", "Blvd", "NE", [[-106.5680, 35.0760], [-106.5680, 35.0800]], 1, 399, 0, 398),
]

ADDRESSES = [
    {"Add_Number": 7810, "St_Name": "Central", "St_PosTyp": "Ave", "St_PosDir": "SE", "Post_Comm": "Albuquerque",
     "lon": -106.5659, "lat": 35.07772},
    {"Add_Number": 7811, "St_Name": "Central", "St_PosTyp": "Ave", "St_PosDir": "SE", "Post_Comm": "Albuquerque",
     "lon": -106.5658, "lat": 35.07790},
]  # fmt: skip

PLACES = [
    {"name": "UNM Hospital", "aliases": "UNMH;University Hospital", "kind": "hospital",
     "address": "2211 Lomas Blvd NE", "lat": 35.0883, "lon": -106.6186},
    {"name": "Alvarado Transportation Center", "aliases": "ATC;Downtown Transit Center", "kind": "transit",
     "address": "100 1st St SW", "lat": 35.0838, "lon": -106.6477},
]  # fmt: skip


def write_streets(tmp_path: Path, features=None, name="rcl.geojson") -> Path:
    path = tmp_path / name
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": STREETS if features is None else features})
    )
    return path


def address_features(rows=None):
    out = []
    for row in ADDRESSES if rows is None else rows:
        props = {k: v for k, v in row.items() if k not in ("lat", "lon")}
        out.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
            }
        )
    return out


def write_addresses(tmp_path: Path, features=None, name="ssap.geojson") -> Path:
    path = tmp_path / name
    path.write_text(
        json.dumps(
            {"type": "FeatureCollection", "features": address_features() if features is None else features}
        )
    )
    return path


def geocoder_load(tmp_path: Path) -> None:
    """Import the streets, addresses and places above into the test database."""
    from responders.gis_services import addresses_import, places_load, streets_import

    streets_import(path=write_streets(tmp_path))
    addresses_import(path=write_addresses(tmp_path))
    places_load(rows=PLACES)


def index_rows():
    """The same data as GeocodeIndex rows (no database)."""
    from responders.gis_services import address_row, street_row

    segments = []
    for f in STREETS:
        s = street_row({k.lower(): v for k, v in f["properties"].items()}, f["geometry"], source="t")
        segments.append((s.st_predir, s.st_name, s.st_postyp, s.st_posdir, s.from_addr_l, s.to_addr_l,
                         s.from_addr_r, s.to_addr_r, s.parity_l, s.parity_r, s.geometry))  # fmt: skip
    addresses = []
    for f in address_features():
        a = address_row({k.lower(): v for k, v in f["properties"].items()}, f["geometry"], source="t")
        addresses.append(
            (a.add_number, a.add_num_suf, a.st_predir, a.st_name, a.st_postyp, a.st_posdir, a.lat, a.lon)
        )
    places = [(p["name"], p["aliases"], p["kind"], p["lat"], p["lon"], p["address"]) for p in PLACES]
    return {"segments": segments, "addresses": addresses, "places": places}
