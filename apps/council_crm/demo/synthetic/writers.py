"""Synthetic cases: writing the rows in bulk (executemany on SQLite, COPY on PostgreSQL).

The rows bypass ``save()`` and ``bulk_create``, so no simple-history rows are written; a
background writer thread commits one batch while the generator draws the next.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import connection, models

from apps.council_crm.demo.synthetic.errors import SyntheticDataError

# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------

# The columns each generated row fills, in the order the generator builds its tuples.
CITIZEN_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "address",
    "postcode",
    "preferred_channel",
    "preferred_language",
    "age_band",
    "created_at",
    "updated_at",
)
CASE_FIELDS = (
    "reference",
    "category_id",
    "status_id",
    "description",
    "answers",
    "latitude",
    "longitude",
    "address",
    "division_id",
    "channel",
    "citizen_id",
    "is_anonymous",
    "raised_by_id",
    "on_behalf_of_id",
    "raised_as",
    "team_id",
    "assignee_id",
    "priority",
    "sla_due_at",
    "promised_date",
    "sla_paused_at",
    "sla_breached_at",
    "created_at",
    "updated_at",
    "resolved_at",
    "closed_at",
)
EVENT_FIELDS = (
    "case_id",
    "kind",
    "is_public",
    "message",
    "data",
    "actor_id",
    "on_behalf_of_id",
    "created_at",
)
INTERACTION_FIELDS = (
    "citizen_id",
    "case_id",
    "channel",
    "direction",
    "summary",
    "staff_id",
    "created_at",
)
CONSENT_FIELDS = (
    "citizen_id",
    "purpose",
    "scope",
    "case_id",
    "channel",
    "wording_version",
    "evidence",
    "granted_at",
)


class _Table:
    """Multi-row INSERTs for one model: executemany on SQLite, COPY on PostgreSQL.

    bulk_create runs every value of every row through the field API, which held it to a few
    hundred cases a second here; these rows are built already in the driver's types. The
    generator gives values for ``names``; every other column gets its field's default,
    prepared once, so a column added to the model later is filled (or fails loudly).
    """

    def __init__(self, model: type[models.Model], names: Sequence[str], explicit_id: bool) -> None:
        meta = model._meta
        fields = {f.attname: f for f in meta.concrete_fields}
        unknown = [n for n in names if n not in fields]
        if unknown:
            raise SyntheticDataError(f"{meta.label} has no field {', '.join(unknown)}")
        pk = meta.pk
        assert pk is not None  # noqa: S101 - every concrete model has one
        rest = [f for f in meta.concrete_fields if f.attname not in names and f is not pk]
        self.table = meta.db_table
        self.pk_column = pk.column
        self.constants = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
        columns = ([pk.column] if explicit_id else []) + [fields[n].column for n in names]
        columns += [f.column for f in rest]
        quote = connection.ops.quote_name
        column_sql = ", ".join(quote(c) for c in columns)
        placeholders = ", ".join(["%s"] * len(columns))
        # Names come from the model's _meta, quoted; values are always parameters.
        table = quote(self.table)
        self.insert_sql = f"INSERT INTO {table} ({column_sql}) VALUES ({placeholders})"  # noqa: S608
        self.copy_sql = f"COPY {table} ({column_sql}) FROM STDIN"

    def write(self, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        constants = self.constants
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row + constants)
            else:
                cursor.executemany(self.insert_sql, [row + constants for row in rows])


class _Ids:
    """Primary keys handed out before the rows are written, so children can point at them."""

    def __init__(self, table: _Table, block: int) -> None:
        self.block = max(block, 100)
        self._free: list[int] = []
        self._next = 0
        self._sqlite = connection.vendor == "sqlite"
        with connection.cursor() as cursor:
            if self._sqlite:
                # AUTOINCREMENT never reuses a number: start past the highest ever issued.
                cursor.execute(f"SELECT MAX({table.pk_column}) FROM {table.table}")  # noqa: S608
                top = cursor.fetchone()[0] or 0
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table.table])
                row = cursor.fetchone()
                self._next = max(top, row[0] if row else 0) + 1
            elif connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT pg_get_serial_sequence(%s, %s)", [table.table, table.pk_column]
                )
                self._sequence = cursor.fetchone()[0]
            else:
                raise SyntheticDataError("Synthetic data needs SQLite or PostgreSQL.")

    def take(self) -> int:
        if self._sqlite:
            self._next += 1
            return self._next - 1
        if not self._free:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(%s) FROM generate_series(1, %s)", [self._sequence, self.block]
                )
                self._free = sorted((r[0] for r in cursor.fetchall()), reverse=True)
        return self._free.pop()


@dataclass
class _Batch:
    citizens: list[tuple[Any, ...]] = field(default_factory=list)
    cases: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    interactions: list[tuple[Any, ...]] = field(default_factory=list)
    consents: list[tuple[Any, ...]] = field(default_factory=list)
    years: dict[int, int] = field(default_factory=dict)


def _sqlite_time(value: datetime | None) -> str | None:
    """A naive UTC datetime as Django stores it in SQLite (adapt_datetimefield_value)."""
    return None if value is None else value.isoformat(" ")


def _aware_time(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=UTC)


def _same(value: Any) -> Any:
    return value


def _can_write_in_background() -> bool:
    """A second connection sees the reference data only outside a transaction, on a real file."""
    if connection.in_atomic_block:
        return False
    if connection.vendor == "sqlite":
        # SQLite's wrapper has is_in_memory_db; the stubs type `connection` as the base class.
        return not connection.is_in_memory_db()  # type: ignore[attr-defined]
    return connection.vendor == "postgresql"


class _Writer(threading.Thread):
    """Writes batches on its own connection while the next batch is drawn.

    The database does its share of the work (indexes, constraint checks) on the other core;
    batches are committed in the order they were drawn, one transaction each.
    """

    def __init__(
        self, write: Callable[[_Batch], int], progress: Callable[[int], None] | None
    ) -> None:
        super().__init__(name="synthetic-cases-writer", daemon=True)
        self._write = write
        self._progress = progress
        self._queue: queue.Queue[_Batch | None] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._done = 0
        self.start()

    def run(self) -> None:
        try:
            while (batch := self._queue.get()) is not None:
                if self._error is not None:
                    continue  # drain, so that the producer never blocks
                try:
                    self._done += self._write(batch)
                    if self._progress:
                        self._progress(self._done)
                except BaseException as exc:  # handed to the producer by put() / finish()
                    self._error = exc
        finally:
            connection.close()

    def put(self, batch: _Batch) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(batch)

    def finish(self) -> int:
        self._queue.put(None)
        self.join()
        if self._error is not None:
            raise self._error
        return self._done

    def abandon(self) -> None:
        self._queue.put(None)
        self.join()
