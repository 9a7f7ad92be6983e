"""manage.py import_zones FILE.geojson --name-field NAME [--city CITY] [--layer]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from responders.geography import GeometryError, read_geojson, zones_from_geojson
from responders.models import Zone
from responders.services import zones_import


class Command(BaseCommand):
    help = "Load a city's zone boundaries from a GeoJSON FeatureCollection (lon/lat WGS84)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--name-field", required=True, help="the feature property that names each zone")
        parser.add_argument(
            "--parent-field", default="", help="property naming a larger area (e.g. division)"
        )
        parser.add_argument("--city", default=None, help="city key (default: settings.CITY)")
        parser.add_argument("--layer", action="store_true", help="display-only map layer, not service zones")
        parser.add_argument(
            "--repair",
            action="store_true",
            help="mend self-intersecting polygons instead of refusing the file",
        )

    def handle(
        self,
        *args,
        file: Path,
        name_field: str,
        parent_field: str,
        city: str | None,
        layer: bool,
        repair: bool = False,
        **opts,
    ):
        from django.conf import settings

        if not file.exists():
            raise CommandError(f"{file}: no such file", returncode=2)
        try:
            zones = zones_from_geojson(
                read_geojson(file),
                name_field=name_field,
                parent_field=parent_field,
                source=file.name,
                repair=repair,
            )
        except GeometryError as exc:
            # Nothing is written: the file is checked whole before the first zone is saved.
            raise CommandError(str(exc), returncode=2) from exc
        kind = Zone.Kind.LAYER if layer else Zone.Kind.SERVICE
        counts = zones_import(zones=zones, city=city or settings.CITY, kind=kind)
        self.stdout.write(f"{len(zones)} zones: {counts['created']} created, {counts['updated']} updated")
