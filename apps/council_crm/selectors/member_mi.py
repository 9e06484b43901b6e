"""Management information for councillors: anonymised counts from the daily roll-ups.

Every figure is a count over all cases of a division (or of the council), never a case: no
name, address, free text or reference. Each table goes through suppression.suppress (primary
and secondary); figures shown in two places on one page come from one suppressed table or are
hidden together, so that no total minus the shown cells gives a hidden one away (ADR 0026).
"""

from __future__ import annotations

import calendar
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.council_crm.heatgrid import cell_bounds, cell_centre
from apps.council_crm.models import (
    AgeBand,
    Channel,
    Division,
    GazetteerEntry,
    Interaction,
    MemberRollup,
    MemberRollupRun,
    Role,
    ServiceCategory,
    StateCategory,
    User,
)
from apps.council_crm.permissions import can_read_mi, member_divisions
from apps.council_crm.suppression import SuppressedTable, suppress

Kind = MemberRollup.Kind
STATES = [
    StateCategory.NEW,
    StateCategory.OPEN,
    StateCategory.PAUSED,
    StateCategory.RESOLVED,
    StateCategory.CLOSED,
]
PERIODS = {"month": 1, "quarter": 3, "year": 12}
TOP_LOCATIONS = 10


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included

    def months(self) -> list[date]:
        out, month = [], self.start.replace(day=1)
        while month <= self.end:
            out.append(month)
            month = _next_month(month)
        return out


def _next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def months_back(up_to: date, months: int) -> Period:
    """The `months` months up to and including `up_to` (a month: 7 Nov to 6 Dec)."""
    year, month0 = divmod(up_to.year * 12 + up_to.month - 1 - months, 12)
    day = min(up_to.day, calendar.monthrange(year, month0 + 1)[1])
    return Period(start=date(year, month0 + 1, day) + timedelta(days=1), end=up_to)


def freshness() -> MemberRollupRun | None:
    """The last rebuild of the roll-ups: figures count whole days up to its `up_to`."""
    return MemberRollupRun.objects.filter(pk=1).first()


def mi_divisions_for(user: User) -> list[Division]:
    """The divisions whose figures this user may read: a councillor's own (or those of the
    councillors a support officer acts for); every division for council managers."""
    if user.role in (Role.COUNCILLOR, Role.SUPPORT_OFFICER):
        return list(Division.objects.filter(pk__in=member_divisions(user)).order_by("name"))
    return list(Division.objects.order_by("name"))


Cell = int | str | None


@dataclass
class MiTable:
    """One table of figures, as shown (hidden cells are None) and as exported."""

    slug: str
    caption: str
    row_header: str
    columns: list[str]
    rows: list[tuple[str, list[int | str | None]]]
    footer: tuple[str, list[int | str | None]] | None = None
    chart: dict[str, object] | None = None
    note: str = ""
    hidden: int = 0

    def export_rows(self) -> list[list[str]]:
        def text(v: int | str | None) -> str:
            return "–" if v is None else str(v)

        lines = [[self.row_header, *self.columns]]
        lines += [[label, *map(text, cells)] for label, cells in self.rows]
        if self.footer:
            lines.append([self.footer[0], *map(text, self.footer[1])])
        return lines


@dataclass
class Mi:
    division: Division | None
    period: Period
    threshold: int
    tables: list[MiTable]
    choropleth: list[dict[str, Any]] = field(default_factory=list)
    grid: list[dict[str, Any]] = field(default_factory=list)

    def table(self, slug: str) -> MiTable:
        for table in self.tables:
            if table.slug == slug:
                return table
        raise Http404("No such table")


def _rows(
    kind: str, division: Division | None, period: Period, *, all_divisions: bool = False
) -> QuerySet[MemberRollup]:
    """The roll-up rows of a kind for the period: whole months, and days at either end."""
    full = [
        m
        for m in period.months()
        if m >= period.start and _next_month(m) - timedelta(days=1) <= period.end
    ]
    if full:
        days = Q(grain="d", day__gte=period.start, day__lt=full[0]) | Q(
            grain="d", day__gte=_next_month(full[-1]), day__lte=period.end
        )
        when = Q(grain="m", day__in=full) | days
    else:
        when = Q(grain="d", day__gte=period.start, day__lte=period.end)
    rows = MemberRollup.objects.filter(when, kind=kind)
    if all_divisions:
        return rows.filter(division__isnull=False)
    if division is None:
        return rows.filter(division__isnull=True)
    return rows.filter(division=division)


