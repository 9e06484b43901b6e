"""Case references: short, human-friendly, unique under concurrency (FCC-26-000123)."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from apps.council_crm.models import ReferenceCounter


def format_reference(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year % 100:02d}-{number:06d}"


def next_reference(*, prefix: str | None = None, year: int | None = None) -> str:
    """Take the next number for (prefix, year) in the caller's transaction.

    The UPDATE takes the counter row's lock, so concurrent creators queue on it and each
    reads back its own value; the number is only used if the caller's transaction commits,
    so a rolled-back case leaves no gap-filling race, only a gap.
    """
    prefix = prefix or settings.CRM_SITE.reference_prefix
    year = year or timezone.localdate().year
    with transaction.atomic():
        updated = ReferenceCounter.objects.filter(prefix=prefix, year=year).update(
            last_value=F("last_value") + 1
        )
        if not updated:
            try:
                with transaction.atomic():
                    ReferenceCounter.objects.create(prefix=prefix, year=year, last_value=1)
                return format_reference(prefix, year, 1)
            except IntegrityError:
                # Another creator made the row first: queue on its lock like everyone else.
                ReferenceCounter.objects.filter(prefix=prefix, year=year).update(
                    last_value=F("last_value") + 1
                )
        value = ReferenceCounter.objects.get(prefix=prefix, year=year).last_value
    return format_reference(prefix, year, value)
