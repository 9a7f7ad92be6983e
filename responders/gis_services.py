"""Writes of the geocoder's data: address points, street centerlines and the gazetteer of places.

Files are read in the NENA NG9-1-1 GIS Data Model's shape (GeoJSON FeatureCollection or CSV, lon/lat
WGS84), field names matched without regard to case. Census TIGER/Line ADDRFEAT names (FULLNAME,
LFROMHN, LTOHN, RFROMHN, RTOHN, PARITYL, PARITYR) are accepted for centerlines too. Every bad row is
reported with its number and why, and skipped; the good rows are imported.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from shapely import wkt as shapely_wkt
from shapely.errors import ShapelyError

from live.events import AUDIT, event_append
from live.kinds import EventKind
from responders import gis_selectors
from responders.geocoding import DIRECTIONALS, STREET_TYPES, parse_street
from responders.models import AddressPoint, Place, StreetSegment

BATCH = 5_000
Progress = Callable[[int, int], None]


class GisFileError(ValueError):
    """A file that cannot be read at all (not GeoJSON or CSV, no features)."""


@dataclass
class ImportReport:
    imported: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.errors)


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path), encoding="utf-8")
    return open(path, encoding="utf-8", newline="")


def gis_records(path: Path) -> tuple[int, Iterator[tuple[int, dict[str, Any], Any]]]:
    """(count, rows) of a GeoJSON or CSV file: each row (number from 1, properties with lower-case
    keys, geometry as GeoJSON dict, WKT text or None)."""
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".geojson", ".json")):
        try:
            with _open_text(path) as f:
                data = json.load(f)
        except json.JSONDecodeError as exc:
            raise GisFileError(f"{path.name}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
        if data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
            raise GisFileError(f"{path.name}: not a GeoJSON FeatureCollection")
        features = data["features"]

        def rows() -> Iterator[tuple[int, dict[str, Any], Any]]:
            for n, feature in enumerate(features, start=1):
                props = (feature or {}).get("properties") or {}
                yield n, {str(k).lower(): v for k, v in props.items()}, (feature or {}).get("geometry")

        return len(features), rows()
    if name.endswith(".csv"):
        with _open_text(path) as f:
            table = list(csv.DictReader(f))
        if not table:
            raise GisFileError(f"{path.name}: the CSV file has no rows")

        def csv_rows() -> Iterator[tuple[int, dict[str, Any], Any]]:
            for n, row in enumerate(table, start=1):
                props = {
                    str(k).lower().strip(): (v.strip() if isinstance(v, str) else v) for k, v in row.items()
                }
                yield n, props, props.get("geometry") or props.get("wkt") or None

        return len(table), csv_rows()
    raise GisFileError(f"{path.name}: give a .geojson, .json or .csv file (optionally .gz)")


def _int(props: dict[str, Any], *keys: str, required: bool = False) -> int | None:
    for key in keys:
        value = props.get(key)
        if value in (None, ""):
            continue
        try:
            number = int(float(value))
        except (TypeError, ValueError):
            raise ValueError(f"{key} {value!r} is not a whole number") from None
        if number < 0:
            raise ValueError(f"{key} {value!r} is negative")
        return number
    if required:
        raise ValueError(f"no {keys[0]}")
    return None


def _text(props: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = props.get(key)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _street_parts(props: dict[str, Any]) -> tuple[str, str, str, str]:
    """(predir, name, type, postdir) from NENA fields, or parsed from a full name (TIGER FULLNAME)."""
    name = " ".join(
        p for p in (_text(props, "st_pretyp"), _text(props, "st_presep"), _text(props, "st_name")) if p
    )
    if name:
        predir = _text(props, "st_predir").upper()
        postyp = _text(props, "st_postyp").upper()
        posdir = _text(props, "st_posdir").upper()
        return (
            DIRECTIONALS.get(predir, predir),
            name.upper(),
            STREET_TYPES.get(postyp, postyp),
            DIRECTIONALS.get(posdir, posdir),
        )
    full = _text(props, "fullname", "full_name", "name")
    if not full:
        raise ValueError("no St_Name (nor FULLNAME)")
    parsed = parse_street(full)
    return parsed.predir, parsed.name, parsed.postyp, parsed.posdir


def _point(props: dict[str, Any], geometry: Any) -> tuple[float, float]:
    """(lat, lon) of an address point from a GeoJSON Point, WKT, or Lat/Long columns."""
    lat = lon = None
    if isinstance(geometry, dict):
        if geometry.get("type") != "Point":
            raise ValueError(f"geometry is a {geometry.get('type')}, not a Point")
        coords = geometry.get("coordinates") or []
        if len(coords) < 2:
            raise ValueError("the Point has no coordinates")
        lon, lat = coords[0], coords[1]
    elif isinstance(geometry, str) and geometry:
        try:
            p = shapely_wkt.loads(geometry)
        except ShapelyError as exc:
            raise ValueError(f"geometry is not WKT ({exc})") from None
        lon, lat = p.x, p.y
    else:
        lat = props.get("lat", props.get("latitude", props.get("y")))
        lon = props.get("long", props.get("lon", props.get("longitude", props.get("x"))))
    try:
        lat_f, lon_f = float(lat), float(lon)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"no usable coordinates (lat {lat!r}, lon {lon!r})") from None
    if not (-90 <= lat_f <= 90 and -180 <= lon_f <= 180):
        raise ValueError(f"coordinates ({lat_f}, {lon_f}) are not lon/lat degrees (WGS84)")
    return lat_f, lon_f


def _line(geometry: Any) -> list[list[float]]:
    """The coordinates of a centerline (LineString, or a MultiLineString's parts joined end to end)."""
    if isinstance(geometry, str) and geometry:
        try:
            geometry = json.loads(json.dumps(shapely_wkt.loads(geometry).__geo_interface__))
        except ShapelyError as exc:
            raise ValueError(f"geometry is not WKT ({exc})") from None
    if not isinstance(geometry, dict):
        raise ValueError("no geometry")
    kind = geometry.get("type")
    coords = geometry.get("coordinates") or []
    if kind == "MultiLineString":
        coords = [c for part in coords for c in part]
    elif kind != "LineString":
        raise ValueError(f"geometry is a {kind}, not a LineString")
    try:
        line = [[round(float(c[0]), 6), round(float(c[1]), 6)] for c in coords]
    except (TypeError, ValueError, IndexError):
        raise ValueError("the line's coordinates are not numbers") from None
    if len(line) < 2:
        raise ValueError("a centerline needs at least two points")
    if not all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in line):
        raise ValueError("coordinates are not lon/lat degrees (WGS84)")
    return line


