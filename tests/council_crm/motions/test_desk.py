"""The staff desk for the register: forms, GOV.UK error summaries, access."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.council_crm import models as m

from .conftest import councillor, days_ago, team


def date_fields(prefix: str, value) -> dict[str, str]:
    if value is None:
        return {f"{prefix}_0": "", f"{prefix}_1": "", f"{prefix}_2": ""}
    return {f"{prefix}_0": value.day, f"{prefix}_1": value.month, f"{prefix}_2": value.year}


def test_the_desk_is_for_staff_only(client, demo_site, make_motion):
    motion = make_motion()
    assert client.get("/desk/motions/").status_code == 302  # sign in first
    client.force_login(councillor("cllr.rachel.amos").user)
    assert client.get("/desk/motions/").status_code == 404
    assert client.get(f"/desk/motions/{motion.reference}/").status_code == 404
    response = client.post(
        f"/desk/motions/{motion.reference}/decision/", {"decision-status": "passed"}
    )
    assert response.status_code == 404
    motion.refresh_from_db()
    assert motion.status == "submitted"


def test_recording_a_motion_from_the_desk(staff_client, officer):
    topic = m.Topic.objects.get(slug="flooding-and-drainage")
    response = staff_client.post(
        "/desk/motions/new/",
        {
            "title": "Flood defences for Tollerby Marina",
            "text": "This Council notes the flooding at Tollerby Marina and resolves to ask the "
            "Environment Agency for a flood alleviation scheme.",
            "proposer": councillor("cllr.imran.siddiqui").pk,
            "seconder": councillor("cllr.beverley.stokes").pk,
            **date_fields("submitted_on", days_ago(3)),
            "topics": [topic.pk],
            "action": "save",
        },
    )
    motion = m.Motion.objects.get(title="Flood defences for Tollerby Marina")
    assert response.status_code == 302
    assert response["Location"] == f"/desk/motions/{motion.reference}/"
    page = staff_client.get(response["Location"]).content.decode()
    assert f"Motion {motion.reference} recorded" in page
    assert "Similar motions" in page
    assert list(motion.topics.all()) == [topic]
    assert motion.events.get().actor == officer


def test_a_bad_motion_form_shows_an_error_summary_and_writes_nothing(staff_client):
    before = m.Motion.objects.count()
    response = staff_client.post(
        "/desk/motions/new/",
        {
            "title": "",
            "text": "",
            "proposer": councillor("cllr.rachel.amos").pk,
            "seconder": councillor("cllr.rachel.amos").pk,
            "submitted_on_0": "31",
            "submitted_on_1": "2",
            "submitted_on_2": "2026",
            "action": "save",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="govuk-error-summary"' in page
    assert "There is a problem" in page
    assert "<title>Error:" in page
    assert 'href="#id_submitted_on_0">Date submitted must be a real date' in page
    assert m.Motion.objects.count() == before

    response = staff_client.post(
        "/desk/motions/new/",
        {
            "title": "",
            "text": "",
            "proposer": councillor("cllr.rachel.amos").pk,
            "seconder": councillor("cllr.rachel.amos").pk,
            **date_fields("submitted_on", days_ago(1)),
            "action": "save",
        },
    )
    page = response.content.decode()
    assert 'href="#id_title">Enter the title of the motion</a>' in page
    assert 'href="#id_text">Enter the text of the motion</a>' in page
    assert "The seconder must be a different councillor from the proposer" in page
    assert 'id="id_title_error"' in page
    assert m.Motion.objects.count() == before


def test_a_decision_without_a_date_is_refused_with_a_link_to_the_date(staff_client, make_motion):
    motion = make_motion()
    response = staff_client.post(
        f"/desk/motions/{motion.reference}/decision/",
        {"decision-status": "passed", **date_fields("decision-decision_date", None)},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_decision-decision_date_0">Enter the date of the decision</a>' in page
    motion.refresh_from_db()
    assert motion.status == "submitted"
    assert motion.decision_date is None


def test_recording_decision_reply_action_and_progress_from_the_desk(staff_client, make_motion):
    motion = make_motion()
    url = f"/desk/motions/{motion.reference}/"
    response = staff_client.post(
        url + "decision/",
        {
            "decision-status": "passed",
            **date_fields("decision-decision_date", days_ago(10)),
            "decision-decision_text": "Carried: 20 for, 2 against.",
        },
    )
    assert response.status_code == 302
    response = staff_client.post(
        url + "replies/",
        {
            "reply-department": m.Department.objects.get(code="HWY").pk,
            "reply-officer_name": "Road Safety Engineer",
            **date_fields("reply-replied_on", days_ago(2)),
            "reply-text": "We will design a crossing.",
        },
    )
    assert response.status_code == 302
    due = timezone.localdate() + timedelta(days=60)
    response = staff_client.post(
        url + "actions/",
        {
            "action-description": "Design the crossing",
            "action-owner_team": team("HWY-RS").pk,
            **date_fields("action-due_date", due),
        },
    )
    assert response.status_code == 302
    action = motion.actions.get()
    response = staff_client.post(
        f"/desk/motions/actions/{action.pk}/",
        {f"upd-{action.pk}-status": "blocked", f"upd-{action.pk}-note": ""},
    )
    assert response.status_code == 400
    assert f'href="#id_upd-{action.pk}-note">Say why the action is blocked' in (
        response.content.decode()
    )
    response = staff_client.post(
        f"/desk/motions/actions/{action.pk}/",
        {
            f"upd-{action.pk}-status": "in_progress",
            f"upd-{action.pk}-note": "Drawings done.",
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "in_progress"
    page = staff_client.get(motion.get_absolute_url()).content.decode()
    for text in ("Carried: 20 for, 2 against.", "We will design a crossing.", "Drawings done."):
        assert text in page


def test_an_action_on_a_withdrawn_motion_is_refused_on_the_desk(staff_client, make_motion, officer):
    from apps.council_crm.services.motions import motion_record_decision

    motion = make_motion()
    motion_record_decision(
        motion=motion, status="withdrawn", decision_date=days_ago(1), actor=officer
    )
    response = staff_client.post(
        f"/desk/motions/{motion.reference}/actions/",
        {
            "action-description": "Write to the operator",
            "action-owner_team": team("PLC-PT").pk,
            **date_fields("action-due_date", days_ago(-20)),
        },
    )
    assert response.status_code == 400
    assert "This motion was withdrawn: it takes no new actions" in response.content.decode()
    assert not motion.actions.exists()


def test_the_overdue_list_shows_open_actions_past_their_date(staff_client, open_action, officer):
    from apps.council_crm.services.motions import motion_action_add

    late = motion_action_add(
        motion=open_action.motion,
        description="Repaint the keep-clear markings",
        owner_team=team("HWY-S"),
        due_date=days_ago(3),
        actor=officer,
    )
    page = staff_client.get("/desk/motions/overdue/").content.decode()
    assert late.description in page
    assert open_action.description not in page  # not due yet
    row = page[page.index(late.description) :]
    assert ">3<" in row[:400]  # days overdue


def test_editing_from_the_desk(staff_client, make_motion):
    motion = make_motion()
    response = staff_client.post(
        f"/desk/motions/{motion.reference}/edit/",
        {"title": "A new title", "text": motion.text, "seconder": ""},
    )
    assert response.status_code == 302
    motion.refresh_from_db()
    assert motion.title == "A new title"
    assert motion.seconder is None


def test_admin_shows_the_register_read_only(client, demo_site, passed_motion):
    from apps.council_crm.demo.workload import DEMO_PASSWORD, demo_users_ensure

    demo_users_ensure()
    assert client.login(username="admin", password=DEMO_PASSWORD)
    response = client.get(f"/admin/council_crm/motion/{passed_motion.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Open it in the motions desk" in page
    assert "Submitted on" in page  # the timeline, with its actor, for staff
    for path in ("motion", "followupaction", "motionreply", "meeting", "topic", "motionreport"):
        assert client.get(f"/admin/council_crm/{path}/").status_code == 200, path
    response = client.post(
        f"/admin/council_crm/motion/{passed_motion.pk}/change/", {"title": "Changed"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("username", "may"),
    [
        ("aisha.okafor", True),  # case officer
        ("chris.obrien", True),  # team leader
        ("manager", True),
        ("admin", True),
        ("dpo", True),
        ("cllr.andrew.moffat", False),
        ("mso.bethany.clarke", False),
        ("resident", False),
    ],
)
def test_who_may_manage_motions_is_one_rule_in_permissions(demo_site, username, may):
    from apps.council_crm.demo.workload import demo_users_ensure
    from apps.council_crm.models import User
    from apps.council_crm.permissions import can_manage_motions

    demo_users_ensure()
    user = User.objects.get(username=username)
    assert can_manage_motions(user) is may
    user.is_active = False
    assert can_manage_motions(user) is False
    assert can_manage_motions(None) is False
