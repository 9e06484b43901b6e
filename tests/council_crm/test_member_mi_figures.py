# ruff: noqa: S608, DTZ007 - SQL built from our own constants; month labels parsed as dates
"""Every figure of the member portal's management information equals an independent SQL count.

The cases come from the synthetic generator; the expected figures are counted here with plain
SQL through `connection.cursor()` (UTC bounds of the site's days, no roll-up, no ORM), and the
page's figures (selectors.member_mi over services.rollups) must match wherever they are shown.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection, transaction

from apps.council_crm.demo.synthetic import cases_generate
from apps.council_crm.models import (
    Citizen,
    Councillor,
    Division,
    Interaction,
    SatisfactionSurvey,
    ServiceRequest,
    StateCategory,
)
from apps.council_crm.selectors.member_mi import Period, mi_for, months_back
from apps.council_crm.services.rollups import rollups_rebuild
from apps.council_crm.services.site_setup import site_load

pytestmark = pytest.mark.slow

NOW = datetime(2026, 6, 15, 11, 30, tzinfo=UTC)
TZ = ZoneInfo(settings.CRM_SITE.timezone)
THRESHOLD = settings.CRM_SITE.small_number_threshold


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        site_load(site=settings.CRM_SITE)
        cases_generate(count=1500, seed=11, now=NOW, months=15)
        rng = random.Random(5)
        resolved = list(ServiceRequest.objects.filter(resolved_at__isnull=False)[:900])
        for i, case in enumerate(resolved):
            SatisfactionSurvey.objects.create(
                case=case,
                token=f"t{i}",
                score=rng.choice([1, 2, 3, 4, 4, 5, 5, 5]),
                sent_at=case.resolved_at,
                answered_at=case.resolved_at + timedelta(days=rng.randint(0, 5)),
            )
        citizen = Citizen.objects.first()
        for _ in range(300):
            Interaction.objects.create(
                citizen=citizen,
                channel=rng.choice(["phone", "email", "face_to_face"]),
                direction="inbound",
                summary="asked",
                outcome=rng.choice(["resolved", "resolved", "referred"]),
                created_at=NOW - timedelta(days=rng.randint(1, 400), hours=rng.randint(0, 23)),
            )
        rollups_rebuild(now=NOW)
        user = Councillor.objects.filter(divisions__isnull=False).first().user
        yield user
        transaction.set_rollback(True)


def bounds(period: Period) -> tuple[str, str]:
    """The period's first and last instants as SQL text in UTC (how Django stores them)."""

    def utc(day: date) -> str:
        moment = datetime.combine(day, time.min, tzinfo=TZ).astimezone(UTC)
        if connection.vendor == "postgresql":
            return moment.isoformat()
        return moment.replace(tzinfo=None).isoformat(" ")

    return utc(period.start), utc(period.end + timedelta(days=1))