def _parity(props: dict[str, Any], *keys: str) -> str:
    value = _text(props, *keys).upper()[:1]
    if value and value not in "OEBZ":
        raise ValueError(f"{keys[0]} {value!r} is not O, E, B or Z")
    return value


def address_row(props: dict[str, Any], geometry: Any, *, source: str) -> AddressPoint:
    """An AddressPoint from one NENA SSAP record, or ValueError saying what is wrong."""
    predir, name, postyp, posdir = _street_parts(props)
    lat, lon = _point(props, geometry)
    return AddressPoint(
        nguid=_text(props, "nguid", "site_nguid")[:120],
        add_number=_int(props, "add_number", "addnum", "number", required=True),
        add_num_suf=_text(props, "addnum_suf", "add_num_suf")[:10].upper(),
        st_predir=predir,
        st_name=name[:120],
        st_postyp=postyp[:20],
        st_posdir=posdir[:10],
        post_comm=_text(props, "post_comm", "city")[:80],
        post_code=_text(props, "post_code", "zip")[:10],
        lat=lat,
        lon=lon,
        source=source[:120],
    )


def street_row(props: dict[str, Any], geometry: Any, *, source: str) -> StreetSegment:
    """A StreetSegment from one NENA RCL (or TIGER ADDRFEAT) record, or ValueError."""
    predir, name, postyp, posdir = _street_parts(props)
    return StreetSegment(
        nguid=_text(props, "rcl_nguid", "nguid", "tlid")[:120],
        st_predir=predir,
        st_name=name[:120],
        st_postyp=postyp[:20],
        st_posdir=posdir[:10],
        from_addr_l=_int(props, "fromaddr_l", "lfromhn"),
        to_addr_l=_int(props, "toaddr_l", "ltohn"),
        from_addr_r=_int(props, "fromaddr_r", "rfromhn"),
        to_addr_r=_int(props, "toaddr_r", "rtohn"),
        parity_l=_parity(props, "parity_l", "parityl"),
        parity_r=_parity(props, "parity_r", "parityr"),
        post_comm_l=_text(props, "post_comm_l")[:80],
        post_comm_r=_text(props, "post_comm_r")[:80],
        road_class=_text(props, "roadclass", "road_class", "mtfcc")[:20],
        geometry=_line(geometry),
        source=source[:120],
    )


