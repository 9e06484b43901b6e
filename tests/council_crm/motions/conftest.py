"""Fixtures for the register of notices of motion, on the demo council."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from apps.council_crm import models as m
from apps.council_crm.services.motions import (
    motion_action_add,
    motion_record,
    motion_record_decision,
)


@pytest.fixture(autouse=True)
def _demo_council_and_local_email(demo_site, settings):
    """Every test here runs on the demo council (its register included), email kept locally."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CRM_NOTIFY_API_KEY = ""


@pytest.fixture
def officer(demo_site) -> m.User:
    """A member of staff who keeps the register (Democratic Services)."""
    return m.User.objects.get(username="joanna.webster")


@pytest.fixture
def staff_client(client, officer):
    client.force_login(officer)
    return client


def councillor(username: str) -> m.Councillor:
    return m.Councillor.objects.get(user__username=username)


@pytest.fixture
def proposer(demo_site) -> m.Councillor:
    return councillor("cllr.rachel.amos")


@pytest.fixture
def seconder(demo_site) -> m.Councillor:
    return councillor("cllr.oliver.brent")


def team(code: str) -> m.Team:
    return m.Team.objects.get(code=code)


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)


@pytest.fixture
def make_motion(officer, proposer, seconder):
    def make(**kw) -> m.Motion:
        values = {
            "title": "Safer crossings outside Fernbridge Academy",
            "text": "This Council notes the near misses on Station Road outside Fernbridge "
            "Academy and resolves to install a zebra crossing.",
            "proposer": proposer,
            "seconder": seconder,
            "submitted_on": days_ago(60),
            "actor": officer,
        }
        values.update(kw)
        return motion_record(**values)

    return make


@pytest.fixture
def passed_motion(make_motion, officer) -> m.Motion:
    motion = make_motion()
    return motion_record_decision(
        motion=motion,
        status=m.Motion.Status.PASSED,
        decision_date=days_ago(40),
        decision_text="Carried unanimously.",
        actor=officer,
    )


@pytest.fixture
def open_action(passed_motion, officer) -> m.FollowUpAction:
    return motion_action_add(
        motion=passed_motion,
        description="Design a zebra crossing on Station Road",
        owner_team=team("HWY-RS"),
        due_date=timezone.localdate() + timedelta(days=30),
        actor=officer,
    )
