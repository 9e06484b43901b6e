"""Import an earlier register of notices of motion from CSV (see docs/motions-import.md)."""

from __future__ import annotations

import csv
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.council_crm.motions.csv_import import import_rows


class Command(BaseCommand):
    help = (
        "Import motions, replies, actions and progress notes from a CSV file. Each row is "
        "checked; bad rows are reported and skipped. Running the same file again changes nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="the CSV file (UTF-8, header row)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, but save nothing"
        )

    def handle(self, *args: Any, path: Path, dry_run: bool, **options: Any) -> None:
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                report = import_rows(rows=csv.DictReader(fh), actor=None, dry_run=dry_run)
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        for row in report.errors:
            for column, messages in row.errors.items():
                for message in messages:
                    self.stderr.write(f"line {row.line} ({row.reference}) {column}: {message}")
        prefix = "dry run, nothing saved: " if dry_run else ""
        self.stdout.write(
            f"{prefix}{report.total('created')} created, {report.total('updated')} updated, "
            f"{report.total('unchanged')} unchanged, {len(report.errors)} rows with errors"
        )
        if report.errors:
            raise CommandError(f"{len(report.errors)} rows could not be imported")
