"""Working-day calendar engine: bank holidays, council closures and working hours."""

from __future__ import annotations

import operator
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import MAXYEAR, UTC, date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

__all__ = ["CLOSURE_NAME", "REGIONS", "WorkingCalendar"]

REGIONS: tuple[str, ...] = ("GB-ENG", "GB-WLS", "GB-SCT", "GB-NIR", "IE")

#: Name reported by ``holiday_name`` for closure days given as bare dates.
CLOSURE_NAME = "Council closure"

# region -> (holidays country code, subdivision)
_REGION_SOURCES: dict[str, tuple[str, str | None]] = {
    "GB-ENG": ("GB", "ENG"),
    "GB-WLS": ("GB", "WLS"),
    "GB-SCT": ("GB", "SCT"),
    "GB-NIR": ("GB", "NIR"),
    "IE": ("IE", None),
}

_ZERO = timedelta(0)
_ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class _YearData:
    """Pre-computed facts for one calendar year."""

    bank_holidays: Mapping[date, str]
    working: tuple[int, ...]  # sorted ordinals of the year's working days
    working_set: frozenset[int]


def _as_date(value: date) -> date:
    """Return ``value`` as a plain ``date`` (a ``datetime`` is truncated to its date)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"expected a date, got {type(value).__name__}")


def _require_aware(value: datetime, name: str) -> datetime:
    """Return ``value`` converted to UTC, or raise ``ValueError`` if it is naive."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value.astimezone(UTC)


def _normalise_closures(closures: Iterable[date] | Mapping[date, str]) -> dict[date, str]:
    """Closures as ``{date: name}``; bare dates (or blank names) get ``CLOSURE_NAME``."""
    if isinstance(closures, Mapping):
        return {_as_date(d): (str(name) or CLOSURE_NAME) for d, name in closures.items()}
    return {_as_date(d): CLOSURE_NAME for d in closures}


def _merge_spans(
    spans: Iterable[tuple[datetime, datetime | None]], lower: datetime, upper: datetime
) -> list[tuple[datetime, datetime]]:
    """Clip pause spans to ``[lower, upper]`` (UTC) and merge them into sorted disjoint spans."""
    clipped: list[tuple[datetime, datetime]] = []
    for span_start, span_end in spans:
        begin = max(_require_aware(span_start, "pause start"), lower)
        finish = upper if span_end is None else min(_require_aware(span_end, "pause end"), upper)
        if finish > begin:
            clipped.append((begin, finish))
    clipped.sort()
    merged: list[tuple[datetime, datetime]] = []
    for begin, finish in clipped:
        if merged and begin <= merged[-1][1]:
            if finish > merged[-1][1]:
                merged[-1] = (merged[-1][0], finish)
        else:
            merged.append((begin, finish))
    return merged


