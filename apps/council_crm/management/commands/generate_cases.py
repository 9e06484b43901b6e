"""Generate realistic synthetic cases for the loaded site (demo data, load tests)."""

import time
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_datetime

from apps.council_crm.demo.synthetic import SyntheticDataError, cases_generate


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Generate N synthetic cases (with citizens, timelines, contacts and consents) spread "
        "over the last few years. Run `load_site` first. Not for a live council: it writes in "
        "bulk, without history or notifications."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=positive_int, required=True, help="Cases to create.")
        parser.add_argument("--seed", type=int, default=0, help="Random seed (default 0).")
        parser.add_argument("--years", type=positive_int, default=4, help="Years of history.")
        parser.add_argument(
            "--batch", type=positive_int, default=5000, help="Cases per transaction (default 5000)."
        )
        parser.add_argument(
            "--now",
            help="Pretend it is this ISO 8601 time, with offset (reproducible data); "
            "default: the current time.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now: datetime | None = None
        if options["now"]:
            now = parse_datetime(options["now"])
            if now is None or now.tzinfo is None:
                raise CommandError("--now must be an ISO 8601 date and time with an offset.")
        count = options["count"]
        started = time.monotonic()

        def progress(done: int) -> None:
            elapsed = max(time.monotonic() - started, 1e-6)
            self.stdout.write(f"{done:>10,} / {count:,} cases  ({done / elapsed:,.0f} cases/s)")

        try:
            made = cases_generate(
                count=count,
                seed=options["seed"],
                years=options["years"],
                batch_size=options["batch"],
                now=now,
                progress=progress,
            )
        except SyntheticDataError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = max(time.monotonic() - started, 1e-6)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {made:,} cases in {elapsed:.1f} s ({made / elapsed:,.0f} cases/s)."
            )
        )