def _sums(rows: QuerySet[MemberRollup], *by: str) -> dict[tuple[Any, ...], tuple[int, int, int]]:
    out: dict[tuple[Any, ...], tuple[int, int, int]] = {}
    for row in (
        rows.order_by()
        .values(*by)
        .annotate(n=Sum("count"), late=Sum("late"), seconds=Sum("seconds"))
    ):
        out[tuple(row[b] for b in by)] = (row["n"], row["late"], row["seconds"])
    return out


def _table(
    slug: str,
    caption: str,
    row_header: str,
    labels: list[str],
    columns: list[str],
    counts: list[list[int]],
    threshold: int,
    *,
    hide_total: bool = False,
    total_column: bool = True,
) -> tuple[MiTable, SuppressedTable]:
    s = suppress(labels, columns, counts, threshold, hide_total=hide_total) if labels else None
    if s is None:
        table = MiTable(slug, caption, row_header, columns, [], None)
        return table, suppress([], columns, [], threshold)
    if total_column and len(columns) > 1:
        cols = [*columns, _("Total")]
        rows: list[tuple[str, list[Cell]]] = [
            (label, [*cells, tot]) for label, cells, tot in s.body
        ]
        footer: tuple[str, list[Cell]] = (_("Total"), [*s.column_totals, s.total])
    else:
        cols = list(columns)
        rows = [(label, list(cells)) for label, cells, _tot in s.body]
        footer = (_("Total"), list(s.column_totals))
    table = MiTable(slug, caption, row_header, cols, rows, footer, hidden=s.hidden)
    table.chart = {
        "labels": labels,
        "series": [
            {"label": c, "data": [cells[j] for cells in s.cells]} for j, c in enumerate(columns)
        ],
    }
    return table, s


CACHE_SECONDS = 7 * 3600  # longer than between two rebuilds: a new rebuild is a new key


def mi_for(*, user: User, division: Division | None, period: Period) -> Mi:
    """Every table of the management information page, suppressed: for this user only if they
    may read this division (404 otherwise); the same figures for everyone who may, so they are
    kept in the cache under the roll-ups' rebuild time (warmed by `mi_warm` after a rebuild)."""
    if not can_read_mi(user):
        raise Http404
    if division is not None and division.pk not in {d.pk for d in mi_divisions_for(user)}:
        raise Http404("No such division")
    key = _cache_key(division, period)
    found = cache.get(key) if key else None
    if isinstance(found, Mi):
        return found
    result = _mi(division, period)
    if key:
        cache.set(key, result, CACHE_SECONDS)
    return result


def _cache_key(division: Division | None, period: Period) -> str | None:
    run = freshness()
    if run is None:
        return None
    return (
        f"council_crm:mi:{run.finished_at.timestamp():.0f}:{get_language()}:"
        f"{division.pk if division else 'council'}:{period.start}:{period.end}"
    )


def mi_warm() -> int:
    """Work out the standard periods of every division and of the council into the cache (after
    a rebuild, by the worker), so that councillors' first views read them. Returns how many."""
    run = freshness()
    if run is None:
        return 0
    done = 0
    for division in [None, *Division.objects.order_by("name")]:
        for months in PERIODS.values():
            period = months_back(run.up_to, months)
            key = _cache_key(division, period)
            if key:
                cache.set(key, _mi(division, period), CACHE_SECONDS)
                done += 1
    return done


