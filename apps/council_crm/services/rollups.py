"""Rebuilds the member portal's management information roll-ups (models.MemberRollup).

The figures are counted in SQL, a day and a month at a time, for each division and for the
whole council, over whole days up to yesterday (the site's days). A case counts on the day it
was received (by the state it is in now) and again on the day it was resolved; so the whole
table is rebuilt each time (a case received last year may close today). The page reads whole
months and the days at either end of its period (ADR 0026).
"""

from __future__ import annotations

import logging
import time
from datetime import date, datetime, timedelta
from datetime import time as day_time
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from apps.council_crm.heatgrid import LAT_STEP, LON_STEP
from apps.council_crm.models import (
    CaseStatus,
    Citizen,
    Interaction,
    MemberRollup,
    MemberRollupRun,
    SatisfactionSurvey,
    ServiceRequest,
    User,
)

logger = logging.getLogger(__name__)

# Rebuilt by the periodic run when the day has turned or the last rebuild is this old.
REBUILD_EVERY = timedelta(hours=6)

_COLUMNS = "grain, day, kind, division_id, category_id, key, count, late, seconds"


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _local_date(column: str) -> tuple[str, list[object]]:
    sql, params = connection.ops.datetime_cast_date_sql(
        column, [], timezone.get_current_timezone_name()
    )
    return sql, list(params)


def _month(day_sql: str, params: list[object]) -> tuple[str, list[object]]:
    sql, out = connection.ops.date_trunc_sql("month", day_sql, tuple(params))
    if connection.vendor == "postgresql":
        sql = f"CAST({sql} AS DATE)"
    return sql, list(out)


def _elapsed(start: str, end: str) -> tuple[str, str]:
    """SQL for (whole days, seconds) from `start` to `end`."""
    if connection.vendor == "postgresql":
        epoch = f"EXTRACT(EPOCH FROM ({end} - {start}))"
        return f"CAST(FLOOR({epoch} / 86400) AS INTEGER)", f"CAST({epoch} AS BIGINT)"
    days = f"(julianday({end}) - julianday({start}))"
    return f"CAST({days} AS INTEGER)", f"CAST(ROUND({days} * 86400) AS INTEGER)"


def _text(sql: str) -> str:
    return f"CAST({sql} AS TEXT)"


def _insert_grouped(
    cursor: object,
    *,
    kind: str,
    source: str,
    params: list[object],
    category: bool,
    key: str,
    late: str = "0",
    seconds: str = "0",
    by_division: bool = True,
) -> None:
    """From a source of rows (day, month, division_id, category_id, ...), insert the day and month
    counts for each division and for the whole council."""
    cat = "category_id" if category else "CAST(NULL AS BIGINT)"
    parts = []
    for grain, day in (("d", "day"), ("m", "month")):
        scopes = [("division_id", "division_id IS NOT NULL"), ("CAST(NULL AS BIGINT)", "1 = 1")]
        if not by_division:
            scopes = scopes[1:]
        for division, where in scopes:
            group = ", ".join(
                x
                for x in (
                    day,
                    division if division == "division_id" else "",
                    cat if category else "",
                    key,
                )
                if x
            )
            parts.append(
                f"SELECT '{grain}', {day}, '{kind}', {division}, {cat}, {key}, COUNT(*), "  # noqa: S608 - our tables and columns
                f"SUM({late}), SUM({seconds}) FROM ({source}) AS f WHERE {where} GROUP BY {group}"
            )
    sql = f"INSERT INTO {_table(MemberRollup)} ({_COLUMNS}) " + " UNION ALL ".join(parts)
    cursor.execute(sql, params * len(parts))  # type: ignore[attr-defined]


