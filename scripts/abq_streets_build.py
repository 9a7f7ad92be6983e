"""Build data/abq_streets_approx.geojson.gz: an APPROXIMATE Albuquerque arterial grid in the NENA
NG9-1-1 road-centerline shape, for the demo to geocode out of the box.

Why approximate: no real Albuquerque centerline file (City of Albuquerque GIS, Bernalillo County
E-911, US Census TIGER/Line ADDRFEAT for FIPS 35001, an OpenStreetMap extract) could be fetched on
the machines this was built on: they reach package registries only, and no public repository in
reach carried one. So, like the approximate area commands (responders/geography.py), this draws the
arterials from the city's well-known grid, to within a few hundred metres, and models address
numbers from that grid:

- Central Avenue divides north from south and the railroad (near 1st Street, lon -106.647) east
  from west: the quadrant suffix (NE, NW, SE, SW) follows, as on every Albuquerque address.
- House numbers grow away from those lines, modelled linearly: about 97,000 per degree of
  longitude east-west (Louisiana Blvd falls near the 7800 block, as it does in the city) and
  87,000 per degree of latitude north-south (Menaul near the 2600 block, Montgomery near 4600).
  Odd numbers on the left of a segment's direction of digitising, even on the right.
- Central Avenue east of the railroad carries NE on its north side and SE on its south side: two
  records share each of its segments, one side ranged each.

Every segment is split where two arterials cross, so intersections come from shared nodes, as
NENA requires. Replace all of it with the city's real file: `manage.py import_streets FILE`.

Run: .venv/bin/python scripts/abq_streets_build.py   (writes the file; deterministic)
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "abq_streets_approx.geojson.gz"
RAILROAD_LON = -106.647
CENTRAL_LAT = 35.0815
PER_DEG_LON = 97_000
PER_DEG_LAT = 87_000
SOURCE = "approximate: ACS Dispatch scripts/abq_streets_build.py (modelled grid, not the city's GIS)"

# East-west arterials: (name, type, lat, west lon, east lon, class)
EAST_WEST = [
    ("Paseo del Norte", "BLVD", 35.1730, -106.700, -106.500, "Primary"),
    ("Academy", "RD", 35.1500, -106.600, -106.500, "Secondary"),
    ("Montgomery", "BLVD", 35.1330, -106.620, -106.500, "Primary"),
    ("Comanche", "RD", 35.1260, -106.625, -106.510, "Secondary"),
    ("Candelaria", "RD", 35.1190, -106.680, -106.510, "Secondary"),
    ("Menaul", "BLVD", 35.1100, -106.690, -106.490, "Primary"),
    ("Indian School", "RD", 35.1010, -106.690, -106.490, "Secondary"),
    ("Constitution", "AVE", 35.0960, -106.620, -106.510, "Local"),
    ("Lomas", "BLVD", 35.0905, -106.690, -106.490, "Primary"),
    ("Central", "AVE", CENTRAL_LAT, -106.760, -106.482, "Primary"),
    ("Lead", "AVE", 35.0770, -106.652, -106.585, "Local"),
    ("Zuni", "RD", 35.0705, -106.586, -106.510, "Secondary"),
    ("Gibson", "BLVD", 35.0585, -106.640, -106.510, "Primary"),
    ("Rio Bravo", "BLVD", 35.0220, -106.720, -106.620, "Secondary"),
]
# North-south arterials: (name, type, lon, south lat, north lat, class)
NORTH_SOUTH = [
    ("Unser", "BLVD", -106.7370, 35.040, 35.180, "Primary"),
    ("Coors", "BLVD", -106.7140, 35.010, 35.180, "Primary"),
    ("Rio Grande", "BLVD", -106.6800, 35.081, 35.140, "Secondary"),
    ("12th", "ST", -106.6600, 35.081, 35.140, "Local"),
    ("4th", "ST", -106.6510, 35.020, 35.175, "Secondary"),
    ("2nd", "ST", -106.6490, 35.020, 35.175, "Local"),
    ("Broadway", "BLVD", -106.6430, 35.020, 35.110, "Secondary"),
    ("University", "BLVD", -106.6230, 35.030, 35.140, "Primary"),
    ("Girard", "BLVD", -106.6130, 35.058, 35.125, "Secondary"),
    ("Carlisle", "BLVD", -106.6030, 35.058, 35.150, "Secondary"),
    ("San Mateo", "BLVD", -106.5860, 35.050, 35.175, "Primary"),
    ("San Pedro", "DR", -106.5810, 35.050, 35.150, "Local"),
    ("Louisiana", "BLVD", -106.5666, 35.050, 35.175, "Primary"),
    ("Wyoming", "BLVD", -106.5520, 35.040, 35.175, "Primary"),
    ("Eubank", "BLVD", -106.5310, 35.050, 35.175, "Primary"),
    ("Juan Tabo", "BLVD", -106.5100, 35.055, 35.175, "Primary"),
    ("Tramway", "BLVD", -106.4860, 35.070, 35.175, "Primary"),
]


def _ew_number(lon: float) -> int:
    return int(abs(lon - RAILROAD_LON) * PER_DEG_LON)


def _ns_number(lat: float) -> int:
    return int(abs(lat - CENTRAL_LAT) * PER_DEG_LAT)


def _quadrant(lat: float, lon: float) -> str:
    return ("N" if lat >= CENTRAL_LAT else "S") + ("E" if lon >= RAILROAD_LON else "W")


def _range(a: int, b: int) -> tuple[int, int, int, int]:
    """(from_left, to_left, from_right, to_right) for numbers a at the segment's start and b at its
    end: odd on the left, even on the right (from > to where numbers fall along the direction)."""
    return a | 1, b | 1, a & ~1, b & ~1


def _feature(name, typ, posdir, coords, rng, road_class, sides="both"):
    from_l, to_l, from_r, to_r = rng
    props = {
        "St_PreDir": "",
        "St_Name": name,
        "St_PosTyp": typ,
        "St_PosDir": posdir,
        "FromAddr_L": from_l if sides in ("both", "left") else None,
        "ToAddr_L": to_l if sides in ("both", "left") else None,
        "FromAddr_R": from_r if sides in ("both", "right") else None,
        "ToAddr_R": to_r if sides in ("both", "right") else None,
        "Parity_L": "O" if sides in ("both", "left") else "Z",
        "Parity_R": "E" if sides in ("both", "right") else "Z",
        "Post_Comm_L": "Albuquerque",
        "Post_Comm_R": "Albuquerque",
        "RoadClass": road_class,
    }
    coords = [[round(x, 6), round(y, 6)] for x, y in coords]
    return {"type": "Feature", "properties": props, "geometry": {"type": "LineString", "coordinates": coords}}


def _cuts(start: float, end: float, crossings: list[float], breaks: list[float]) -> list[float]:
    inside = sorted({c for c in [*crossings, *breaks] if start < c < end})
    return [start, *inside, end]


def build() -> dict:
    features = []
    for name, typ, lat, west, east, road_class in EAST_WEST:
        ns_here = [lon for (_, _, lon, s, n, _) in NORTH_SOUTH if s <= lat <= n]
        cuts = _cuts(west, east, ns_here, [RAILROAD_LON])
        for x0, x1 in zip(cuts, cuts[1:], strict=False):
            mid = (x0 + x1) / 2
            quad = _quadrant(lat, mid)
            # West of the railroad numbers fall along the (west to east) direction: from > to.
            rng = _range(_ew_number(x0), _ew_number(x1))
            coords = [(x0, lat), (x1, lat)]
            if name == "Central":
                # North side NE/NW (odd), south side SE/SW (even): two records per segment.
                north, south = "N" + quad[1], "S" + quad[1]
                features.append(_feature(name, typ, north, coords, rng, road_class, sides="left"))
                features.append(_feature(name, typ, south, coords, rng, road_class, sides="right"))
            else:
                features.append(_feature(name, typ, quad, coords, rng, road_class))
    for name, typ, lon, south, north, road_class in NORTH_SOUTH:
        ew_here = [lat for (_, _, lat, w, e, _) in EAST_WEST if w <= lon <= e]
        cuts = _cuts(south, north, ew_here, [CENTRAL_LAT])
        for y0, y1 in zip(cuts, cuts[1:], strict=False):
            quad = _quadrant((y0 + y1) / 2, lon)
            rng = _range(_ns_number(y0), _ns_number(y1))
            features.append(_feature(name, typ, quad, [(lon, y0), (lon, y1)], rng, road_class))
    return {
        "type": "FeatureCollection",
        "name": "abq_streets_approx",
        "source": SOURCE,
        "features": features,
    }


if __name__ == "__main__":
    data = build()
    OUT.write_bytes(gzip.compress(json.dumps(data, separators=(",", ":")).encode(), mtime=0))
    print(f"{OUT}: {len(data['features'])} segments, {OUT.stat().st_size:,} bytes")
