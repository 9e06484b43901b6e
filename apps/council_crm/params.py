"""Reading numbers out of query strings and forms: an id a user typed or edited is an id or
nothing, never a 500 ("²" is a digit to `str.isdigit`, and 2**70 overflows a database column).
"""

from __future__ import annotations

# the largest id a 64-bit primary key can hold
MAX_ID = 2**63 - 1


def id_param(text: str | None) -> int | None:
    """A positive whole number in ASCII digits that fits a database id, or None."""
    text = (text or "").strip()
    if not text or not text.isascii() or not text.isdecimal() or len(text) > 19:
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None
