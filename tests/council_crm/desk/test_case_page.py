"""The desk's case page: what an officer sees of a case, and every action on it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.council_crm import models as m
from apps.council_crm.services.attachments import attachment_add
from apps.council_crm.services.cases import case_add_update, case_transition
from tests.factories.cases import report_pothole, resident
from tests.factories.files import jpeg


def _user(username: str, role: str) -> m.User:
    return m.User.objects.create_user(
        username=username,
        password="pw",
        role=role,
        email=f"{username}@example.com",
        first_name=username.title(),
        last_name="Officer",
    )


def _staff(username: str, team: m.Team, role: str = m.Role.CASE_OFFICER) -> m.User:
    user = _user(username, role)
    member = m.StaffMember.objects.create(user=user)
    m.TeamMembership.objects.create(staff=member, team=team)
    return user


@pytest.fixture
def case(demo_site) -> m.ServiceRequest:
    return report_pothole(division="FE01").case


@pytest.fixture
def officer(case) -> m.User:
    return _staff("alex", case.team)


@pytest.fixture
def desk(client, officer):
    client.force_login(officer)
    return client


def url(case: m.ServiceRequest, action: str = "") -> str:
    return f"/desk/cases/{case.reference}/{action + '/' if action else ''}"


def seen(case: m.ServiceRequest) -> str:
    case.refresh_from_db()
    return case.updated_at.isoformat()


def status(code: str) -> m.CaseStatus:
    return m.CaseStatus.objects.get(code=code)


def audit(case: m.ServiceRequest, action: str) -> int:
    return m.AuditEvent.objects.filter(
        object_type="servicerequest", object_id=str(case.pk), action=action
    ).count()


# --- what the page shows ------------------------------------------------------------------


def test_the_page_shows_answers_under_their_questions_and_the_summary(desk, case):
    page = desk.get(url(case))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Is it causing an immediate danger to road users?" in text
    assert ">Yes<" in text
    assert "About how deep is it?" in text
    assert case.division.name in text
    assert 'data-sla="on_track"' in text
    assert "working days left" in text
    assert "Web" in text
    assert "<svg" in text
    assert "Latitude" in text
    for cllr in m.Councillor.objects.filter(divisions=case.division):
        assert cllr.user.get_full_name() in text


def test_the_citizen_panel_lists_their_cases_hiding_other_teams(desk, case, officer):
    contact = resident()
    report_pothole(division="FE01", contact=contact)
    other = m.ServiceRequest.objects.create(
        reference="XX-OTHER-1",
        category=m.ServiceCategory.objects.get(code="asb"),
        status=status("received"),
        channel="phone",
        citizen=case.citizen,
        team=m.Team.objects.exclude(pk=case.team_id).first(),
    )
    m.ServiceCategory.objects.filter(code="asb").update(is_sensitive=True)
    m.Interaction.objects.create(
        citizen=case.citizen,
        channel="phone",
        direction="inbound",
        summary="Secret ASB detail",
        case=other,
    )
    text = desk.get(url(case)).content.decode()
    assert f"A case with {other.team.name}" in text
    assert "XX-OTHER-1" not in text
    assert f"({other.category.name})" not in text  # sensitive: not even the category
    assert "Secret ASB detail" not in text
    assert "Repeat reporter" in text  # three cases in 12 months


def test_the_timeline_tells_public_from_internal_and_shows_messages(desk, case, officer):
    case_add_update(case=case, actor=officer, message="Crew booked", public=True)
    case_add_update(case=case, actor=officer, message="Check the kerb too", public=False)
    m.OutboxMessage.objects.filter(case=case).update(status="failed")
    text = desk.get(url(case)).content.decode()
    assert "Public update" in text
    assert "Internal note" in text
    assert "Crew booked" in text
    assert "Check the kerb too" in text
    assert "Message failed" in text


# --- query count --------------------------------------------------------------------------


def _grow(case: m.ServiceRequest, officer: m.User, *, events: int, photos: int, cases: int):
    contact = resident(email=case.citizen.email)
    for i in range(events):
        case_add_update(case=case, actor=officer, message=f"note {i}", public=False)
    for _ in range(photos):
        attachment_add(case=case, upload=SimpleUploadedFile("p.jpg", jpeg()), actor=officer)
    for i in range(cases):
        other = report_pothole(division="FE01", contact=contact).case
        m.Interaction.objects.create(
            citizen=case.citizen,
            channel="phone",
            direction="inbound",
            summary=f"call {i}",
            case=other,
        )
        if i < 3:
            case.linked_cases.add(other)


def _count(client, case) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url(case)).status_code == 200
    return len(ctx.captured_queries)


def test_the_page_runs_a_fixed_number_of_queries(
    desk, officer, django_assert_num_queries, settings
):
    # configuration is kept in the process as in production (the suite turns that off)
    settings.CRM_CONFIG_CACHE_SECONDS = 300
    # given a case with 2 events, no photos, its citizen's only case...
    small = report_pothole(division="FE01", contact=resident(email="small@example.com")).case
    # ...and one with 40 events, 5 photos, links, contacts and 10 cases of its citizen
    big = report_pothole(division="FE01", contact=resident(email="big@example.com")).case
    _grow(big, officer, events=38 - big.events.count() + 2, photos=5, cases=9)
    assert small.events.count() == 2
    assert big.events.count() >= 40
    assert m.ServiceRequest.objects.filter(citizen=big.citizen).count() == 10
    desk.get(url(small))  # the per-process caches (calendar, division outlines) warm up
    # when
    n = _count(desk, small)
    # then
    with django_assert_num_queries(n):
        page = desk.get(url(big))
    assert page.content.decode().count('class="moj-timeline__item"') >= 40
    assert n <= 16  # session, user, teams, the case, ..., the access log row: 14 today


def test_an_anonymous_case_has_no_citizen_panel(desk, demo_site):
    case = report_pothole(division="FE01", contact=resident(email="anon@example.com")).case
    m.ServiceRequest.objects.filter(pk=case.pk).update(citizen=None, is_anonymous=True)
    other = report_pothole(division="FE01", contact=resident(email="x@example.com")).case
    m.ServiceRequest.objects.filter(pk=other.pk).update(citizen=None)
    text = desk.get(url(case)).content.decode()
    assert "Reported anonymously." in text
    assert other.reference not in text


# --- actions ------------------------------------------------------------------------------


def test_change_status_lists_only_allowed_transitions(desk, case):
    text = desk.get(url(case)).content.decode()
    assert "Awaiting inspection (open)" in text
    assert "Under review (open)" not in text  # not one of the pothole's statuses
    assert ">Closed (closed)<" not in text  # received cannot jump to closed
    response = desk.post(
        url(case, "status"), {"status": status("awaiting_inspection").pk, "seen": seen(case)}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status.code == "awaiting_inspection"
    assert audit(case, m.AuditAction.CASE_STATUS_CHANGED) == 1
    page = desk.get(url(case)).content.decode()
    assert "Status changed to Awaiting inspection" in page


def test_a_disallowed_status_is_an_error_and_changes_nothing(desk, case):
    response = desk.post(url(case, "status"), {"status": status("closed").pk, "seen": seen(case)})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert "cannot become Closed" in response.content.decode()
    case.refresh_from_db()
    assert case.status.code == "received"


def test_close_needs_a_message_to_the_resident_then_tells_them(desk, case):
    data = {"form": "close", "status": status("completed").pk, "seen": seen(case)}
    response = desk.post(url(case, "status"), {**data, "public_message": ""})
    assert response.status_code == 400
    assert "Tell the resident what was done" in response.content.decode()
    assert 'href="#close-public_message"' in response.content.decode()
    response = desk.post(url(case, "status"), {**data, "public_message": "Filled it in"})
    assert response.status_code == 302
    assert m.OutboxMessage.objects.filter(case=case, event="completion").exists()


def test_public_update_from_a_template_is_filled_and_sent(desk, case, officer):
    template = m.ResponseTemplate.objects.get(name="Pothole repaired")
    page = desk.get(url(case) + f"?template={template.pk}").content.decode()
    assert case.reference in page
    assert "Dear Sam" in page
    assert "Alex Officer" in page
    assert "{reference}" not in page
    response = desk.post(
        url(case, "notes"),
        {"message": "Dear Sam, fixed (edited)", "visibility": "public", "seen": seen(case)},
    )
    assert response.status_code == 302
    assert m.OutboxMessage.objects.filter(case=case, event="public_update").exists()
    assert audit(case, m.AuditAction.CASE_UPDATED) == 1


def test_templates_for_other_categories_are_not_offered(desk, case):
    bins = m.ResponseTemplate.objects.get(name="Missed bin collected")
    page = desk.get(url(case)).content.decode()
    assert "Missed bin collected" not in page
    assert "Dear" not in desk.get(url(case) + f"?template={bins.pk}").content.decode()


def test_an_empty_note_is_an_error(desk, case):
    response = desk.post(url(case, "notes"), {"message": " ", "seen": seen(case)})
    assert response.status_code == 400
    assert "Enter the update" in response.content.decode()
    assert not case.events.filter(kind="internal_note").exists()


def test_pause_and_resume_need_a_reason(desk, case):
    case_transition(case=case, status=status("in_progress"), actor=None)
    bad = desk.post(
        url(case, "clock"),
        {
            "pause": "1",
            "status": status("awaiting_contractor").pk,
            "reason": "",
            "seen": seen(case),
        },
    )
    assert bad.status_code == 400
    assert "Say why the clock is paused" in bad.content.decode()
    ok = desk.post(
        url(case, "clock"),
        {
            "pause": "1",
            "status": status("awaiting_contractor").pk,
            "reason": "Contractor booked",
            "seen": seen(case),
        },
    )
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.sla_paused_at is not None
    assert 'data-sla="paused"' in desk.get(url(case)).content.decode()
    ok = desk.post(
        url(case, "clock"),
        {"pause": "0", "status": status("in_progress").pk, "reason": "Back", "seen": seen(case)},
    )
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.sla_paused_at is None
    assert case.events.filter(message__contains="Contractor booked").exists()


def test_reassign_to_an_officer_of_another_team_with_a_reason(desk, case):
    team = m.Team.objects.exclude(pk=case.team_id).first()
    other = _staff("bea", team)
    bad = desk.post(
        url(case, "assign"),
        {"team": team.pk, "assignee": other.pk, "reason": "", "seen": seen(case)},
    )
    assert bad.status_code == 400
    assert "Say why" in bad.content.decode()
    wrong = desk.post(
        url(case, "assign"),
        {"team": case.team_id, "assignee": other.pk, "reason": "x", "seen": seen(case)},
    )
    assert wrong.status_code == 400
    assert "is not in" in wrong.content.decode()
    ok = desk.post(
        url(case, "assign"),
        {"team": team.pk, "assignee": other.pk, "reason": "Their patch", "seen": seen(case)},
    )
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.assignee == other
    assert audit(case, m.AuditAction.CASE_REASSIGNED) == 1
    assert desk.get(url(case)).status_code == 404  # no longer in the officer's teams


def test_change_priority(desk, case):
    ok = desk.post(url(case, "priority"), {"priority": "urgent", "seen": seen(case)})
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.priority == "urgent"
    assert case.events.filter(kind="priority").exists()
    assert audit(case, m.AuditAction.CASE_PRIORITY_CHANGED) == 1
    bad = desk.post(url(case, "priority"), {"priority": "whenever", "seen": seen(case)})
    assert bad.status_code == 400


def test_link_and_unlink_show_on_both_timelines(desk, case):
    other = report_pothole(division="FE01", contact=resident(email="o@example.com")).case
    ok = desk.post(url(case, "links"), {"reference": other.reference, "seen": seen(case)})
    assert ok.status_code == 302
    assert other in case.linked_cases.all()
    assert case in other.linked_cases.all()
    assert other.events.filter(kind="linked").exists()
    assert other.reference in desk.get(url(case)).content.decode()
    again = desk.post(url(case, "links"), {"reference": other.reference, "seen": seen(case)})
    assert again.status_code == 400
    gone = desk.post(
        url(case, "links"), {"reference": other.reference, "remove": "1", "seen": seen(case)}
    )
    assert gone.status_code == 302
    assert not case.linked_cases.exists()
    bad = desk.post(url(case, "links"), {"reference": "NOPE-1", "seen": seen(case)})
    assert bad.status_code == 400


def test_attach_a_photo_cleaned_but_not_a_pdf(desk, case):
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4 hello", content_type="application/pdf")
    bad = desk.post(url(case, "attachments"), {"file": pdf, "seen": seen(case)})
    assert bad.status_code == 400
    assert "not a photo" in bad.content.decode()
    ok = desk.post(
        url(case, "attachments"),
        {"file": SimpleUploadedFile("p.jpg", jpeg()), "seen": seen(case)},
    )
    assert ok.status_code == 302
    assert case.attachments.count() == 1
    assert audit(case, m.AuditAction.CASE_FILE_ATTACHED) == 1


def test_reopen_a_closed_case(desk, case, officer):
    case_transition(case=case, status=status("completed"), actor=officer, public_message="Done")
    ok = desk.post(url(case, "reopen"), {"reason": "Still there", "seen": seen(case)})
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.status.state == "open"
    assert audit(case, m.AuditAction.CASE_REOPENED) == 1


def test_merge_lists_candidates_confirms_and_tells_the_resident(desk, case):
    master = report_pothole(division="FE01", contact=resident(email="m@example.com")).case
    choose = desk.get(url(case, "merge"))
    assert choose.status_code == 200
    assert master.reference in choose.content.decode()
    empty = desk.post(url(case, "merge"), {"seen": seen(case)})
    assert empty.status_code == 400
    confirm = desk.post(url(case, "merge"), {"master": master.reference, "seen": seen(case)})
    assert confirm.status_code == 200
    assert "Merge the cases" in confirm.content.decode()
    done = desk.post(
        url(case, "merge"), {"master": master.reference, "confirm": "yes", "seen": seen(case)}
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.duplicate_of == master
    told = m.OutboxMessage.objects.filter(case=case, event="public_update")
    assert told.filter(recipient="sam.jones@example.com").exists()
    assert audit(case, m.AuditAction.CASE_MERGED) == 1
    assert "This case was merged into" in desk.get(url(case)).content.decode()


# --- two officers at once -----------------------------------------------------------------


def test_a_change_from_a_stale_page_is_refused_with_who_and_when(desk, case, officer):
    stale = seen(case)
    other = _staff("bea", case.team)
    case_add_update(case=case, actor=other, message="On my way", public=False)  # Bea, meanwhile
    response = desk.post(url(case, "priority"), {"priority": "urgent", "seen": stale})
    text = response.content.decode()
    assert response.status_code == 400
    assert "Bea Officer changed this case at" in text
    assert "check the timeline and try again" in text
    case.refresh_from_db()
    assert case.priority != "urgent"


def test_the_service_checks_seen_under_the_lock(case, officer):
    stale = case.updated_at
    case_add_update(case=case, actor=officer, message="first", public=False)
    with pytest.raises(ValidationError, match="changed this case"):
        case_add_update(case=case, actor=officer, message="second", public=False, seen=stale)
    assert not case.events.filter(message="second").exists()


# --- who may --------------------------------------------------------------------------------

ACTIONS = ["", "notes", "status", "clock", "assign", "priority", "links", "attachments"]
ACTIONS += ["reopen", "merge"]


@pytest.mark.parametrize("role", ["outsider", "councillor", "resident"])
def test_the_page_and_every_action_are_404_to_those_who_may_not_see_it(client, case, role):
    if role == "outsider":
        team = m.Team.objects.exclude(pk=case.team_id).exclude(department=case.team.department)
        user = _staff("out", team.first())
    elif role == "councillor":
        user = m.Councillor.objects.filter(divisions=case.division).first().user
    else:
        user = _user("res", m.Role.RESIDENT)
        case.citizen.user = user
        case.citizen.save()
    client.force_login(user)
    for action in ACTIONS:
        assert client.get(url(case, action)).status_code in (404, 405), action
        if action:
            assert client.post(url(case, action), {"seen": seen(case)}).status_code == 404, action
    assert client.get(url(case) + "?template=1").status_code == 404


def test_a_team_leader_and_the_service_admin_may_act(client, case):
    leader = _staff("lead", case.team, m.Role.TEAM_LEADER)
    admin = _user("cfg", m.Role.SERVICE_ADMIN)
    for user in (leader, admin):
        client.force_login(user)
        assert "act-status" in client.get(url(case)).content.decode()
    dpo = _user("dpo", m.Role.DPO)
    client.force_login(dpo)
    page = client.get(url(case)).content.decode()
    assert "act-status" not in page
    assert client.post(url(case, "priority"), {"priority": "high"}).status_code == 404


def test_repeat_reporter_flag_counts_only_the_last_12_months(desk, case):
    old = timezone.now() - timedelta(days=400)
    for _ in range(3):
        report_pothole(division="FE01", now=old)
    assert "Repeat reporter" not in desk.get(url(case)).content.decode()


def test_every_action_from_a_stale_page_changes_nothing(desk, case, officer):
    stale = seen(case)
    case_add_update(case=case, actor=officer, message="meanwhile", public=False)
    other = report_pothole(division="FE01", contact=resident(email="o@example.com")).case
    posts = {
        "status": {"status": status("awaiting_inspection").pk},
        "notes": {"message": "late", "visibility": "public"},
        "assign": {"team": case.team_id, "assignee": officer.pk, "reason": "mine"},
        "priority": {"priority": "high"},
        "links": {"reference": other.reference},
        "attachments": {"file": SimpleUploadedFile("p.jpg", jpeg())},
        "merge": {"master": other.reference, "confirm": "yes"},
    }
    events = case.events.count()
    before = case.assignee_id
    for action, data in posts.items():
        response = desk.post(url(case, action), {**data, "seen": stale})
        assert response.status_code == 400, action
        assert "changed this case at" in response.content.decode(), action
    case.refresh_from_db()
    assert case.events.count() == events
    assert (case.status.code, case.priority, case.assignee_id) == ("received", "normal", before)
    assert not case.linked_cases.exists()
    assert case.duplicate_of is None


def test_merge_refuses_another_category_and_a_case_out_of_sight(desk, case):
    bin_case = m.ServiceRequest.objects.create(
        reference="XX-BIN-1",
        category=m.ServiceCategory.objects.get(code="missed_bin"),
        status=status("received"),
        channel="web",
        team=case.team,
    )
    response = desk.post(
        url(case, "merge"), {"master": bin_case.reference, "confirm": "yes", "seen": seen(case)}
    )
    assert response.status_code == 400
    assert "same kind of problem" in response.content.decode()
    hidden = report_pothole(division="FE01", contact=resident(email="h@example.com")).case
    m.ServiceRequest.objects.filter(pk=hidden.pk).update(
        team=m.Team.objects.exclude(pk=case.team_id).first()
    )
    for action, data in (
        ("merge", {"reference": hidden.reference}),
        ("links", {"reference": hidden.reference}),
    ):
        response = desk.post(url(case, action), {**data, "seen": seen(case)})
        assert response.status_code == 400, action
        assert hidden.reference not in m.ServiceRequest.objects.get(pk=case.pk).events.values_list(
            "message", flat=True
        )
    case.refresh_from_db()
    assert case.duplicate_of is None


def test_response_templates_are_in_the_admin_and_loaded_once(admin_client, demo_site):
    from apps.council_crm.services.site_setup import site_load

    assert admin_client.get("/admin/council_crm/responsetemplate/").status_code == 200
    count = m.ResponseTemplate.objects.count()
    assert 4 <= count <= 6
    report = site_load(site=demo_site)
    assert m.ResponseTemplate.objects.count() == count
    assert "response templates" not in report.created
    assert "response templates" not in report.updated
