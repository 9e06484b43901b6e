"""The weekly digest (issue 14 point 6): opt-in, through the outbox, once a week."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from apps.council_crm import models as m
from apps.council_crm.services.member import (
    digest_week,
    member_digests_run,
    member_preferences_update,
)
from apps.council_crm.tasks import PERIODIC_JOBS
from tests.factories.cases import report_pothole, resident

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 3, 9)


def test_digest_week_is_the_week_before():
    label, start, end = digest_week(MONDAY + timedelta(days=3))
    assert label == "2026-W10"
    assert start.date() == date(2026, 3, 2)
    assert end.date() == MONDAY


def test_only_opted_in_councillors_get_one_digest_a_week(world, cllr):
    tz = timezone.get_current_timezone()
    last_week = datetime(2026, 3, 4, 10, tzinfo=tz)
    mine = report_pothole(
        division="FE01",
        contact=resident(email="c1@example.com"),
        actor=cllr.user,
        on_behalf_of=cllr,
        raised_as="councillor",
        now=last_week,
    ).case
    m.ServiceRequest.objects.filter(pk=mine.pk).update(sla_due_at=last_week)
    for i in range(6):
        report_pothole(division="FE01", contact=resident(email=f"n{i}@example.com"), now=last_week)
    assert member_digests_run(today=MONDAY) == 0  # nobody opted in
    member_preferences_update(user=cllr.user, actor=cllr.user, choices={"weekly_digest": True})
    assert member_digests_run(today=MONDAY) == 1
    assert member_digests_run(today=MONDAY + timedelta(days=2)) == 0  # same week: once
    digest = m.OutboxMessage.objects.get(event="member_digest")
    assert digest.recipient == "cllr.fe01@example.com"
    assert "2026-W10" in digest.subject
    assert mine.reference in digest.body  # changed, and past its promised date
    assert "Your cases past their promised date (1)" in digest.body
    assert f"{world.case.division.name}: 7" in digest.body  # 1 + 6 new in the division
    assert member_digests_run(today=MONDAY + timedelta(days=7)) == 1  # next week


def test_small_division_counts_are_not_given(world, cllr):
    member_preferences_update(user=cllr.user, actor=cllr.user, choices={"weekly_digest": True})
    tz = timezone.get_current_timezone()
    report_pothole(
        division="FE01",
        contact=resident(email="z@example.com"),
        now=datetime(2026, 3, 4, tzinfo=tz),
    )
    member_digests_run(today=MONDAY)
    body = m.OutboxMessage.objects.get(event="member_digest").body
    assert "fewer than 5" in body


def test_the_digest_runs_with_the_periodic_jobs():
    assert member_digests_run in PERIODIC_JOBS
