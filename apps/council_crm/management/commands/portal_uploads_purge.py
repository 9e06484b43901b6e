"""Delete photos chosen in report journeys that were never sent."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand

from apps.council_crm.services.intake import abandoned_uploads_purge


class Command(BaseCommand):
    help = (
        "Delete photos waiting for a report that was never sent, once they are older than "
        "--hours (default 48). Run it daily."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--hours", type=float, default=48.0)

    def handle(self, *args: Any, hours: float, **options: Any) -> None:
        removed = abandoned_uploads_purge(older_than=timedelta(hours=hours))
        self.stdout.write(f"Removed {removed} photo(s) from abandoned reports.")