class WorkingCalendar:
    """Working days and working hours for one region, with optional council closure days.

    A working day is Monday to Friday, not a bank holiday of the region and not a closure day.
    Working time is ``[day_start, day_end)`` local time (in ``timezone``) on working days.
    Holiday data is loaded lazily, one year at a time, and cached on the instance.
    """

    __slots__ = ("_closures", "_tz", "_years", "day_end", "day_start", "region", "timezone")

    def __init__(
        self,
        *,
        region: str,
        closures: Iterable[date] | Mapping[date, str] = (),
        timezone: str = "Europe/London",
        day_start: time = time(9, 0),
        day_end: time = time(17, 0),
    ) -> None:
        if region not in _REGION_SOURCES:
            raise ValueError(f"unknown region {region!r}; expected one of {', '.join(REGIONS)}")
        try:
            tz = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise ValueError(f"unknown timezone {timezone!r}") from exc
        if day_start.tzinfo is not None or day_end.tzinfo is not None:
            raise ValueError("day_start and day_end must be naive local times")
        if not day_start < day_end:
            raise ValueError("day_start must be earlier than day_end")
        self.region: str = region
        self.timezone: str = timezone
        self.day_start: time = day_start
        self.day_end: time = day_end
        self._tz: ZoneInfo = tz
        self._closures: dict[date, str] = _normalise_closures(closures)
        self._years: dict[int, _YearData] = {}

    def __repr__(self) -> str:
        return (
            f"WorkingCalendar(region={self.region!r}, timezone={self.timezone!r}, "
            f"day_start={self.day_start!r}, day_end={self.day_end!r}, "
            f"closures={len(self._closures)})"
        )

    @property
    def tzinfo(self) -> ZoneInfo:
        """The calendar's time zone."""
        return self._tz

    @property
    def closures(self) -> Mapping[date, str]:
        """Read-only view of the closure days and their names."""
        return MappingProxyType(self._closures)

    # ------------------------------------------------------------------ year cache

    def _year(self, year: int) -> _YearData:
        data = self._years.get(year)
        if data is None:
            data = self._build_year(year)
            self._years[year] = data
        return data

    def _build_year(self, year: int) -> _YearData:
        country, subdiv = _REGION_SOURCES[self.region]
        source = holidays.country_holidays(country, subdiv=subdiv, years=year)
        bank = {d: name for d, name in source.items() if d.year == year}
        closed = {d.toordinal() for d in bank}
        closed.update(d.toordinal() for d in self._closures if d.year == year)
        first = date(year, 1, 1).toordinal()
        last = date(year, 12, 31).toordinal()
        # date.fromordinal(1) is a Monday, so (ordinal - 1) % 7 is the weekday (0 = Monday).
        working = tuple(o for o in range(first, last + 1) if (o - 1) % 7 < 5 and o not in closed)
        return _YearData(
            bank_holidays=MappingProxyType(bank),
            working=working,
            working_set=frozenset(working),
        )

    def _nth_working(self, ordinal: int, n: int, *, inclusive: bool) -> int:
        """Ordinal of the ``n``-th (``n >= 1``) working day on/after (inclusive) or after."""
        year = date.fromordinal(ordinal).year
        data = self._year(year)
        index = (bisect_left if inclusive else bisect_right)(data.working, ordinal)
        while True:
            available = len(data.working) - index
            if n <= available:
                return data.working[index + n - 1]
            n -= available
            year += 1
            if year > MAXYEAR:
                raise OverflowError("date out of range")
            data = self._year(year)
            index = 0

    # ------------------------------------------------------------------ days

    def is_working_day(self, d: date) -> bool:
        """True for Monday-Friday days that are neither bank holidays nor closures."""
        data = self._years.get(d.year) or self._year(d.year)
        return d.toordinal() in data.working_set

    def holiday_name(self, d: date) -> str | None:
        """Name of the bank holiday or closure on ``d`` (bank holiday wins), else ``None``."""
        day = _as_date(d)
        name = self._year(day.year).bank_holidays.get(day)
        if name is not None:
            return name
        return self._closures.get(day)

    def add_working_days(self, start: date, n: int) -> date:
        """The date ``n`` working days after ``start`` (``start`` itself is never counted).

        ``n == 0`` returns ``start`` if it is a working day, else the next working day.
        """
        n = operator.index(n)
        if n < 0:
            raise ValueError("n must be >= 0")
        ordinal = start.toordinal()
        if n == 0:
            return date.fromordinal(self._nth_working(ordinal, 1, inclusive=True))
        return date.fromordinal(self._nth_working(ordinal, n, inclusive=False))

    def working_days_between(self, start: date, end: date) -> int:
        """Number of working days ``d`` with ``start < d <= end`` (0 if ``end <= start``)."""
        low, high = start.toordinal(), end.toordinal()
        if high <= low:
            return 0
        total = 0
        for year in range(start.year, end.year + 1):
            working = self._year(year).working
            total += bisect_right(working, high) - bisect_right(working, low)
        return total

    # ------------------------------------------------------------------ hours

    def _window(self, ordinal: int) -> tuple[datetime, datetime]:
        """Working window of the day ``ordinal`` as UTC instants (DST-aware)."""
        day = date.fromordinal(ordinal)
        opens = datetime.combine(day, self.day_start, tzinfo=self._tz).astimezone(UTC)
        closes = datetime.combine(day, self.day_end, tzinfo=self._tz).astimezone(UTC)
        # A DST gap can map a non-existent local time later than a real one; never go negative.
        return opens, max(opens, closes)

    def _windows_from(self, instant: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working windows (UTC) ending after ``instant``, in order, clipped to start there."""
        local_day = instant.astimezone(self._tz).date()
        # Start one day early so that odd zones/hours can never hide an overlapping window.
        first = max(1, local_day.toordinal() - 1)
        year = date.fromordinal(first).year
        while year <= MAXYEAR:
            working = self._year(year).working
            for ordinal in working[bisect_left(working, first) :]:
                opens, closes = self._window(ordinal)
                if closes > instant:
                    yield max(opens, instant), closes
            year += 1
        raise OverflowError("date out of range")

    def add_working_seconds(self, start: datetime, seconds: float | timedelta) -> datetime:
        """The earliest instant at which ``seconds`` of working time have elapsed since ``start``.

        ``start`` must be timezone-aware. Zero returns the next working moment on/after
        ``start``. The result is aware, in the calendar's time zone.
        """
        current = _require_aware(start, "start")
        remaining = seconds if isinstance(seconds, timedelta) else timedelta(seconds=seconds)
        if remaining < _ZERO:
            raise ValueError("working time to add must be >= 0")
        for opens, closes in self._windows_from(current):
            if remaining == _ZERO:
                return opens.astimezone(self._tz)
            span = closes - opens
            if remaining <= span:
                return (opens + remaining).astimezone(self._tz)
            remaining -= span
        raise OverflowError("date out of range")  # pragma: no cover (the iterator raises first)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """``start`` plus ``hours`` of working time; see ``add_working_seconds``."""
        if hours < 0:
            raise ValueError("hours must be >= 0")
        return self.add_working_seconds(start, timedelta(hours=hours))

    def working_seconds_between(
        self,
        start: datetime,
        end: datetime,
        paused: Iterable[tuple[datetime, datetime | None]] = (),
    ) -> int:
        """Whole seconds of working time between two aware instants, excluding paused spans.

        A pause with ``None`` as its end lasts until ``end``; overlapping pauses count once.
        Returns 0 if ``end <= start``.
        """
        lower = _require_aware(start, "start")
        upper = _require_aware(end, "end")
        if upper <= lower:
            return 0
        pauses = _merge_spans(paused, lower, upper)
        total = _ZERO
        first = 0
        for opens, closes in self._windows_from(lower):
            if opens >= upper:
                break
            closes = min(closes, upper)
            total += closes - opens
            while first < len(pauses) and pauses[first][1] <= opens:
                first += 1
            index = first
            while index < len(pauses) and pauses[index][0] < closes:
                total -= min(closes, pauses[index][1]) - max(opens, pauses[index][0])
                index += 1
        return total // _ONE_SECOND
