"""The lifecycle rules: recording, deciding, replying and follow-up actions, with their timeline."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.council_crm import models as m
from apps.council_crm.services.motions import (
    motion_action_add,
    motion_action_update,
    motion_edit,
    motion_record_decision,
    motion_reply_add,
    motion_schedule,
)

from .conftest import days_ago, team

Status = m.Motion.Status
ActionStatus = m.FollowUpAction.Status


def test_a_recorded_motion_gets_a_reference_and_a_public_timeline(make_motion, officer, client):
    year = days_ago(60).year
    before = m.Motion.objects.filter(reference__startswith=f"NOM-{year}-").count()
    motion = make_motion()
    assert motion.reference == f"NOM-{year}-{before + 1:03d}"  # the demo register numbers on
    assert motion.status == Status.SUBMITTED
    event = motion.events.get()
    assert event.kind == "submitted"
    assert "Submitted on" in event.text
    assert "Cllr Rachel Amos" in event.text
    assert event.actor == officer  # kept for the council's records

    page = client.get(f"/motions/{motion.reference}/").content.decode()
    assert motion.title in page
    assert "seconded by Cllr Oliver Brent" in page
    assert officer.get_full_name() not in page  # the staff actor is never public


def test_references_skip_numbers_an_import_already_used(make_motion):
    year = days_ago(60).year
    n = m.Motion.objects.filter(reference__startswith=f"NOM-{year}-").count()
    make_motion(reference=f"NOM-{year}-{n + 1:03d}")  # as an import would have it
    motion = make_motion(title="Another")
    assert motion.reference == f"NOM-{year}-{n + 2:03d}"


def test_a_decided_motion_needs_a_decision_date_and_nothing_is_written_without_one(
    make_motion, officer
):
    motion = make_motion()
    with pytest.raises(ValidationError) as error:
        motion_record_decision(
            motion=motion, status=Status.PASSED, decision_date=None, actor=officer
        )
    assert error.value.message_dict["decision_date"] == ["Enter the date of the decision"]
    motion.refresh_from_db()
    assert motion.status == Status.SUBMITTED
    assert motion.events.count() == 1


@pytest.mark.parametrize(
    ("status", "day", "text", "field", "message"),
    [
        ("", 5, "", "status", "Select the outcome"),
        (Status.PASSED, -1, "", "decision_date", "The date must be today or in the past"),
        (Status.PASSED, 90, "", "decision_date", "cannot be before the motion was submitted"),
        (Status.PASSED_AMENDED, 5, "", "decision_text", "Enter the motion as amended"),
        (Status.SUBMITTED, 5, "", "status", "Select the outcome"),
    ],
)
def test_decisions_are_checked(make_motion, officer, status, day, text, field, message):
    motion = make_motion()
    with pytest.raises(ValidationError) as error:
        motion_record_decision(
            motion=motion,
            status=status,
            decision_date=days_ago(day),
            decision_text=text,
            actor=officer,
        )
    assert message in error.value.message_dict[field][0]


def test_a_decision_goes_on_the_timeline_and_can_be_corrected(make_motion, officer):
    meeting = m.Meeting.objects.create(title="Full Council", body="Full Council", date=days_ago(30))
    motion = make_motion()
    motion = motion_schedule(motion=motion, meeting=meeting, actor=officer)
    assert motion.status == Status.ON_AGENDA
    motion = motion_record_decision(
        motion=motion,
        status=Status.DEFEATED,
        decision_date=days_ago(30),
        decision_text="Lost: 9 for, 14 against.",
        actor=officer,
    )
    last = motion.events.last()
    assert last.text.startswith(f"Defeated at Full Council on {days_ago(30).day}")
    assert "Lost: 9 for, 14 against." in last.text

    motion = motion_record_decision(
        motion=motion,
        status=Status.PASSED,
        decision_date=days_ago(30),
        decision_text="Carried: 14 for, 9 against.",
        actor=officer,
    )
    assert motion.events.last().text.startswith("Decision corrected: Passed")
    with pytest.raises(ValidationError, match="cannot be deferred"):
        motion_record_decision(
            motion=motion, status=Status.DEFERRED, decision_date=days_ago(30), actor=officer
        )


def test_an_actions_due_date_cannot_precede_the_decision(passed_motion, officer):
    with pytest.raises(ValidationError) as error:
        motion_action_add(
            motion=passed_motion,
            description="Survey the road",
            owner_team=team("HWY-RS"),
            due_date=days_ago(41),
            actor=officer,
        )
    assert "cannot be before the decision" in error.value.message_dict["due_date"][0]
    assert not passed_motion.actions.exists()
    assert passed_motion.events.filter(kind="action").count() == 0


def test_a_withdrawn_motion_takes_no_new_actions(make_motion, officer):
    motion = make_motion()
    motion = motion_record_decision(
        motion=motion, status=Status.WITHDRAWN, decision_date=days_ago(10), actor=officer
    )
    with pytest.raises(ValidationError) as error:
        motion_action_add(
            motion=motion,
            description="Write to the bus operator",
            owner_team=team("PLC-PT"),
            due_date=days_ago(-30),
            actor=officer,
        )
    assert "it takes no new actions" in error.value.messages[0]
    assert not motion.actions.exists()


def test_a_motion_with_open_actions_cannot_be_withdrawn(open_action, officer):
    with pytest.raises(ValidationError, match="cancel them before"):
        motion_record_decision(
            motion=open_action.motion,
            status=Status.WITHDRAWN,
            decision_date=days_ago(5),
            actor=officer,
        )


def test_action_progress_blocked_needs_a_reason_and_done_records_the_date(open_action, officer):
    with pytest.raises(ValidationError) as error:
        motion_action_update(action=open_action, status=ActionStatus.BLOCKED, actor=officer)
    assert error.value.message_dict["note"] == ["Say why the action is blocked"]
    with pytest.raises(ValidationError, match="Change the status or the due date"):
        motion_action_update(action=open_action, actor=officer)

    action = motion_action_update(
        action=open_action,
        status=ActionStatus.IN_PROGRESS,
        note="Speed survey booked for next week.",
        actor=officer,
    )
    assert action.notes.get().text == "Speed survey booked for next week."
    action = motion_action_update(
        action=action,
        status=ActionStatus.DONE,
        noted_on=days_ago(1),
        note="Crossing open.",
        actor=officer,
    )
    assert action.completed_on == days_ago(1)
    texts = list(action.motion.events.values_list("text", flat=True))
    assert any("status changed from Not started to In progress" in t for t in texts)
    assert any("status changed from In progress to Done. Crossing open." in t for t in texts)

    action = motion_action_update(action=action, status=ActionStatus.IN_PROGRESS, actor=officer)
    assert action.completed_on is None  # reopened


def test_moving_a_due_date_before_the_decision_is_refused(open_action, officer):
    with pytest.raises(ValidationError, match="cannot be before the decision"):
        motion_action_update(action=open_action, due_date=days_ago(45), actor=officer)
    open_action.refresh_from_db()
    assert open_action.due_date > timezone.localdate()


def test_replies_need_a_source_a_date_and_text(passed_motion, officer):
    with pytest.raises(ValidationError) as error:
        motion_reply_add(motion=passed_motion, replied_on=None, text="", actor=officer)
    assert set(error.value.message_dict) == {"department", "replied_on", "text"}
    reply = motion_reply_add(
        motion=passed_motion,
        department=m.Department.objects.get(code="HWY"),
        officer_name="Director of Highways and Transport",
        replied_on=days_ago(20),
        text="A crossing has been designed.",
        actor=officer,
    )
    assert reply.author == "Director of Highways and Transport, Highways"
    assert passed_motion.events.filter(kind="reply").exists()


def test_editing_the_wording_is_on_the_timeline(make_motion, officer):
    motion = make_motion()
    topic = m.Topic.objects.get(slug="road-safety-near-schools")
    motion = motion_edit(
        motion=motion,
        title="Safer crossings outside Fernbridge Academy and St Mary's",
        text=motion.text,
        seconder=None,
        topics=[topic],
        actor=officer,
    )
    text = motion.events.last().text
    assert "Title changed" in text
    assert "Seconder removed" in text
    assert "Topics changed to: Road safety and speed limits near schools" in text
    count = motion.events.count()
    motion_edit(
        motion=motion,
        title=motion.title,
        text=motion.text,
        seconder=None,
        topics=[topic],
        actor=officer,
    )
    assert motion.events.count() == count  # no change, no line


def test_the_public_page_shows_decision_replies_actions_and_progress(open_action, officer, client):
    motion_action_update(
        action=open_action, status=ActionStatus.IN_PROGRESS, note="Design drawn up.", actor=officer
    )
    overdue = motion_action_add(
        motion=open_action.motion,
        description="Repaint the school keep-clear markings",
        owner_team=team("HWY-S"),
        due_date=days_ago(2),
        actor=officer,
    )
    response = client.get(open_action.motion.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "Carried unanimously.",
        "Design a zebra crossing on Station Road",
        "Road Safety and Traffic Management",
        "Design drawn up.",
        "In progress",
        overdue.description,
        "Overdue",
        "Follow-up action agreed",
    ):
        assert text in page, text
    assert officer.get_full_name() not in page
    assert client.get("/motions/NOM-1999-999/").status_code == 404
