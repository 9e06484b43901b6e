"""Small numbers on the management information page: hidden, and not to be worked out.

Primary suppression at and around the threshold; secondary suppression so that no line of a
table (a row or column with its total) has exactly one hidden cell; and across the page: a
division hidden on the choropleth is hidden on its own tables too (differencing attacks).
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from apps.council_crm.models import (
    Councillor,
    Division,
    MemberRollup,
    MemberRollupRun,
    ServiceCategory,
)
from apps.council_crm.selectors.member_mi import Period, mi_for
from apps.council_crm.suppression import SuppressedTable, suppress

T = 5


def lines(t: SuppressedTable) -> list[list[int | None]]:
    out = [[*cells, total] for cells, total in zip(t.cells, t.row_totals, strict=True)]
    for j in range(len(t.columns)):
        out.append([row[j] for row in t.cells] + [t.column_totals[j]])
    out.append([*t.column_totals, t.total])
    out.append([*t.row_totals, t.total])
    return out


def assert_safe(t: SuppressedTable, counts: list[list[int]]) -> None:
    for i, row in enumerate(counts):
        for j, v in enumerate(row):
            if 0 < v < T:
                assert t.cells[i][j] is None
            if t.cells[i][j] is not None:
                assert t.cells[i][j] == v
    for line in lines(t):
        # one hidden cell in a line would be its total minus the others
        assert sum(v is None for v in line) != 1, line


@pytest.mark.parametrize(
    ("value", "hidden"), [(0, False), (1, True), (T - 1, True), (T, False), (T + 1, False)]
)
def test_primary_suppression_at_and_around_the_threshold(value, hidden):
    t = suppress(["a", "b", "c"], ["n"], [[value], [T + 3], [T + 4]], T)
    assert (t.cells[0][0] is None) is hidden
    assert_safe(t, [[value], [T + 3], [T + 4]])


def test_the_total_minus_the_shown_cells_does_not_give_a_hidden_one_away():
    # given one small cell in a column whose total is shown
    counts = [[T - 1], [T + 10], [T + 20]]
    t = suppress(["a", "b", "c"], ["n"], counts, T)
    # then a second cell is hidden with it
    assert t.cells[0][0] is None
    assert t.cells[1][0] is None
    assert t.total == sum(c[0] for c in counts)
    assert_safe(t, counts)


def test_hiding_the_total_hides_a_cell_with_it():
    counts = [[T + 1], [T + 10]]
    t = suppress(["a", "b"], ["n"], counts, T, hide_total=True)
    assert t.total is None
    assert sum(c[0] is None for c in t.cells) >= 1
    assert_safe(t, counts)


@hsettings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=2 * T), min_size=3, max_size=3),
        min_size=1,
        max_size=6,
    ),
    st.booleans(),
)
def test_no_line_ever_has_exactly_one_hidden_cell(counts, hide_total):
    t = suppress(
        [str(i) for i in range(len(counts))], ["x", "y", "z"], counts, T, hide_total=hide_total
    )
    assert_safe(t, counts)


@pytest.mark.django_db
def test_a_division_hidden_on_the_map_is_hidden_on_its_own_tables(demo_site):
    # given: a councillor's division with 4 requests (below 5) and others with many
    councillor = Councillor.objects.filter(divisions__isnull=False).first()
    mine = councillor.divisions.first()
    others = list(Division.objects.exclude(pk=mine.pk)[:2])
    category = ServiceCategory.objects.first()
    day = date(2026, 5, 10)
    MemberRollupRun.objects.create(pk=1, up_to=date(2026, 6, 14), finished_at="2026-06-15T02:00Z")

    def add(division, channel, n):
        for d in (division, None):
            MemberRollup.objects.create(
                grain="d", day=day, kind="channel", division=d, key=channel, count=n
            )
            MemberRollup.objects.create(
                grain="d",
                day=day,
                kind="received",
                division=d,
                category=category,
                key="open",
                count=n,
            )
            MemberRollup.objects.create(grain="d", day=day, kind="age", division=d, key="", count=n)

    add(mine, "web", 3)
    add(mine, "phone", 1)
    add(others[0], "web", 40)
    add(others[1], "web", 12)
    # when the councillor reads their division
    mi = mi_for(
        user=councillor.user, division=mine, period=Period(date(2026, 5, 5), date(2026, 5, 20))
    )
    tables = {t.slug: t for t in mi.tables}
    # then: the division is blank on the map and in the divisions table
    assert next(c for c in mi.choropleth if c["code"] == mine.code)["count"] is None
    div_rows = dict(tables["divisions"].rows)
    assert div_rows[mine.name] == [None]
    # another division is hidden with it, so the council total minus the others gives nothing
    assert sum(v == [None] for v in div_rows.values()) >= 2
    # and no table of the division shows its total or a figure that adds up to it
    assert tables["trend"].footer[1][0] is None
    for slug in ("volumes", "channels", "ages"):
        t = tables[slug]
        assert t.footer[1][-1] is None, slug
        for _label, cells in t.rows:
            assert all(v is None or v == 0 for v in cells), (slug, cells)
