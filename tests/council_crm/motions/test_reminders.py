"""Owners hear about actions before they are due and when overdue: once each, via the outbox."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from django.core import mail
from django.urls import resolve
from django.utils import timezone

from apps.council_crm import models as m
from apps.council_crm.notifications.outbox import outbox_dispatch
from apps.council_crm.selectors.motions import actions_overdue
from apps.council_crm.services.motions import (
    motion_action_add,
    motion_action_update,
    motion_actions_remind,
    motions_monthly_reports_run,
)

from .conftest import days_ago, team

DUE = m.NotificationEvent.MOTION_ACTION_DUE
OVERDUE = m.NotificationEvent.MOTION_ACTION_OVERDUE


def leader_of(code: str) -> m.User:
    return m.User.objects.get(
        staff_profile__memberships__team__code=code, staff_profile__memberships__role="leader"
    )


def messages_for(action: m.FollowUpAction) -> list[m.OutboxMessage]:
    return list(m.OutboxMessage.objects.filter(dedupe_key__contains=f":{action.pk}:"))


def test_overdue_detection(open_action, officer):
    late = motion_action_add(
        motion=open_action.motion,
        description="Repaint the markings",
        owner_team=team("HWY-S"),
        due_date=days_ago(1),
        actor=officer,
    )
    done = motion_action_add(
        motion=open_action.motion,
        description="Tell the school",
        owner_team=team("HWY-S"),
        due_date=days_ago(2),
        actor=officer,
    )
    motion_action_update(action=done, status="done", actor=officer)
    overdue = list(actions_overdue())
    assert late in overdue
    assert done not in overdue  # done is never overdue
    assert open_action not in overdue
    assert late.is_overdue()
    assert not open_action.is_overdue()
    assert open_action.is_overdue(today=open_action.due_date + timedelta(days=1))


def test_owners_are_told_a_week_before_and_once_overdue_each_once(open_action, officer):
    leader = leader_of("HWY-RS")
    motion_action_update(
        action=open_action, due_date=timezone.localdate() + timedelta(days=5), actor=officer
    )
    m.OutboxMessage.objects.all().delete()

    # a week before: one message to the team leader
    assert motion_actions_remind() >= 1
    mine = messages_for(open_action)
    assert [(msg.event, msg.recipient) for msg in mine] == [(DUE, leader.email)]
    assert open_action.motion.reference in mine[0].subject
    assert open_action.description in mine[0].body
    # running the job again sends nothing new
    motion_actions_remind()
    assert len(messages_for(open_action)) == 1

    # after the due date: the overdue message, once
    later = timezone.now() + timedelta(days=7)
    motion_actions_remind(now=later)
    motion_actions_remind(now=later)
    events = sorted(msg.event for msg in messages_for(open_action))
    assert events == sorted([DUE, OVERDUE])

    # a new due date is a new deadline: told again
    motion_action_update(
        action=open_action, due_date=timezone.localdate() + timedelta(days=3), actor=officer
    )
    motion_actions_remind()
    assert len(messages_for(open_action)) == 3

    # and the email goes out through the outbox
    outbox_dispatch(limit=100)
    assert any(leader.email in e.to and "is due on" in e.body for e in mail.outbox)


def test_the_reminder_links_are_on_the_public_address_and_open_the_motion(
    open_action, officer, settings
):
    # given a council whose public address is not the development server
    settings.CRM_PUBLIC_URL = "https://crm.fernshire.example/"
    motion_action_update(
        action=open_action, due_date=timezone.localdate() + timedelta(days=2), actor=officer
    )
    m.OutboxMessage.objects.all().delete()
    # when the owners are reminded
    motion_actions_remind()
    # then both links (the public page and the desk) are on that address and resolve
    body = messages_for(open_action)[0].body
    links = re.findall(r"https?://\S+", body)
    reference = open_action.motion.reference
    assert len(links) == 2, body
    assert all(link.startswith("https://crm.fernshire.example/") for link in links), links
    views = {resolve(urlsplit(link).path).view_name for link in links}
    assert views == {"motions:detail", "motions_desk:manage"}
    assert all(resolve(urlsplit(link).path).kwargs["reference"] == reference for link in links)


def test_nothing_is_sent_for_actions_far_off_done_or_cancelled(open_action, officer):
    m.OutboxMessage.objects.all().delete()
    motion_actions_remind()
    assert messages_for(open_action) == []  # due in a month
    motion_action_update(
        action=open_action,
        status="cancelled",
        note="Superseded by the county-wide review.",
        actor=officer,
    )
    motion_actions_remind(now=timezone.now() + timedelta(days=60))
    assert messages_for(open_action) == []


def test_the_periodic_run_includes_the_motion_jobs():
    from apps.council_crm.tasks import PERIODIC_JOBS

    assert motion_actions_remind in PERIODIC_JOBS
    assert motions_monthly_reports_run in PERIODIC_JOBS
