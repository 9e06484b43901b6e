"""Small-number suppression: nothing small is shown, and totals give nothing away."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.council_crm.suppression import suppress


def _lines(t):
    rows = [[*t.cells[i], t.row_totals[i]] for i in range(len(t.rows))]
    rows.append([*t.column_totals, t.total])
    cols = [[r[j] for r in rows] for j in range(len(t.columns) + 1)]
    return rows + cols


def test_a_small_cell_is_hidden_with_a_partner_so_the_total_cannot_reveal_it():
    counts = [[3, 40, 25], [12, 30, 18], [20, 22, 26]]
    t = suppress(["Pothole", "Fly-tipping", "Graffiti"], ["New", "Open", "Closed"], counts, 5)
    assert t.cells[0][0] is None
    assert t.total == 196
    assert t.cells[2] == [20, 22, 26]
    for line in _lines(t):
        assert sum(v is None for v in line) != 1
    # the shown numbers are the true ones
    assert t.cells[1][1] == 30


def test_zero_is_not_a_small_number_and_threshold_zero_hides_nothing():
    t = suppress(["a"], ["x", "y"], [[0, 9]], threshold=5)
    assert t.cells == [[0, 9]]
    t = suppress(["a"], ["x", "y"], [[1, 2]], threshold=0)
    assert t.hidden == 0


def test_a_small_total_is_hidden_too():
    t = suppress(["a", "b"], ["x"], [[2], [1]], threshold=5)
    assert t.total is None
    assert t.column_totals == [None]


@settings(max_examples=300, deadline=None)
@given(
    counts=st.integers(1, 5).flatmap(
        lambda cols: st.lists(
            st.lists(st.integers(0, 30), min_size=cols, max_size=cols), min_size=1, max_size=6
        )
    ),
    threshold=st.integers(0, 10),
)
def test_property_no_small_number_shown_and_no_line_with_a_single_hidden_cell(counts, threshold):
    rows = [f"r{i}" for i in range(len(counts))]
    cols = [f"c{j}" for j in range(len(counts[0]))]
    t = suppress(rows, cols, counts, threshold)
    for i, row in enumerate(counts):
        for j, true in enumerate(row):
            shown = t.cells[i][j]
            assert shown is None or shown == true
    for line in _lines(t):
        assert all(v is None or not (0 < v < threshold) for v in line)
        assert sum(v is None for v in line) != 1
