"""manage.py import_addresses FILE: site/structure address points (NENA SSAP: Add_Number, St_PreDir,
St_Name, St_PosTyp, St_PosDir, Post_Comm, ... with a Point geometry or Lat/Long columns)."""

from __future__ import annotations

from responders.gis_services import addresses_import
from responders.management.commands._gis_import import GisImportCommand


class Command(GisImportCommand):
    help = "Import address points (NENA NG9-1-1 GIS model, GeoJSON or CSV) for the geocoder."
    what = "address points"

    def run_import(self, file, *, append, quiet_progress):
        return addresses_import(path=file, replace=not append, progress=self.progress)
