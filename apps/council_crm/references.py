"""Case references: short, human-friendly, unique under concurrency (FCC-26-000123)."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.council_crm.models import ReferenceCounter

_TABLE = ReferenceCounter._meta.db_table
_BUMP = (
    f"UPDATE {_TABLE} SET last_value = last_value + 1 "  # noqa: S608 - table name is ours
    "WHERE prefix = %s AND year = %s RETURNING last_value"
)


def format_reference(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year % 100:02d}-{number:06d}"


def _bump(prefix: str, year: int) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(_BUMP, [prefix, year])
        row = cursor.fetchone()
    return int(row[0]) if row else None


def next_reference(*, prefix: str | None = None, year: int | None = None) -> str:
    """Take the next number for (prefix, year) in the caller's transaction.

    The UPDATE takes the counter row's lock and returns the new value in one statement, so
    concurrent creators queue on the lock and each gets its own number; the number is only
    used if the caller's transaction commits (a rolled-back case leaves a gap, never a clash).
    """
    prefix = prefix or settings.CRM_SITE.reference_prefix
    year = year or timezone.localdate().year
    value = _bump(prefix, year)  # one statement: no savepoint needed on the common path
    if value is None:
        try:
            with transaction.atomic():
                ReferenceCounter.objects.create(prefix=prefix, year=year, last_value=1)
            value = 1
        except IntegrityError:
            # Another creator made the row first: queue on its lock like everyone else.
            value = _bump(prefix, year)
    if value is None:  # pragma: no cover - the row exists by now
        raise RuntimeError(f"reference counter {prefix}-{year} vanished")
    return format_reference(prefix, year, value)