def _gis_import(
    *,
    path: Path,
    model: type,
    build: Callable[..., Any],
    kind: str,
    replace: bool,
    actor: Any,
    progress: Progress | None,
) -> ImportReport:
    total, rows = gis_records(path)
    report = ImportReport()
    source = path.name
    with transaction.atomic():
        if replace:
            model.objects.filter(source=source[:120]).delete()
        batch = []
        for n, props, geometry in rows:
            try:
                batch.append(build(props, geometry, source=source))
            except ValueError as exc:
                report.errors.append(f"row {n}: {exc}")
                continue
            if len(batch) >= BATCH:
                model.objects.bulk_create(batch)
                report.imported += len(batch)
                batch = []
            if progress and n % 1000 == 0:
                progress(n, total)
        if batch:
            model.objects.bulk_create(batch)
            report.imported += len(batch)
        if progress:
            progress(total, total)
        event_append(
            kind=EventKind.ADDRESSES_IMPORTED if kind == "addresses" else EventKind.STREETS_IMPORTED,
            actor=actor,
            data={"file": source, "imported": report.imported, "skipped": report.skipped},
            streams=[AUDIT],
        )
        transaction.on_commit(_geocoder_changed)
    _geocoder_changed()
    return report


def _geocoder_changed() -> None:
    gis_selectors.geocoder_clear()


def addresses_import(
    *, path: Path, replace: bool = True, actor: Any = None, progress: Progress | None = None
) -> ImportReport:
    """Import address points (NENA SSAP). `replace`: rows from a file of the same name go first,
    so a re-import does not double them."""
    return _gis_import(
        path=path, model=AddressPoint, build=address_row, kind="addresses", replace=replace, actor=actor,
        progress=progress,
    )  # fmt: skip


def streets_import(
    *, path: Path, replace: bool = True, actor: Any = None, progress: Progress | None = None
) -> ImportReport:
    """Import road centerlines with address ranges (NENA RCL, or TIGER ADDRFEAT)."""
    return _gis_import(
        path=path, model=StreetSegment, build=street_row, kind="streets", replace=replace, actor=actor,
        progress=progress,
    )  # fmt: skip


@transaction.atomic
def places_load(*, rows: list[dict[str, Any]], actor: Any = None) -> dict[str, int]:
    """Create or update gazetteer places by name (idempotent; the admin edits them afterwards)."""
    created = updated = 0
    for row in rows:
        _, was_created = Place.objects.update_or_create(
            name=row["name"],
            defaults={
                "aliases": row.get("aliases", ""),
                "kind": row.get("kind", Place.Kind.LANDMARK),
                "address": row.get("address", ""),
                "lat": float(row["lat"]),
                "lon": float(row["lon"]),
                "source": row.get("source", ""),
            },
        )
        created += was_created
        updated += not was_created
    event_append(
        kind=EventKind.PLACES_LOADED,
        actor=actor,
        data={"created": created, "updated": updated},
        streams=[AUDIT],
    )
    transaction.on_commit(_geocoder_changed)
    return {"created": created, "updated": updated}
