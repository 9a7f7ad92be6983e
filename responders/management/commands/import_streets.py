"""manage.py import_streets FILE: road centerlines with address ranges (NENA RCL: St_Name, St_PosTyp,
St_PosDir, FromAddr_L, ToAddr_L, FromAddr_R, ToAddr_R, Parity_L, Parity_R; or TIGER ADDRFEAT)."""

from __future__ import annotations

from responders.gis_services import streets_import
from responders.management.commands._gis_import import GisImportCommand


class Command(GisImportCommand):
    help = "Import street centerlines with address ranges (NENA NG9-1-1 GIS model, GeoJSON or CSV)."
    what = "street segments"

    def run_import(self, file, *, append, quiet_progress):
        return streets_import(path=file, replace=not append, progress=self.progress)
