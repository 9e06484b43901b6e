"""Tests for the working-day calendar engine (pure Python, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.council_crm.calendar import CLOSURE_NAME, REGIONS, WorkingCalendar

LONDON = ZoneInfo("Europe/London")
DUBLIN = ZoneInfo("Europe/Dublin")

CALENDARS = {region: WorkingCalendar(region=region) for region in REGIONS}
ENG = CALENDARS["GB-ENG"]

# A council that also shuts between Christmas and New Year.
CHRISTMAS_CLOSURES = (date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31))
ENG_CLOSED = WorkingCalendar(region="GB-ENG", closures=CHRISTMAS_CLOSURES)

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, database=None)
# Interval properties walk every working day of multi-year spans, so they run fewer examples.
INTERVAL_SETTINGS = settings(max_examples=100, deadline=None, database=None)


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


# --------------------------------------------------------------------------- construction


def test_regions_constant() -> None:
    assert REGIONS == ("GB-ENG", "GB-WLS", "GB-SCT", "GB-NIR", "IE")


@pytest.mark.parametrize("region", ["GB", "UK", "gb-eng", "GB-LND", "", "FR"])
def test_unknown_region_rejected(region: str) -> None:
    with pytest.raises(ValueError, match="unknown region"):
        WorkingCalendar(region=region)


def test_bad_timezone_and_hours_rejected() -> None:
    with pytest.raises(ValueError, match="timezone"):
        WorkingCalendar(region="GB-ENG", timezone="Mars/Olympus_Mons")
    with pytest.raises(ValueError, match="day_start"):
        WorkingCalendar(region="GB-ENG", day_start=time(17), day_end=time(9))


# --------------------------------------------------------------------------- region facts

# (region, day, keyword in the holiday name, or None when the day is an ordinary working day)
REGION_FACTS = [
    # England
    ("GB-ENG", date(2026, 4, 3), "Good Friday"),
    ("GB-ENG", date(2026, 4, 6), "Easter Monday"),
    ("GB-ENG", date(2026, 8, 31), "Late Summer"),
    ("GB-ENG", date(2026, 1, 2), None),
    ("GB-ENG", date(2026, 8, 3), None),
    ("GB-ENG", date(2026, 3, 17), None),
    ("GB-ENG", date(2026, 11, 30), None),
    ("GB-ENG", date(2026, 12, 28), "Boxing Day"),  # 26th is a Saturday
    ("GB-ENG", date(2027, 12, 27), "Christmas Day"),  # 25th/26th fall at the weekend
    ("GB-ENG", date(2027, 12, 28), "Boxing Day"),
    # Wales (same bank holidays as England)
    ("GB-WLS", date(2026, 4, 6), "Easter Monday"),
    ("GB-WLS", date(2026, 8, 31), "Late Summer"),
    ("GB-WLS", date(2026, 1, 2), None),
    ("GB-WLS", date(2027, 3, 1), None),  # St David's Day is not a bank holiday
    # Scotland
    ("GB-SCT", date(2026, 1, 2), "New Year"),
    ("GB-SCT", date(2026, 8, 3), "Summer"),
    ("GB-SCT", date(2026, 8, 31), None),
    ("GB-SCT", date(2026, 11, 30), "Andrew"),
    ("GB-SCT", date(2026, 4, 6), None),  # no Easter Monday in Scotland
    ("GB-SCT", date(2026, 6, 15), "World Cup"),  # one-off 2026 royal proclamation
    ("GB-SCT", date(2027, 1, 4), "New Year"),  # 2 Jan 2027 is a Saturday
    ("GB-SCT", date(2027, 8, 2), "Summer"),
    ("GB-SCT", date(2027, 11, 30), "Andrew"),
    # Northern Ireland
    ("GB-NIR", date(2026, 3, 17), "Patrick"),
    ("GB-NIR", date(2026, 7, 13), "Boyne"),  # 12 July 2026 is a Sunday
    ("GB-NIR", date(2027, 7, 12), "Boyne"),
    ("GB-NIR", date(2026, 4, 6), "Easter Monday"),
    ("GB-NIR", date(2026, 8, 31), "Late Summer"),
    ("GB-NIR", date(2026, 1, 2), None),
    ("GB-NIR", date(2026, 8, 3), None),
    # Ireland
    ("IE", date(2026, 2, 2), "Brigid"),
    ("IE", date(2026, 3, 17), "Patrick"),
    ("IE", date(2026, 4, 3), None),  # Good Friday is not a public holiday
    ("IE", date(2026, 4, 6), "Easter Monday"),
    ("IE", date(2026, 6, 1), "June"),
    ("IE", date(2026, 8, 3), "August"),
    ("IE", date(2026, 8, 31), None),
    ("IE", date(2026, 10, 26), "October"),
    ("IE", date(2027, 2, 1), "Brigid"),
    ("IE", date(2027, 10, 25), "October"),
]


@pytest.mark.parametrize(("region", "day", "keyword"), REGION_FACTS)
def test_region_facts(region: str, day: date, keyword: str | None) -> None:
    calendar = CALENDARS[region]
    assert day.weekday() < 5, "facts table should only list weekdays"
    name = calendar.holiday_name(day)
    if keyword is None:
        assert name is None
        assert calendar.is_working_day(day)
    else:
        assert name is not None
        assert keyword in name
        assert not calendar.is_working_day(day)


@pytest.mark.parametrize(
    ("region", "day", "keyword"),
    [
        ("GB-NIR", date(2026, 7, 12), "Boyne"),  # the Sunday itself keeps its name
        ("GB-ENG", date(2026, 12, 26), "Boxing Day"),
        ("IE", date(2026, 12, 26), "Stephen"),
    ],
)
def test_weekend_holidays_are_named_but_not_working(region: str, day: date, keyword: str) -> None:
    calendar = CALENDARS[region]
    assert day.weekday() >= 5
    assert keyword in (calendar.holiday_name(day) or "")
    assert not calendar.is_working_day(day)


def test_wales_matches_england_for_2026_and_2027() -> None:
    wales = CALENDARS["GB-WLS"]
    day = date(2026, 1, 1)
    while day.year < 2028:
        assert ENG.is_working_day(day) == wales.is_working_day(day), day
        day += timedelta(days=1)


def test_weekends_are_not_working_days() -> None:
    assert not ENG.is_working_day(date(2026, 1, 10))  # Saturday
    assert not ENG.is_working_day(date(2026, 1, 11))  # Sunday
    assert ENG.is_working_day(date(2026, 1, 12))  # Monday
    assert ENG.holiday_name(date(2026, 1, 10)) is None


def test_closures_with_and_without_names() -> None:
    unnamed = WorkingCalendar(region="GB-ENG", closures=[date(2026, 5, 5)])
    assert unnamed.holiday_name(date(2026, 5, 5)) == CLOSURE_NAME == "Council closure"
    assert not unnamed.is_working_day(date(2026, 5, 5))
    named = WorkingCalendar(
        region="GB-ENG",
        closures={date(2026, 5, 5): "Election count", date(2026, 5, 4): "Clash"},
    )
    assert named.holiday_name(date(2026, 5, 5)) == "Election count"
    # a bank holiday keeps its own name when a closure falls on the same day
    assert named.holiday_name(date(2026, 5, 4)) == "May Day"
    assert named.closures[date(2026, 5, 5)] == "Election count"
    # a closure only affects its own calendar
    assert ENG.is_working_day(date(2026, 5, 5))


# --------------------------------------------------------------------------- working days


@pytest.mark.parametrize(
    ("calendar", "start", "n", "expected"),
    [
        # Friday 18 Dec 2026 + 5: skips Christmas (Fri 25th) and the Boxing Day substitute (28th)
        (ENG, date(2026, 12, 18), 5, date(2026, 12, 29)),
        (CALENDARS["GB-SCT"], date(2026, 12, 18), 5, date(2026, 12, 29)),
        # Ireland has no substitute day for St Stephen's Day on a Saturday
        (CALENDARS["IE"], date(2026, 12, 18), 5, date(2026, 12, 28)),
        # closures 29-31 Dec, then New Year's Day
        (ENG_CLOSED, date(2026, 12, 18), 5, date(2027, 1, 4)),
        (ENG_CLOSED, date(2026, 12, 18), 6, date(2027, 1, 5)),
        # 2 January is a holiday only in Scotland
        (ENG, date(2025, 12, 31), 1, date(2026, 1, 2)),
        (CALENDARS["GB-SCT"], date(2025, 12, 31), 1, date(2026, 1, 5)),
        # Easter 2026: Good Friday 3 Apr everywhere in the UK, Easter Monday not in Scotland
        (ENG, date(2026, 4, 2), 1, date(2026, 4, 7)),
        (CALENDARS["GB-SCT"], date(2026, 4, 2), 1, date(2026, 4, 6)),
        (CALENDARS["IE"], date(2026, 4, 2), 1, date(2026, 4, 3)),
        # ordinary weekend skipping; the start day is never counted
        (ENG, date(2026, 1, 9), 1, date(2026, 1, 12)),
        (ENG, date(2026, 1, 10), 1, date(2026, 1, 12)),
        (ENG, date(2026, 1, 12), 5, date(2026, 1, 19)),
        (ENG, date(2026, 1, 12), 20, date(2026, 2, 9)),
        # n == 0: the start itself if working, otherwise the next working day
        (ENG, date(2026, 1, 12), 0, date(2026, 1, 12)),
        (ENG, date(2026, 1, 10), 0, date(2026, 1, 12)),
        (ENG, date(2026, 12, 25), 0, date(2026, 12, 29)),
    ],
)
def test_add_working_days(calendar: WorkingCalendar, start: date, n: int, expected: date) -> None:
    assert calendar.add_working_days(start, n) == expected


def test_add_working_days_rejects_negative() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        ENG.add_working_days(date(2026, 1, 12), -1)


def test_working_days_between() -> None:
    assert ENG.working_days_between(date(2026, 12, 18), date(2026, 12, 29)) == 5
    assert ENG_CLOSED.working_days_between(date(2026, 12, 18), date(2027, 1, 4)) == 5
    assert ENG.working_days_between(date(2026, 1, 12), date(2026, 1, 12)) == 0
    assert ENG.working_days_between(date(2026, 1, 19), date(2026, 1, 12)) == 0
    assert ENG.working_days_between(date(2026, 1, 9), date(2026, 1, 11)) == 0
    # a whole year: 261 weekdays in 2026 minus 8 weekday bank holidays in England
    assert ENG.working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 253


# --------------------------------------------------------------------------- working hours


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        # Friday 16:00 + 2h -> Monday 10:00
        (london(2026, 1, 9, 16), 2, london(2026, 1, 12, 10)),
        # ending exactly at close of play stays on the same day
        (london(2026, 1, 9, 16), 1, london(2026, 1, 9, 17)),
        (london(2026, 1, 12, 9), 8, london(2026, 1, 12, 17)),
        (london(2026, 1, 12, 9), 8.5, london(2026, 1, 13, 9, 30)),
        (london(2026, 1, 12, 9), 40, london(2026, 1, 16, 17)),
        # Thursday before Easter in England: Good Friday and Easter Monday are skipped
        (london(2026, 4, 2, 16), 2, london(2026, 4, 7, 10)),
        # starts outside working time: the clock starts at the next working moment
        (london(2026, 1, 10, 12), 1, london(2026, 1, 12, 10)),  # Saturday
        (london(2026, 1, 12, 7, 30), 0.5, london(2026, 1, 12, 9, 30)),  # before opening
        (london(2026, 1, 12, 18), 1, london(2026, 1, 13, 10)),  # after closing
        (london(2026, 12, 24, 16, 30), 1, london(2026, 12, 29, 9, 30)),  # Christmas
        # zero hours -> next working moment on/after start
        (london(2026, 1, 12, 11, 15), 0, london(2026, 1, 12, 11, 15)),
        (london(2026, 1, 12, 17), 0, london(2026, 1, 13, 9)),
        (london(2026, 1, 9, 17, 30), 0, london(2026, 1, 12, 9)),
    ],
)
def test_add_working_hours(start: datetime, hours: float, expected: datetime) -> None:
    result = ENG.add_working_hours(start, hours)
    assert result == expected
    assert result.tzinfo == LONDON
    assert result.utcoffset() == expected.utcoffset()


def test_add_working_hours_uses_the_given_calendar() -> None:
    # Monday 6 April 2026 is Easter Monday in England but a working day in Scotland
    start = london(2026, 4, 2, 16)
    assert CALENDARS["GB-SCT"].add_working_hours(start, 2) == london(2026, 4, 6, 10)


def test_add_working_hours_across_march_dst_change() -> None:
    # Clocks go forward on Sunday 29 March 2026: Friday is GMT, Monday is BST.
    start = london(2026, 3, 27, 16)
    result = ENG.add_working_hours(start, 2)
    assert result == london(2026, 3, 30, 10)
    assert start.utcoffset() == timedelta(0)
    assert result.utcoffset() == timedelta(hours=1)
    assert result.astimezone(UTC) - start.astimezone(UTC) == timedelta(
        hours=65
    )  # one real hour lost over the weekend
    assert ENG.working_seconds_between(start, result) == 2 * 3600


def test_add_working_hours_across_october_dst_change() -> None:
    # Clocks go back on Sunday 25 October 2026: Friday is BST, Monday is GMT.
    start = london(2026, 10, 23, 16)
    result = ENG.add_working_hours(start, 2)
    assert result == london(2026, 10, 26, 10)
    assert result.utcoffset() == timedelta(0)
    assert result.astimezone(UTC) - start.astimezone(UTC) == timedelta(
        hours=67
    )  # one real hour gained over the weekend
    assert ENG.working_seconds_between(start, result) == 2 * 3600


def test_working_day_with_a_dst_change_inside_working_hours() -> None:
    # Egypt springs forward at midnight on a Friday: a 00:00-23:59 working day is an hour short.
    cairo = ZoneInfo("Africa/Cairo")
    friday = date(2026, 4, 24)
    if (
        datetime.combine(friday, time(12), tzinfo=cairo).utcoffset()
        == datetime.combine(friday - timedelta(days=1), time(12), tzinfo=cairo).utcoffset()
    ):
        pytest.skip("installed tz database has no Egyptian DST change on 2026-04-24")
    calendar = WorkingCalendar(
        region="GB-ENG", timezone="Africa/Cairo", day_start=time(0), day_end=time(23, 59)
    )
    thursday_close = datetime(2026, 4, 23, 23, 59, tzinfo=cairo)
    friday_close = datetime(2026, 4, 24, 23, 59, tzinfo=cairo)
    assert calendar.working_seconds_between(thursday_close, friday_close) == (24 * 3600 - 60 - 3600)
    result = calendar.add_working_hours(thursday_close, 22)
    assert result == datetime(2026, 4, 24, 23, tzinfo=cairo)


def test_aware_start_in_another_zone_is_converted() -> None:
    start = datetime(2026, 7, 1, 8, tzinfo=UTC)  # 09:00 BST
    result = ENG.add_working_hours(start, 1)
    assert result == london(2026, 7, 1, 10)
    assert result.tzinfo == LONDON


def test_custom_day_and_timezone() -> None:
    dublin = WorkingCalendar(
        region="IE", timezone="Europe/Dublin", day_start=time(9, 30), day_end=time(16, 30)
    )
    start = datetime(2026, 3, 16, 16, tzinfo=DUBLIN)  # Monday; Tuesday is St Patrick's Day
    assert dublin.add_working_hours(start, 1) == datetime(2026, 3, 18, 10, tzinfo=DUBLIN)


def test_naive_and_negative_inputs_rejected() -> None:
    naive = datetime(2026, 1, 12, 10)  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"):
        ENG.add_working_hours(naive, 1)
    with pytest.raises(ValueError, match="aware"):
        ENG.working_seconds_between(naive, london(2026, 1, 12, 12))
    with pytest.raises(ValueError, match="aware"):
        ENG.working_seconds_between(
            london(2026, 1, 12, 9), london(2026, 1, 12, 12), [(naive, None)]
        )
    with pytest.raises(ValueError, match=">= 0"):
        ENG.add_working_hours(london(2026, 1, 12, 10), -1)


# --------------------------------------------------------------------------- working seconds


def test_working_seconds_between_basics() -> None:
    monday, friday = london(2026, 1, 12, 9), london(2026, 1, 16, 17)
    assert ENG.working_seconds_between(monday, friday) == 5 * 8 * 3600
    assert ENG.working_seconds_between(friday, monday) == 0
    assert ENG.working_seconds_between(monday, monday) == 0
    # evenings and weekends do not count
    assert ENG.working_seconds_between(london(2026, 1, 9, 16), london(2026, 1, 12, 10)) == 7200
    assert ENG.working_seconds_between(london(2026, 1, 9, 18), london(2026, 1, 12, 8)) == 0
    # Christmas week 2026 in England: 21-24 and 29-31 December
    assert (
        ENG.working_seconds_between(london(2026, 12, 21, 0), london(2027, 1, 1, 23)) == 7 * 8 * 3600
    )


def test_working_seconds_between_with_pauses() -> None:
    start, end = london(2026, 1, 12, 9), london(2026, 1, 12, 17)
    assert ENG.working_seconds_between(start, end) == 8 * 3600
    overlapping = [
        (london(2026, 1, 12, 10), london(2026, 1, 12, 11)),
        (london(2026, 1, 12, 10, 30), london(2026, 1, 12, 12)),
    ]
    assert ENG.working_seconds_between(start, end, overlapping) == 6 * 3600
    # a duplicate and a nested pause change nothing
    nested = [*overlapping, overlapping[0], (london(2026, 1, 12, 11), london(2026, 1, 12, 11, 30))]
    assert ENG.working_seconds_between(start, end, nested) == 6 * 3600
    # an open-ended pause lasts until `end`
    open_ended = [*overlapping, (london(2026, 1, 12, 15), None)]
    assert ENG.working_seconds_between(start, end, open_ended) == 4 * 3600
    # pauses outside working time, before start or after end are irrelevant
    irrelevant = [
        (london(2026, 1, 12, 18), london(2026, 1, 12, 20)),
        (london(2026, 1, 1, 0), london(2026, 1, 12, 9)),
        (london(2026, 1, 12, 17), None),
        (london(2026, 1, 12, 12), london(2026, 1, 12, 11)),  # inverted: ignored
    ]
    assert ENG.working_seconds_between(start, end, irrelevant) == 8 * 3600
    # a pause over a weekend only removes the working hours it covers
    over_weekend = [(london(2026, 1, 9, 16), london(2026, 1, 12, 10))]
    assert (
        ENG.working_seconds_between(london(2026, 1, 9, 9), london(2026, 1, 12, 17), over_weekend)
        == 14 * 3600
    )
    # an open-ended pause from before start means no working time at all
    assert ENG.working_seconds_between(start, end, [(london(2026, 1, 1), None)]) == 0


# --------------------------------------------------------------------------- properties

regions = st.sampled_from([*REGIONS, "closed"])
dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
moments = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001 (hypothesis wants naive bounds)
    max_value=datetime(2029, 12, 31),  # noqa: DTZ001
    timezones=st.sampled_from([LONDON, UTC, DUBLIN]),
    allow_imaginary=False,
)
whole_second_moments = moments.map(lambda m: m.replace(microsecond=0))
quarter_hours = st.integers(min_value=0, max_value=400).map(lambda q: q / 4)


def calendar_for(region: str) -> WorkingCalendar:
    return ENG_CLOSED if region == "closed" else CALENDARS[region]


@PROPERTY_SETTINGS
@given(region=regions, start=dates, n=st.integers(min_value=1, max_value=400))
def test_property_add_working_days_lands_on_working_day(region: str, start: date, n: int) -> None:
    calendar = calendar_for(region)
    result = calendar.add_working_days(start, n)
    assert result > start
    assert calendar.is_working_day(result)
    assert calendar.working_days_between(start, result) == n
    assert calendar.working_days_between(start, result - timedelta(days=1)) == n - 1


@PROPERTY_SETTINGS
@given(region=regions, start=dates)
def test_property_zero_days_is_next_working_day(region: str, start: date) -> None:
    calendar = calendar_for(region)
    result = calendar.add_working_days(start, 0)
    assert result >= start
    assert calendar.is_working_day(result)
    day = start
    while day < result:
        assert not calendar.is_working_day(day)
        day += timedelta(days=1)


@PROPERTY_SETTINGS
@given(
    region=regions,
    start=dates,
    n=st.integers(min_value=0, max_value=300),
    k=st.integers(min_value=1, max_value=50),
)
def test_property_add_working_days_is_monotonic(region: str, start: date, n: int, k: int) -> None:
    calendar = calendar_for(region)
    earlier, later = calendar.add_working_days(start, n), calendar.add_working_days(start, n + k)
    assert earlier <= later
    # strictly increasing, except that 0 and 1 both give the next working day when the start
    # is not a working day; adding in two steps then also matches adding in one
    if n or calendar.is_working_day(start):
        assert earlier < later
        two_steps = calendar.add_working_days(calendar.add_working_days(start, n), k)
        assert two_steps == calendar.add_working_days(start, n + k)


@PROPERTY_SETTINGS
@given(region=regions, a=dates, b=dates, c=dates)
def test_property_working_days_between_is_additive(region: str, a: date, b: date, c: date) -> None:
    a, b, c = sorted((a, b, c))
    calendar = calendar_for(region)
    total = calendar.working_days_between(a, c)
    assert total == calendar.working_days_between(a, b) + calendar.working_days_between(b, c)
    assert calendar.working_days_between(c, a) == 0


@PROPERTY_SETTINGS
@given(region=regions, raw=moments, hours=quarter_hours)
def test_property_add_hours_round_trips(region: str, raw: datetime, hours: float) -> None:
    calendar = calendar_for(region)
    start = calendar.add_working_hours(raw, 0)
    assert start >= raw
    assert calendar.add_working_hours(start, 0) == start  # a working moment is a fixed point
    assert calendar.is_working_day(start.date())
    assert calendar.day_start <= start.time() < calendar.day_end
    assert calendar.working_seconds_between(raw, start) == 0
    end = calendar.add_working_hours(start, hours)
    assert end.tzinfo == LONDON
    assert calendar.working_seconds_between(start, end) == hours * 3600
    assert calendar.working_seconds_between(raw, end) == hours * 3600


@PROPERTY_SETTINGS
@given(raw=moments, seconds=st.integers(min_value=0, max_value=300 * 3600))
def test_property_add_seconds_round_trips(raw: datetime, seconds: int) -> None:
    end = ENG.add_working_seconds(raw, seconds)
    assert end >= raw
    assert ENG.working_seconds_between(raw, end) == seconds
    # `end` is the earliest such instant: one second less of working time is not enough
    if seconds:
        assert ENG.working_seconds_between(raw, end - timedelta(seconds=1)) == seconds - 1


@INTERVAL_SETTINGS
@given(
    region=regions,
    a=whole_second_moments,
    b=whole_second_moments,
    pauses=st.lists(st.tuples(whole_second_moments, st.none() | whole_second_moments), max_size=5),
)
def test_property_pauses_never_increase_working_time(
    region: str, a: datetime, b: datetime, pauses: list[tuple[datetime, datetime | None]]
) -> None:
    calendar = calendar_for(region)
    start, end = min(a, b), max(a, b)
    unpaused = calendar.working_seconds_between(start, end)
    paused = calendar.working_seconds_between(start, end, pauses)
    assert 0 <= paused <= unpaused
    # more pauses never give more working time
    assert calendar.working_seconds_between(start, end, pauses[1:]) >= paused
    # pausing everything leaves nothing
    assert calendar.working_seconds_between(start, end, [*pauses, (start, None)]) == 0


@INTERVAL_SETTINGS
@given(region=regions, a=whole_second_moments, b=whole_second_moments, m=whole_second_moments)
def test_property_pause_from_start_equals_later_start(
    region: str, a: datetime, b: datetime, m: datetime
) -> None:
    start, middle, end = sorted((a, b, m))
    calendar = calendar_for(region)
    assert calendar.working_seconds_between(start, end, [(start, middle)]) == (
        calendar.working_seconds_between(middle, end)
    )


@INTERVAL_SETTINGS
@given(region=regions, a=whole_second_moments, b=whole_second_moments, m=whole_second_moments)
def test_property_splitting_an_interval_adds_up(
    region: str, a: datetime, b: datetime, m: datetime
) -> None:
    start, middle, end = sorted((a, b, m))
    calendar = calendar_for(region)
    whole = calendar.working_seconds_between(start, end)
    assert whole == calendar.working_seconds_between(
        start, middle
    ) + calendar.working_seconds_between(middle, end)
    assert calendar.working_seconds_between(end, start) == 0
