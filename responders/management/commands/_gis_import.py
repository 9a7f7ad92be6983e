"""Shared body of import_addresses and import_streets: a progress bar, per-row errors, a summary."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from responders.gis_services import GisFileError, ImportReport

MAX_ERRORS_SHOWN = 50


class GisImportCommand(BaseCommand):
    what = "rows"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help=".geojson, .json or .csv, optionally .gz (lon/lat WGS84)")
        parser.add_argument(
            "--append", action="store_true", help="keep rows imported before from a file of the same name"
        )
        parser.add_argument("--quiet-progress", action="store_true", help="no progress bar")

    def run_import(self, file: Path, *, append: bool, quiet_progress: bool) -> ImportReport:
        raise NotImplementedError

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / max(total, 1))
        bar = f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} {self.what}"
        # On stderr, so stdout keeps the one summary line a script can read.
        self.stderr.write(bar, style_func=str, ending="\n" if done >= total else "")
        self.stderr.flush()

    def handle(self, *args, file: Path, append: bool = False, quiet_progress: bool = False, **opts):
        if not file.exists():
            raise CommandError(f"{file}: no such file", returncode=2)
        self.progress = None if quiet_progress else self._progress
        try:
            report = self.run_import(file, append=append, quiet_progress=quiet_progress)
        except GisFileError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        for line in report.errors[:MAX_ERRORS_SHOWN]:
            self.stderr.write(line)
        if report.skipped > MAX_ERRORS_SHOWN:
            self.stderr.write(f"... and {report.skipped - MAX_ERRORS_SHOWN} more bad rows")
        self.stdout.write(f"{report.imported} {self.what} imported, {report.skipped} bad rows skipped")
        if report.imported == 0 and report.skipped:
            raise CommandError("no row could be imported", returncode=1)