def sql(query: str, params: list[object]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def where_division(division: Division | None) -> tuple[str, list[object]]:
    return ("AND c.division_id = %s", [division.pk]) if division else ("", [])


def days_sql() -> str:
    if connection.vendor == "postgresql":
        return "FLOOR(EXTRACT(EPOCH FROM (c.resolved_at - c.created_at)) / 86400)"
    return "CAST(julianday(c.resolved_at) - julianday(c.created_at) AS INTEGER)"


def shown(table) -> dict[tuple[str, str], int | None]:
    return {
        (label, column): value
        for label, cells in table.rows
        for column, value in zip(table.columns, cells, strict=True)
    }


def check(table, expected: dict[tuple[str, str], int]) -> int:
    """Every shown cell equals the SQL count; every small count is hidden. Returns the cells
    compared."""
    cells = shown(table)
    if "Total" in table.columns:
        for label, _cells in table.rows:
            expected = {
                **expected,
                (label, "Total"): sum(
                    n for (row, _col), n in expected.items() if row == label and _col != "Total"
                ),
            }
    compared = 0
    for (label, column), value in cells.items():
        want = expected.get((label, column), 0)
        if value is None:
            continue
        assert value == want, (table.slug, label, column, value, want)
        compared += 1
    for key, want in expected.items():
        if 0 < want < THRESHOLD:
            assert cells.get(key) is None, (table.slug, key, want)
    return compared


@pytest.fixture(params=["division", "council"])
def scope(request, world):
    if request.param == "council":
        return None
    return Division.objects.filter(pk__in=world.councillor.divisions.values("pk")).first()


@pytest.mark.django_db
def test_every_figure_equals_an_independent_sql_count(world, scope):
    # given a year of figures up to yesterday
    up_to = NOW.astimezone(TZ).date() - timedelta(days=1)
    period = months_back(up_to, 12)
    start, end = bounds(period)
    where, wparams = where_division(scope)
    # when the page's figures are read
    mi = mi_for(user=world, division=scope, period=period)
    tables = {t.slug: t for t in mi.tables}
    compared = 0

    # then: volumes by category and state
    rows = sql(
        "SELECT k.name, s.state, COUNT(*) FROM council_crm_servicerequest c "
        "JOIN council_crm_servicecategory k ON k.id = c.category_id "
        "JOIN council_crm_casestatus s ON s.id = c.status_id "
        f"WHERE c.created_at >= %s AND c.created_at < %s {where} GROUP BY k.name, s.state",
        [start, end, *wparams],
    )
    labels = {s.value: str(s.label) for s in StateCategory}
    expected = {(name, labels[state]): n for name, state, n in rows}
    total = sum(expected.values())
    compared += check(tables["volumes"], expected)
    footer = tables["volumes"].footer
    assert footer[1][-1] in (None, total)

    # channels, and the divisions (the choropleth) for the whole council
    rows = sql(
        "SELECT c.channel, COUNT(*) FROM council_crm_servicerequest c "
        f"WHERE c.created_at >= %s AND c.created_at < %s {where} GROUP BY c.channel",
        [start, end, *wparams],
    )
    from apps.council_crm.models import Channel

    compared += check(
        tables["channels"], {(str(Channel(ch).label), "Requests"): n for ch, n in rows}
    )
    rows = sql(
        "SELECT d.name, COUNT(*) FROM council_crm_servicerequest c "
        "JOIN council_crm_division d ON d.id = c.division_id "
        "WHERE c.created_at >= %s AND c.created_at < %s GROUP BY d.name",
        [start, end],
    )
    compared += check(tables["divisions"], {(name, "Requests"): n for name, n in rows})

    # age bands of the people reporting
    rows = sql(
        "SELECT COALESCE(p.age_band, ''), COUNT(*) FROM council_crm_servicerequest c "
        "LEFT JOIN council_crm_citizen p ON p.id = c.citizen_id "
        f"WHERE c.created_at >= %s AND c.created_at < %s {where} "
        "GROUP BY COALESCE(p.age_band, '')",
        [start, end, *wparams],
    )
    from apps.council_crm.models import AgeBand

    names = {a.value: str(a.label) for a in AgeBand} | {"": "Not given"}
    compared += check(tables["ages"], {(names[a], "Requests"): n for a, n in rows})

    # month by month: received and resolved
    for month_label, cells in tables["trend"].rows:
        first = datetime.strptime(month_label, "%b %Y").date()
        lo = max(first, period.start)
        hi = min(
            (first.replace(day=28) + timedelta(days=4)).replace(day=1),
            period.end + timedelta(days=1),
        )
        m_start, m_end = bounds(Period(lo, hi - timedelta(days=1)))
        got = sql(
            "SELECT "
            "(SELECT COUNT(*) FROM council_crm_servicerequest c WHERE c.created_at >= %s "
            f"AND c.created_at < %s {where}), "
            "(SELECT COUNT(*) FROM council_crm_servicerequest c WHERE c.resolved_at >= %s "
            f"AND c.resolved_at < %s {where})",
            [m_start, m_end, *wparams, m_start, m_end, *wparams],
        )[0]
        for value, want in zip(cells, got, strict=True):
            assert value in (None, want), (month_label, value, want)
            assert not (0 < want < THRESHOLD and value is not None)
            compared += value is not None

    # service standards and time to resolve, by category
    rows = sql(
        "SELECT k.name, COUNT(*), SUM(CASE WHEN c.sla_breached_at IS NULL THEN 0 ELSE 1 END) "
        "FROM council_crm_servicerequest c JOIN council_crm_servicecategory k "
        "ON k.id = c.category_id "
        f"WHERE c.resolved_at >= %s AND c.resolved_at < %s {where} GROUP BY k.name",
        [start, end, *wparams],
    )
    expected = {}
    for name, n, late in rows:
        expected[(name, "Within the standard")] = n - late
        expected[(name, "Late")] = late
    compared += check(tables["sla"], expected)
    for name, cells in tables["time"].rows:
        if cells[0] is None:
            continue
        n, avg = sql(
            "SELECT COUNT(*), AVG("
            + days_sql().replace("FLOOR(", "(").replace("CAST(", "(").replace(" AS INTEGER)", ")")
            + ") FROM council_crm_servicerequest c "
            "JOIN council_crm_servicecategory k ON k.id = c.category_id "
            f"WHERE k.name = %s AND c.resolved_at >= %s AND c.resolved_at < %s {where}",
            [name, start, end, *wparams],
        )[0]
        assert abs(float(cells[0]) - float(avg)) < 0.051, (name, cells[0], avg)
        (p90,) = sql(
            f"SELECT {days_sql()} AS d FROM council_crm_servicerequest c "
            "JOIN council_crm_servicecategory k ON k.id = c.category_id "
            f"WHERE k.name = %s AND c.resolved_at >= %s AND c.resolved_at < %s {where} "
            "ORDER BY d LIMIT 1 OFFSET %s",
            [name, start, end, *wparams, math.ceil(0.9 * n) - 1],
        )[0]
        assert cells[1] == int(p90), (name, cells[1], p90)
        compared += 2

    # satisfaction answers by score
    rows = sql(
        "SELECT a.score, COUNT(*) FROM council_crm_satisfactionsurvey a "
        "JOIN council_crm_servicerequest c ON c.id = a.case_id "
        f"WHERE a.answered_at >= %s AND a.answered_at < %s {where} GROUP BY a.score",
        [start, end, *wparams],
    )
    compared += check(tables["satisfaction"], {(str(s), "Answers"): n for s, n in rows})

    # contacts resolved at first contact (council-wide)
    rows = sql(
        "SELECT i.channel, SUM(CASE WHEN i.outcome = 'resolved' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN i.outcome = 'resolved' THEN 0 ELSE 1 END) "
        "FROM council_crm_interaction i WHERE i.outcome <> '' "
        "AND i.created_at >= %s AND i.created_at < %s GROUP BY i.channel",
        [start, end],
    )
    expected = {}
    for ch, resolved, other in rows:
        expected[(str(Channel(ch).label), "Resolved at first contact")] = resolved
        expected[(str(Channel(ch).label), "Other outcomes")] = other
    compared += check(tables["first-contact"], expected)

    # the heat grid: every square shown equals its SQL count
    from apps.council_crm.heatgrid import LAT_STEP, LON_STEP

    rows = sql(
        f"SELECT CAST(FLOOR(c.latitude / {LAT_STEP}) AS INTEGER), "
        f"CAST(FLOOR(c.longitude / {LON_STEP}) AS INTEGER), COUNT(*) "
        "FROM council_crm_servicerequest c WHERE c.latitude IS NOT NULL "
        f"AND c.created_at >= %s AND c.created_at < %s {where} GROUP BY 1, 2",
        [start, end, *wparams],
    )
    squares = {f"{r}:{c}": n for r, c, n in rows}
    for cell in mi.grid:
        assert cell["count"] == squares[cell["key"]]
        assert cell["count"] >= THRESHOLD
        compared += 1
    assert compared > 50