@transaction.atomic
def rollups_rebuild(*, actor: User | None = None, now: datetime | None = None) -> MemberRollupRun:
    """Count everything again, up to the end of yesterday; returns the run's record.

    `actor` is who asked (None: the periodic run); the roll-ups hold counts only, no personal
    data, so no audit row is written. One transaction: the page reads the old figures until
    the new ones are committed."""
    started = time.perf_counter()
    now = now or timezone.now()
    up_to = timezone.localdate(now) - timedelta(days=1)
    tz = timezone.get_current_timezone()
    end = datetime.combine(up_to + timedelta(days=1), day_time.min, tzinfo=tz)
    cases = _table(ServiceRequest)
    statuses = _table(CaseStatus)
    citizens = _table(Citizen)
    created, created_params = _local_date("c.created_at")
    month, month_params = _month(created, created_params)
    resolved, resolved_params = _local_date("c.resolved_at")
    resolved_month, resolved_month_params = _month(resolved, resolved_params)
    days, seconds = _elapsed("c.created_at", "c.resolved_at")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table(MemberRollup)}")  # noqa: S608 - our tables and columns
        received = (
            f"SELECT {created} AS day, {month} AS month, c.division_id, c.category_id, "  # noqa: S608 - our tables and columns
            f"s.state AS state, c.channel AS channel, COALESCE(p.age_band, '') AS age, "
            f"CAST(FLOOR(c.latitude / {LAT_STEP}) AS INTEGER) AS cell_row, "
            f"CAST(FLOOR(c.longitude / {LON_STEP}) AS INTEGER) AS cell_col, c.latitude "
            f"FROM {cases} c JOIN {statuses} s ON s.id = c.status_id "
            f"LEFT JOIN {citizens} p ON p.id = c.citizen_id WHERE c.created_at < %s"
        )
        # The facts once, in a temporary table: each kind then groups them without the joins.
        cursor.execute("DROP TABLE IF EXISTS mi_received")
        cursor.execute(
            "CREATE TEMPORARY TABLE mi_received (day DATE, month DATE, division_id BIGINT, "
            "category_id BIGINT, state VARCHAR(16), channel VARCHAR(16), age VARCHAR(16), "
            "cell_row INTEGER, cell_col INTEGER, latitude DOUBLE PRECISION)"
        )
        facts: list[Any] = [*created_params, *month_params, end]
        cursor.execute(f"INSERT INTO mi_received {received}", facts)
        received = "SELECT * FROM mi_received"
        received_params: list[object] = []
        for kind, by_category, key in (
            ("received", True, "state"),
            ("channel", False, "channel"),
            ("age", False, "age"),
        ):
            _insert_grouped(
                cursor=cursor,
                source=received,
                params=received_params,
                kind=kind,
                category=by_category,
                key=key,
            )
        cell_source = "SELECT * FROM mi_received WHERE latitude IS NOT NULL"
        cell_key = "cell_row || ':' || cell_col"
        _insert_grouped(
            cursor=cursor,
            source=cell_source,
            params=received_params,
            kind="cell",
            category=False,
            key=cell_key,
        )
        cursor.execute("DROP TABLE mi_received")
        closed = (
            f"SELECT {resolved} AS day, {resolved_month} AS month, c.division_id, c.category_id, "  # noqa: S608 - our tables and columns
            f"{_text(days)} AS bucket, CASE WHEN c.sla_breached_at IS NULL THEN 0 ELSE 1 END "
            f"AS late, {seconds} AS seconds FROM {cases} c "
            f"WHERE c.resolved_at IS NOT NULL AND c.resolved_at < %s"
        )
        _insert_grouped(
            cursor=cursor,
            source=closed,
            params=[*resolved_params, *resolved_month_params, end],
            kind="resolved",
            category=True,
            key="bucket",
            late="late",
            seconds="seconds",
        )
        answered, answered_params = _local_date("a.answered_at")
        answered_month, answered_month_params = _month(answered, answered_params)
        surveys = (
            f"SELECT {answered} AS day, {answered_month} AS month, c.division_id, "  # noqa: S608 - our tables and columns
            f"{_text('a.score')} AS score FROM {_table(SatisfactionSurvey)} a "
            f"JOIN {cases} c ON c.id = a.case_id "
            f"WHERE a.answered_at < %s AND a.score IS NOT NULL"
        )
        _insert_grouped(
            cursor=cursor,
            source=surveys,
            params=[*answered_params, *answered_month_params, end],
            kind="satisfaction",
            category=False,
            key="score",
        )
        logged, logged_params = _local_date("i.created_at")
        logged_month, logged_month_params = _month(logged, logged_params)
        contacts = (
            f"SELECT {logged} AS day, {logged_month} AS month, "  # noqa: S608 - our tables
            f"CAST(NULL AS BIGINT) AS division_id, "
            f"i.channel || ':' || i.outcome AS what FROM {_table(Interaction)} i "
            f"WHERE i.created_at < %s AND i.outcome <> ''"
        )
        _insert_grouped(
            cursor=cursor,
            source=contacts,
            params=[*logged_params, *logged_month_params, end],
            kind="contact",
            category=False,
            key="what",
            by_division=False,
        )
    rows = MemberRollup.objects.count()
    took = round((time.perf_counter() - started) * 1000)
    run, _ = MemberRollupRun.objects.update_or_create(
        pk=1,
        defaults={"up_to": up_to, "finished_at": timezone.now(), "took_ms": took, "rows": rows},
    )
    logger.info("Member roll-ups rebuilt up to %s: %s rows in %s ms", up_to, rows, took)
    return run


def rollups_due(*, now: datetime | None = None) -> bool:
    """Whether the roll-ups should be rebuilt: the day has turned since the last rebuild, or it
    is REBUILD_EVERY old (states move on during the day), or there has been none."""
    now = now or timezone.now()
    last = MemberRollupRun.objects.filter(pk=1).first()
    yesterday: date = timezone.localdate(now) - timedelta(days=1)
    return last is None or last.up_to < yesterday or last.finished_at <= now - REBUILD_EVERY
