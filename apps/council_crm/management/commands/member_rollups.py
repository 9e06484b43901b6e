"""Rebuild the member portal's management information roll-ups now."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from apps.council_crm.selectors.member_mi import mi_warm
from apps.council_crm.services.rollups import rollups_rebuild


class Command(BaseCommand):
    help = (
        "Count the management information roll-ups again (whole days up to yesterday). The "
        "worker does this itself after midnight and every 6 hours; run it after loading or "
        "generating cases."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        run = rollups_rebuild()
        self.stdout.write(
            f"Roll-ups rebuilt up to {run.up_to}: {run.rows} rows in {run.took_ms / 1000:.1f} s."
        )
        started = time.perf_counter()
        pages = mi_warm()
        took = time.perf_counter() - started
        self.stdout.write(f"{pages} standard pages worked out into the cache in {took:.1f} s.")
