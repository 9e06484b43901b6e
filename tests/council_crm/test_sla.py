"""Service standards on the working calendar: due dates, pauses, at-risk and breach (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.council_crm.calendar import WorkingCalendar
from apps.council_crm.sla import SlaState, due_after_pause, due_at, state

LONDON = ZoneInfo("Europe/London")
ENG = WorkingCalendar(region="GB-ENG", closures=[date(2026, 12, 29)], timezone="Europe/London")
SCT = WorkingCalendar(region="GB-SCT", timezone="Europe/London")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def test_working_days_standard_ends_at_close_of_the_last_working_day():
    # Monday 23 Nov 2026, 10 working days -> Monday 7 Dec, 17:00
    assert due_at(created=at(2026, 11, 23, 10), kind="working_days", value=10, calendar=ENG) == at(
        2026, 12, 7, 17
    )


def test_working_days_skip_christmas_bank_holidays_and_closure_days():
    # Friday 18 Dec 2026 + 5: 21, 22, 23, 24 (25 Christmas, 28 Boxing Day substitute,
    # 29 council closure) -> 30 Dec
    assert due_at(created=at(2026, 12, 18, 12), kind="working_days", value=5, calendar=ENG) == at(
        2026, 12, 30, 17
    )


def test_regions_differ_on_st_andrews_day():
    created = at(2026, 11, 27, 12)  # Friday; Monday 30 Nov is St Andrew's Day in Scotland
    assert due_at(created=created, kind="working_days", value=1, calendar=ENG).date() == date(
        2026, 11, 30
    )
    assert due_at(created=created, kind="working_days", value=1, calendar=SCT).date() == date(
        2026, 12, 1
    )


def test_urgent_standard_counts_working_hours():
    # Friday 16:00 + 4 working hours -> Monday 12:00
    assert due_at(created=at(2026, 11, 27, 16), kind="working_hours", value=4, calendar=ENG) == at(
        2026, 11, 30, 12
    )


def test_a_pause_moves_the_due_date_by_the_working_time_stopped():
    due = at(2026, 12, 4, 17)
    # paused Tuesday 10:00 to Thursday 10:00: two working days of clock
    moved = due_after_pause(
        due=due, paused_from=at(2026, 12, 1, 10), resumed_at=at(2026, 12, 3, 10), calendar=ENG
    )
    assert moved == at(2026, 12, 8, 17)
    # a pause over a weekend only costs nothing
    assert (
        due_after_pause(
            due=due, paused_from=at(2026, 11, 28, 10), resumed_at=at(2026, 11, 29, 20), calendar=ENG
        )
        == due
    )


def test_states():
    created = at(2026, 11, 23, 9)
    due = at(2026, 12, 7, 17)
    common = dict(created=created, due=due, calendar=ENG, at_risk_fraction=0.2, open_=True)
    assert state(now=at(2026, 11, 24, 9), paused_since=None, **common) == SlaState.ON_TRACK
    assert state(now=at(2026, 12, 7, 9), paused_since=None, **common) == SlaState.AT_RISK
    assert state(now=at(2026, 12, 7, 17), paused_since=None, **common) == SlaState.BREACHED
    assert (
        state(now=at(2026, 12, 9, 9), paused_since=at(2026, 12, 1, 9), **common) == SlaState.PAUSED
    )
    assert (
        state(now=at(2026, 12, 9, 9), paused_since=None, **{**common, "open_": False})
        == SlaState.STOPPED
    )


# whole seconds: the clock counts working time in whole seconds
instants = st.datetimes(
    min_value=datetime(2025, 1, 1),  # noqa: DTZ001 - hypothesis takes naive bounds
    max_value=datetime(2028, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
).map(lambda d: d.replace(microsecond=0))


@settings(max_examples=150, deadline=None)
@given(created=instants, days=st.integers(1, 30))
def test_property_working_day_due_dates_land_on_a_working_day_at_close(created, days):
    due = due_at(created=created, kind="working_days", value=days, calendar=ENG)
    local = due.astimezone(LONDON)
    assert ENG.is_working_day(local.date())
    assert local.time() == ENG.day_end
    assert ENG.working_days_between(created.astimezone(LONDON).date(), local.date()) == days


@settings(max_examples=150, deadline=None)
@given(
    created=instants,
    hours=st.integers(1, 40),
    pauses=st.lists(
        st.tuples(st.integers(0, 20 * 24 * 60), st.integers(0, 5 * 24 * 60)), max_size=4
    ),
)
def test_property_pauses_give_back_exactly_the_working_time_they_took(created, hours, pauses):
    due = due_at(created=created, kind="working_hours", value=hours, calendar=ENG)
    allowance = ENG.working_seconds_between(created, due)
    assert allowance == hours * 3600
    cursor, spans, paused_after_breach = created, [], False
    for gap, length in pauses:
        start = cursor + timedelta(minutes=gap)
        end = start + timedelta(minutes=length)
        paused_after_breach |= start >= due
        due = due_after_pause(due=due, paused_from=start, resumed_at=end, calendar=ENG)
        spans.append((start, end))
        cursor = end
    ran = ENG.working_seconds_between(created, due, paused=spans)
    if paused_after_breach:
        # the clock had already run out before that pause: it used more than the allowance
        assert ran >= allowance
    else:
        # every working second stopped is given back: the time on the clock is the allowance
        assert ran == allowance
    assert due >= due_at(created=created, kind="working_hours", value=hours, calendar=ENG)