def _mi(division: Division | None, period: Period) -> Mi:
    threshold = settings.CRM_SITE.small_number_threshold
    tables: list[MiTable] = []
    categories = dict(ServiceCategory.objects.values_list("pk", "name"))

    # Divisions first: the choropleth shows every division's total, so a division hidden there
    # is hidden on its own tables too.
    per_division = _sums(_rows(Kind.CHANNEL, None, period, all_divisions=True), "division_id")
    council_total = _rows(Kind.CHANNEL, None, period).aggregate(n=Sum("count"))["n"] or 0
    divisions = list(Division.objects.order_by("name"))
    labels = [d.name for d in divisions]
    counts = [[per_division.get((d.pk,), (0, 0, 0))[0]] for d in divisions]
    outside = council_total - sum(c[0] for c in counts)
    if outside:
        labels.append(_("Not in a division"))
        counts.append([outside])
    div_table, div_s = _table(
        "divisions",
        _("Requests received by division"),
        _("Division"),
        labels,
        [_("Requests")],
        counts,
        threshold,
    )
    shown = {d.pk: div_s.cells[i][0] for i, d in enumerate(divisions)} if divisions else {}
    hide_scope_total = division is not None and shown.get(division.pk) is None
    choropleth = [{"code": d.code, "name": d.name, "count": shown.get(d.pk)} for d in divisions]

    # Volumes by category and state.
    received = _sums(_rows(Kind.RECEIVED, division, period), "category_id", "key")
    cat_ids = sorted({c for c, _k in received}, key=lambda c: categories.get(c, ""))
    state_labels = [str(StateCategory(s).label) for s in STATES]
    volumes, _v = _table(
        "volumes",
        _("Requests received by type and state now"),
        _("Type of problem"),
        [categories[c] for c in cat_ids],
        state_labels,
        [[received.get((c, s.value), (0, 0, 0))[0] for s in STATES] for c in cat_ids],
        threshold,
        hide_total=hide_scope_total,
    )
    tables.append(volumes)

    # Received and resolved, month by month.
    months = period.months()
    by_month: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for i, kind in enumerate((Kind.CHANNEL, Kind.RESOLVED)):
        for (day,), (n, _l, _s) in _sums(_rows(kind, division, period), "day").items():
            by_month[day.replace(day=1)][i] += n
    # Each column suppressed on its own (no row total is shown): the received column's total
    # is the division's total, hidden with it when the choropleth hides it.
    labels = [_month_label(m, period) for m in months]
    received_s = suppress(
        labels, ["r"], [[by_month[m][0]] for m in months], threshold, hide_total=hide_scope_total
    )
    resolved_s = suppress(labels, ["c"], [[by_month[m][1]] for m in months], threshold)
    trend = MiTable(
        "trend",
        _("Received and resolved, month by month"),
        _("Month"),
        [_("Received"), _("Resolved")],
        [
            (label, [received_s.cells[i][0], resolved_s.cells[i][0]])
            for i, label in enumerate(labels)
        ],
        (_("Total"), [received_s.total, resolved_s.total]),
        hidden=received_s.hidden + resolved_s.hidden,
    )
    trend.chart = {
        "labels": labels,
        "series": [
            {"label": _("Received"), "data": [c[0] for c in received_s.cells]},
            {"label": _("Resolved"), "data": [c[0] for c in resolved_s.cells]},
        ],
    }
    tables.append(trend)

    # Service standards by category, and time to resolve.
    resolved = _sums(_rows(Kind.RESOLVED, division, period), "category_id", "key")
    by_cat: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    buckets: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for (cat, key), (n, late, seconds) in resolved.items():
        by_cat[cat][0] += n
        by_cat[cat][1] += late
        by_cat[cat][2] += seconds
        buckets[cat][int(key)] += n
    res_ids = sorted(by_cat, key=lambda c: categories.get(c, ""))
    sla, sla_s = _table(
        "sla",
        _("Requests resolved within the service standard, by type"),
        _("Type of problem"),
        [categories[c] for c in res_ids],
        [_("Within the standard"), _("Late")],
        [[by_cat[c][0] - by_cat[c][1], by_cat[c][1]] for c in res_ids],
        threshold,
    )
    tables.append(sla)
    time_rows: list[tuple[str, list[int | str | None]]] = []
    for i, c in enumerate(res_ids):
        if sla_s.row_totals[i] is None:
            time_rows.append((categories[c], [None, None]))
            continue
        n, _late, seconds = by_cat[c]
        time_rows.append((categories[c], [_days(seconds / n), p90(buckets[c])]))
    all_n = sum(v[0] for v in by_cat.values())
    all_buckets: dict[int, int] = defaultdict(int)
    for b in buckets.values():
        for k, v in b.items():
            all_buckets[k] += v
    footer = (
        _("All types"),
        [_days(sum(v[2] for v in by_cat.values()) / all_n), p90(all_buckets)]
        if sla_s.total is not None and all_n
        else [None, None],
    )
    time_table = MiTable(
        "time",
        _("Time to resolve, in days"),
        _("Type of problem"),
        [_("Average"), _("90% resolved within (whole days)")],
        time_rows,
        footer,
        note=_("Shown only for types whose number resolved is shown above."),
    )
    time_table.chart = {
        "labels": [r[0] for r in time_rows],
        "series": [{"label": _("Average"), "data": [_num(r[1][0]) for r in time_rows]}],
    }
    tables.append(time_table)

    # Channels, age bands, satisfaction.
    channel_counts = _sums(_rows(Kind.CHANNEL, division, period), "key")
    channels = [c for c in Channel if (c.value,) in channel_counts]
    channel_table, _c = _table(
        "channels",
        _("How requests were made"),
        _("Channel"),
        [str(c.label) for c in channels],
        [_("Requests")],
        [[channel_counts[(c.value,)][0]] for c in channels],
        threshold,
        hide_total=hide_scope_total,
    )
    tables.append(channel_table)
    ages = _sums(_rows(Kind.AGE, division, period), "key")
    age_keys = [(a.value, str(a.label)) for a in AgeBand] + [("", _("Not given"))]
    age_keys = [(k, label) for k, label in age_keys if (k,) in ages]
    age_table, _a = _table(
        "ages",
        _("Requests by the age band of the person reporting"),
        _("Age band"),
        [label for _k, label in age_keys],
        [_("Requests")],
        [[ages[(k,)][0]] for k, _label in age_keys],
        threshold,
        hide_total=hide_scope_total,
    )
    tables.append(age_table)
    scores = _sums(_rows(Kind.SATISFACTION, division, period), "key")
    score_keys = [str(s) for s in range(1, 6) if (str(s),) in scores]
    sat_table, sat_s = _table(
        "satisfaction",
        _("Satisfaction survey answers (1 very dissatisfied, 5 very satisfied)"),
        _("Score"),
        score_keys,
        [_("Answers")],
        [[scores[(k,)][0]] for k in score_keys],
        threshold,
    )
    if score_keys and sat_s.hidden == 0:
        answers = sum(scores[(k,)][0] for k in score_keys)
        mean = sum(int(k) * scores[(k,)][0] for k in score_keys) / answers
        sat_table.note = _("Average score: %(mean).1f") % {"mean": mean}
    elif score_keys:
        sat_table.note = _("No average is given while any answer count is hidden.")
    tables.append(sat_table)

    # Contacts resolved at first contact: contacts belong to no division.
    contacts = _sums(_rows(Kind.CONTACT, None, period), "key")
    by_channel: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (key,), (n, _l, _s) in contacts.items():
        channel, _sep, outcome = key.partition(":")
        by_channel[channel][0 if outcome == Interaction.Outcome.RESOLVED else 1] += n
    contact_channels = [c for c in Channel if c.value in by_channel]
    first, _f = _table(
        "first-contact",
        _("Contacts at the council's desk resolved at first contact"),
        _("Channel"),
        [str(c.label) for c in contact_channels],
        [_("Resolved at first contact"), _("Other outcomes")],
        [by_channel[c.value] for c in contact_channels],
        threshold,
    )
    first.note = _(
        "Council-wide: a contact resolved there and then has no case, and so no division."
    )
    tables.append(first)

    # The heat grid, and the busiest squares as repeat locations.
    cells = _sums(_rows(Kind.CELL, division, period), "key")
    keys = sorted(k for (k,) in cells)
    grid_s = (
        suppress(
            keys, ["n"], [[cells[(k,)][0]] for k in keys], threshold, hide_total=hide_scope_total
        )
        if keys
        else None
    )
    grid: list[dict[str, Any]] = []
    if grid_s is not None:
        for k, value in zip(keys, (c[0] for c in grid_s.cells), strict=True):
            if value is not None and value > 0:
                grid.append({"bounds": cell_bounds(k), "count": value, "key": k})
    busiest = sorted(grid, key=lambda g: (-int(g["count"]), str(g["key"])))[:TOP_LOCATIONS]
    places = list(GazetteerEntry.objects.values_list("name", "locality", "latitude", "longitude"))
    loc_rows: list[tuple[str, list[int | str | None]]] = []
    for g in busiest:
        loc_rows.append((_near(str(g["key"]), places), [g["count"]]))
    locations = MiTable(
        "locations",
        _("Repeat locations: the busiest squares of about 1 km"),
        _("Around"),
        [_("Requests")],
        loc_rows,
        note=_("Squares with fewer than %(n)s requests are not shown.") % {"n": threshold},
    )
    tables.append(locations)
    tables.append(div_table)
    return Mi(division, period, threshold, tables, choropleth, grid)


def p90(buckets: dict[int, int]) -> int | None:
    """The 90th percentile (nearest rank) of whole days."""
    n = sum(buckets.values())
    if not n:
        return None
    rank, seen = math.ceil(0.9 * n), 0
    for day in sorted(buckets):
        seen += buckets[day]
        if seen >= rank:
            return day
    return None


def _days(seconds: float) -> str:
    return f"{seconds / 86400:.1f}"


def _num(value: int | str | None) -> float | None:
    return None if value is None else float(value)


def _month_label(month: date, period: Period) -> str:
    return f"{month:%b %Y}"


def _near(key: str, places: Iterable[tuple[str, str, float | None, float | None]]) -> str:
    lat, lon = cell_centre(key)
    best, best_d = _("Unnamed place"), float("inf")
    for name, locality, plat, plon in places:
        if plat is None or plon is None:
            continue
        d = (plat - lat) ** 2 + ((plon - lon) * 0.61) ** 2
        if d < best_d:
            best, best_d = (f"{name}, {locality}" if locality and locality != name else name), d
    return best
