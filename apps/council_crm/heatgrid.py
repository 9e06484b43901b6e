"""The heat grid of the member portal's management information: squares of about 1 km.

Fine enough to see where, coarse enough for counts above the suppression threshold and for
small roll-ups (ADR 0026).

A location falls in the square (row, column) of a fixed grid of latitude and longitude steps,
so the same place always lands in the same square and squares can be counted day by day.
"""

from __future__ import annotations

import math

LAT_STEP = 0.009  # about 1 km
LON_STEP = 0.0146  # about 1 km at 52° N


def cell_of(latitude: float, longitude: float) -> str:
    """The key of the square holding this point: "row:column"."""
    return f"{math.floor(latitude / LAT_STEP)}:{math.floor(longitude / LON_STEP)}"


def cell_bounds(key: str) -> tuple[float, float, float, float]:
    """(south, west, north, east) of a square."""
    row, col = (int(part) for part in key.split(":"))
    return (
        round(row * LAT_STEP, 6),
        round(col * LON_STEP, 6),
        round((row + 1) * LAT_STEP, 6),
        round((col + 1) * LON_STEP, 6),
    )


def cell_centre(key: str) -> tuple[float, float]:
    south, west, north, east = cell_bounds(key)
    return (south + north) / 2, (west + east) / 2
