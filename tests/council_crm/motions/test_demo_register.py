"""The demo council comes with a register worth exploring."""

from __future__ import annotations

import pytest
from django.utils import timezone

from apps.council_crm import models as m

pytestmark = pytest.mark.slow  # loads four years of the demo register


def test_the_demo_register_has_years_of_motions_in_every_state():
    motions = m.Motion.objects.all()
    assert 100 <= motions.count() <= 150
    years = {d.year for d in motions.values_list("submitted_on", flat=True)}
    assert len(years) >= 4
    assert set(motions.values_list("status", flat=True)) == set(m.Motion.Status.values)
    proposers = set(motions.values_list("proposer__user__username", flat=True))
    assert len(proposers) >= 15
    assert m.Topic.objects.count() >= 10
    assert m.MotionReply.objects.filter(department__isnull=False).exists()
    actions = m.FollowUpAction.objects.all()
    assert set(actions.values_list("status", flat=True)) == set(m.FollowUpAction.Status.values)
    assert m.FollowUpAction.objects.overdue().count() >= 3
    assert m.ActionProgressNote.objects.count() > actions.count()
    for motion in motions.filter(status__in=m.Motion.DECIDED):
        assert motion.decision_date, motion.reference
        assert motion.events.filter(kind="decision").exists(), motion.reference
    for action in actions.select_related("motion"):
        assert action.due_date >= action.motion.decision_date, action
    # every change is on the timeline, dated as it happened: nothing after today
    assert not m.MotionEvent.objects.filter(created_at__gt=timezone.now()).exists()
    # public pages never name the staff actor: the demo history has none to name
    assert not m.MotionEvent.objects.filter(actor__isnull=False).exists()


def test_the_demo_register_pages_answer(client):
    motion = m.Motion.objects.filter(status="passed", actions__isnull=False).first()
    assert client.get("/motions/").status_code == 200
    response = client.get(motion.get_absolute_url())
    assert response.status_code == 200
    assert motion.title in response.content.decode()
    for topic in m.Topic.objects.all():
        assert client.get(topic.get_absolute_url()).status_code == 200
