"""The demo's geocoder data: data/abq_streets_approx.geojson.gz (an approximate arterial grid, see
scripts/abq_streets_build.py) and data/abq_places.csv (real places, approximate coordinates)."""

from __future__ import annotations

import csv
from pathlib import Path

from responders.gis_services import places_load, streets_import

STREETS_FILE = "abq_streets_approx.geojson.gz"
PLACES_FILE = "abq_places.csv"


def geocoder_seed(*, data: Path) -> str:
    """Import the demo streets (replacing an earlier import of the same file) and the places."""
    report = streets_import(path=data / STREETS_FILE, replace=True)
    with open(data / PLACES_FILE, encoding="utf-8", newline="") as f:
        places = places_load(rows=list(csv.DictReader(f)))
    return (
        f"{report.imported} approximate centerline segments ({report.skipped} bad rows); "
        f"places: {places['created']} created, {places['updated']} updated"
    )
