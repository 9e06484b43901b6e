"""Small-number suppression for aggregates shown to councillors or the public.

Primary: a count above zero and below the threshold is hidden. Secondary: no row or column of
the table (its total included) may have exactly one hidden cell, or the total would give it
away; the smallest other cell in that line is hidden too, until no such line is left. Totals
are counts like any other cell: a small total is hidden as well. `hide_total` hides the grand
total (and, by the same rule, enough cells to keep it hidden): a page that shows the same total
hidden elsewhere must hide it here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SuppressedTable:
    rows: list[str]
    columns: list[str]
    cells: list[list[int | None]]  # None: hidden
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None
    threshold: int

    @property
    def body(self) -> list[tuple[str, list[int | None], int | None]]:
        """(row label, cells, row total) for templates."""
        return list(zip(self.rows, self.cells, self.row_totals, strict=True))

    @property
    def hidden(self) -> int:
        lines = [*self.cells, self.row_totals, self.column_totals, [self.total]]
        return sum(v is None for line in lines for v in line)


def suppress(
    rows: Sequence[str],
    columns: Sequence[str],
    counts: Sequence[Sequence[int]],
    threshold: int,
    *,
    hide_total: bool = False,
) -> SuppressedTable:
    n_rows, n_cols = len(rows), len(columns)
    # The extended table: cells, a total column at index n_cols, a total row at index n_rows.
    grid = [[*r, sum(r)] for r in counts]
    grid.append([sum(counts[i][j] for i in range(n_rows)) for j in range(n_cols)])
    grid[n_rows].append(sum(grid[n_rows][:n_cols]))
    hidden = [[0 < v < threshold for v in row] for row in grid]
    if hide_total and grid[n_rows][n_cols] > 0:
        hidden[n_rows][n_cols] = True

    def lines() -> list[list[tuple[int, int]]]:
        out = [[(i, j) for j in range(n_cols + 1)] for i in range(n_rows + 1)]
        out += [[(i, j) for i in range(n_rows + 1)] for j in range(n_cols + 1)]
        return out

    changed = threshold > 0 or hide_total
    while changed:
        changed = False
        for line in lines():
            if sum(hidden[i][j] for i, j in line) != 1:
                continue
            shown = [(i, j) for i, j in line if not hidden[i][j]]
            if not shown:
                continue

            # Prefer a non-zero body cell, then a zero, then the line's total.
            def cost(cell: tuple[int, int]) -> tuple[int, int, int]:
                i, j = cell
                is_total = i == n_rows or j == n_cols
                return (is_total, grid[i][j] == 0, grid[i][j])

            i, j = min(shown, key=cost)
            hidden[i][j] = True
            changed = True

    def value(i: int, j: int) -> int | None:
        return None if hidden[i][j] else grid[i][j]

    return SuppressedTable(
        rows=list(rows),
        columns=list(columns),
        cells=[[value(i, j) for j in range(n_cols)] for i in range(n_rows)],
        row_totals=[value(i, n_cols) for i in range(n_rows)],
        column_totals=[value(n_rows, j) for j in range(n_cols)],
        total=value(n_rows, n_cols),
        threshold=threshold,
    )
