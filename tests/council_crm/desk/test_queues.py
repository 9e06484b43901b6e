"""The desk's queues (/desk/): views, filters, search, sort, saved views, bulk changes, CSV."""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.council_crm import models as m
from apps.council_crm.selectors import desk_queues
from apps.council_crm.services.citizens import ContactDetails
from tests.factories.accounts import sign_in_confirmed
from tests.factories.cases import report_pothole, resident


@dataclass
class Desk:
    officer: m.User  # case officer in Highways North
    other_officer: m.User  # case officer in Highways South only
    leader: m.User  # team leader of Highways North
    north: m.Team
    south: m.Team
    mine: m.ServiceRequest  # assigned to `officer`
    unassigned: m.ServiceRequest  # Highways North's queue
    colleague: m.ServiceRequest  # assigned to the leader
    outside: m.ServiceRequest  # Highways South: the officer may not see it


def _staff(username: str, role: str, team: m.Team, team_role: str = "member") -> m.User:
    user = m.User.objects.create_user(
        username=username,
        password="pw",
        role=role,
        first_name=username.title(),
        last_name="Tester",
        email=f"{username}@example.com",
    )
    member = m.StaffMember.objects.create(user=user)
    m.TeamMembership.objects.create(staff=member, team=team, role=team_role)
    return user


def _pothole(description: str, **kw) -> m.ServiceRequest:
    return report_pothole(description=description, **kw).case


@pytest.fixture
def desk(demo_site) -> Desk:
    north = m.Team.objects.get(code="HWY-N")
    south = m.Team.objects.get(code="HWY-S")
    officer = _staff("olly", m.Role.CASE_OFFICER, north)
    other = _staff("otto", m.Role.CASE_OFFICER, south)
    leader = m.User.objects.get(username="tom.bradshaw")
    mine = _pothole(
        "Crater by the bus stop",
        contact=ContactDetails(
            first_name="Dana", last_name="Price", email="dana.price@example.com"
        ),
    )
    unassigned = _pothole("Sunken drain cover on the high street")
    colleague = _pothole("Deep hole near the school gates")
    outside = _pothole("Secret hole in another patch")
    m.ServiceRequest.objects.filter(pk=mine.pk).update(team=north, assignee=officer)
    m.ServiceRequest.objects.filter(pk=unassigned.pk).update(team=north, assignee=None)
    m.ServiceRequest.objects.filter(pk=colleague.pk).update(team=north, assignee=leader)
    m.ServiceRequest.objects.filter(pk=outside.pk).update(team=south, assignee=other)
    for case in (mine, unassigned, colleague, outside):
        case.refresh_from_db()
    return Desk(officer, other, leader, north, south, mine, unassigned, colleague, outside)


def refs(response) -> list[str]:
    """The references listed in the queue's table, in order."""
    html = response.content.decode()
    return re.findall(r'class="govuk-link crm-ref" href="/desk/cases/([^/]+)/"', html)


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# --- views ------------------------------------------------------------------------------------


def test_a_case_officer_starts_on_their_own_cases_with_every_view_counted(client, desk):
    client.force_login(desk.officer)
    response = client.get("/desk/")
    assert response.status_code == 200
    assert refs(response) == [desk.mine.reference]
    page = text(response)
    assert "Assigned to me (1)" in page
    assert "My teams (3)" in page
    assert "Unassigned (1)" in page
    assert "Overdue (0)" in page
    assert 'aria-current="page"' in response.content.decode()


def test_a_team_leader_starts_on_their_teams(client, desk):
    client.force_login(desk.leader)
    assert set(refs(client.get("/desk/"))) == {
        desk.mine.reference,
        desk.unassigned.reference,
        desk.colleague.reference,
    }


def _age(case: m.ServiceRequest, **fields) -> None:
    m.ServiceRequest.objects.filter(pk=case.pk).update(**fields)


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        ("mine", {"mine"}),
        ("teams", {"mine", "unassigned", "colleague"}),
        ("triage", {"unassigned"}),
        ("due-soon", {"colleague"}),
        ("overdue", {"mine"}),
        ("paused", {"unassigned"}),
        ("closed", set()),
    ],
)
def test_each_view_lists_only_its_cases_and_never_another_teams(client, desk, view, expected):
    now = timezone.now()
    _age(desk.mine, sla_due_at=now - timedelta(hours=1))
    _age(desk.colleague, sla_due_at=now + timedelta(hours=20))
    _age(desk.unassigned, status=m.CaseStatus.objects.get(code="awaiting_info"))
    _age(desk.outside, sla_due_at=now - timedelta(hours=1))  # overdue, but not theirs
    client.force_login(desk.officer)
    response = client.get("/desk/", {"view": view})
    assert response.status_code == 200
    assert set(refs(response)) == {getattr(desk, name).reference for name in expected}
    assert desk.outside.reference not in response.content.decode()


def test_recently_closed_lists_cases_resolved_in_the_last_30_days(client, desk):
    closed = m.CaseStatus.objects.get(code="closed")
    _age(desk.mine, status=closed, resolved_at=timezone.now() - timedelta(days=3))
    _age(desk.colleague, status=closed, resolved_at=timezone.now() - timedelta(days=40))
    client.force_login(desk.officer)
    response = client.get("/desk/", {"view": "closed"})
    assert refs(response) == [desk.mine.reference]
    assert "Recently closed (1)" in text(response)


def test_roles_that_see_every_case_see_other_teams_cases_too(client, desk):
    admin = m.User.objects.create_user(username="sa", password="pw", role=m.Role.SERVICE_ADMIN)
    client.force_login(admin)
    assert desk.outside.reference in refs(client.get("/desk/", {"view": "teams"}))


def test_a_department_manager_sees_every_team_of_the_department(client, desk):
    manager = m.User.objects.create_user(
        username="dm", password="pw", role=m.Role.DEPARTMENT_MANAGER
    )
    m.Department.objects.filter(pk=desk.north.department_id).update(manager=manager)
    client.force_login(manager)
    listed = set(refs(client.get("/desk/", {"view": "teams"})))
    assert {desk.mine.reference, desk.outside.reference} <= listed


def test_an_officer_of_another_team_sees_only_that_teams_cases(client, desk):
    client.force_login(desk.other_officer)
    for view in ("mine", "teams", "triage"):
        listed = refs(client.get("/desk/", {"view": view}))
        assert desk.mine.reference not in listed
    assert refs(client.get("/desk/", {"view": "teams"})) == [desk.outside.reference]


def test_other_roles_have_no_desk(client, desk):
    councillor = m.Councillor.objects.first().user
    client.force_login(councillor)
    assert client.get("/desk/").status_code == 404


# --- filters ----------------------------------------------------------------------------------


def test_filters_narrow_the_list(client, desk):
    client.force_login(desk.leader)
    base = {"view": "teams"}
    division = desk.mine.division

    def listed(**params):
        return set(refs(client.get("/desk/", {**base, **params})))

    everyone = {desk.mine.reference, desk.unassigned.reference, desk.colleague.reference}
    assert listed(officer="none") == {desk.unassigned.reference}
    assert listed(officer=str(desk.officer.pk)) == {desk.mine.reference}
    assert listed(team=str(desk.north.pk)) == everyone
    assert listed(team=str(desk.south.pk)) == set()  # not theirs: still nothing
    assert listed(division=str(division.pk)) == everyone
    assert listed(category=str(desk.mine.category_id)) == everyone
    other_category = m.ServiceCategory.objects.exclude(pk=desk.mine.category_id).first()
    assert listed(category=str(other_category.pk)) == set()
    assert listed(status="new") == everyone
    assert listed(status="paused") == set()
    _age(desk.unassigned, status=m.CaseStatus.objects.get(code="closed"))
    assert listed(status="closed") == {desk.unassigned.reference}  # "My teams" closed cases
    assert set(refs(client.get("/desk/", {"view": "paused", "status": "closed"}))) == set()
    _age(desk.unassigned, status=desk.mine.status)
    assert listed(channel="phone") == set()
    assert listed(channel="web") == everyone
    _age(desk.colleague, priority="urgent")
    assert listed(priority="urgent") == {desk.colleague.reference}
    _age(desk.mine, created_at=timezone.now() - timedelta(days=10))
    today = timezone.localdate().isoformat()
    assert listed(received_from=today) == {desk.unassigned.reference, desk.colleague.reference}
    earlier = (timezone.localdate() - timedelta(days=5)).isoformat()
    assert listed(received_to=earlier) == {desk.mine.reference}
    _age(desk.mine, sla_due_at=timezone.now() - timedelta(days=1))
    assert listed(sla="overdue") == {desk.mine.reference}
    assert listed(sla="on_track") == {desk.unassigned.reference, desk.colleague.reference}
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert listed(due_from=yesterday, due_to=yesterday) == {desk.mine.reference}


def test_consent_filter_lists_cases_whose_resident_shares_with_councillors(client, desk):
    m.Consent.objects.create(
        citizen=desk.mine.citizen,
        purpose=m.Consent.Purpose.SHARE_WITH_COUNCILLOR,
        scope=m.Consent.Scope.CASE,
        case=desk.mine,
        channel="web",
        wording_version="v1",
        granted_at=timezone.now() - timedelta(minutes=1),
    )
    client.force_login(desk.leader)
    assert refs(client.get("/desk/", {"view": "teams", "consent": "yes"})) == [desk.mine.reference]


def test_selected_filters_show_as_tags_that_remove_themselves(client, desk):
    client.force_login(desk.leader)
    response = client.get("/desk/", {"view": "teams", "officer": "none", "channel": "web"})
    page = response.content.decode()
    assert "Selected filters" in page
    assert "Remove this filter</span> Unassigned" in page
    assert "Clear filters" in page


def test_a_date_that_is_not_a_date_is_an_error_and_shows_the_form(client, desk):
    client.force_login(desk.officer)
    response = client.get("/desk/", {"received_from": "31/02/2026"})
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page
    assert "Enter a real date" in page


# --- search -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "words",
    ["Dana Price", "dana.price@example.com", "Crater", "crat", "bus stop", "DANA", "dana crater"],
)
def test_search_finds_by_name_email_and_description(client, desk, words):
    client.force_login(desk.leader)
    response = client.get("/desk/", {"view": "teams", "q": words})
    assert refs(response) == [desk.mine.reference]


def test_search_takes_any_text_without_error(client, desk):
    client.force_login(desk.leader)
    for words in ["a & | ! ( ) :* '", "'; drop table x; --", "-", "\\"]:
        response = client.get("/desk/", {"view": "teams", "q": words})
        assert response.status_code == 200, words


def test_search_by_postcode_and_address(client, desk):
    m.Citizen.objects.filter(pk=desk.unassigned.citizen_id).update(postcode="FE1 9ZZ")
    _age(desk.colleague, address="14 Mill Lane, Fernbridge")
    client.force_login(desk.leader)
    assert desk.unassigned.reference in refs(client.get("/desk/", {"view": "teams", "q": "9ZZ"}))
    found = refs(client.get("/desk/", {"view": "teams", "q": "Mill Lane"}))
    assert found == [desk.colleague.reference]


def test_an_exact_reference_opens_the_case(client, desk):
    client.force_login(desk.officer)
    response = client.get("/desk/", {"view": "paused", "q": desk.colleague.reference.lower()})
    assert response.status_code == 302
    assert response["Location"] == f"/desk/cases/{desk.colleague.reference}/"


def test_a_reference_outside_ones_teams_finds_nothing(client, desk):
    client.force_login(desk.officer)
    response = client.get("/desk/", {"view": "teams", "q": desk.outside.reference})
    assert response.status_code == 200
    assert refs(response) == []
    assert "No cases match these filters." in text(response)


# --- sort and pages ---------------------------------------------------------------------------


def test_sortable_headers_sort_and_say_so(client, desk):
    client.force_login(desk.leader)
    ordered = sorted([desk.mine.reference, desk.unassigned.reference, desk.colleague.reference])
    up = client.get("/desk/", {"view": "teams", "sort": "reference"})
    assert refs(up) == ordered
    page = up.content.decode()
    assert re.search(r'aria-sort="ascending"><a [^>]*href="\?[^"]*sort=-reference', page)
    assert 'aria-sort="none"><a class="govuk-link crm-sort" href="?view=teams&amp;sort=due"' in page
    down = client.get("/desk/", {"view": "teams", "sort": "-reference"})
    assert refs(down) == ordered[::-1]
    assert 'aria-sort="descending"' in down.content.decode()


def test_due_soon_is_sorted_by_due_date_by_default(client, desk):
    now = timezone.now()
    _age(desk.mine, sla_due_at=now + timedelta(hours=30))
    _age(desk.colleague, sla_due_at=now + timedelta(hours=2))
    client.force_login(desk.leader)
    response = client.get("/desk/", {"view": "due-soon"})
    assert refs(response) == [desk.colleague.reference, desk.mine.reference]
    assert "Due soon" in text(response)


def test_fifty_a_page_with_a_next_link(client, desk):
    client.force_login(desk.leader)
    for i in range(51):
        _pothole(f"Pothole number {i}")
    m.ServiceRequest.objects.update(team=desk.north)
    first = client.get("/desk/", {"view": "teams", "channel": "web"})
    assert len(refs(first)) == 50
    assert "page=2" in first.content.decode()
    second = client.get("/desk/", {"view": "teams", "channel": "web", "page": "2"})
    total = m.ServiceRequest.objects.count()
    assert len(refs(second)) == total - 50
    assert f"of {total} cases" in text(second)


def test_counts_stop_at_the_cap_and_say_so(client, desk, monkeypatch):
    monkeypatch.setattr(desk_queues, "COUNT_CAP", 2)
    client.force_login(desk.leader)
    response = client.get("/desk/", {"view": "teams"})
    page = text(response)
    assert "My teams (2+)" in page
    assert "More than 2 cases" in page
    assert "Showing 1 to 3 of more than 2 cases" in page
    assert len(refs(response)) == 3


@pytest.mark.parametrize(
    "params",
    [{}, {"view": "teams", "q": "hole", "sort": "due", "channel": "web", "status": "new"}],
)
def test_the_queue_runs_the_same_queries_for_5_cases_and_for_60(
    client, desk, django_assert_num_queries, params
):
    # given 5 cases in the leader's team (3 of them about a hole), then 60
    client.force_login(desk.leader)
    client.get("/desk/")  # the first request after signing in notes when the session began
    _pothole("Small hole")
    m.ServiceRequest.objects.exclude(pk=desk.mine.pk).update(team=desk.north, assignee=desk.leader)
    with CaptureQueriesContext(connection) as few:
        assert len(refs(client.get("/desk/", params))) == (3 if params else 5)

    for i in range(55):
        _pothole(f"Big hole {i}", contact=resident(email=f"big{i}@example.com"))
    m.ServiceRequest.objects.exclude(pk=desk.mine.pk).update(team=desk.north, assignee=desk.leader)
    # then the page of 50 costs the same queries as the page of 5
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(refs(client.get("/desk/", params))) == 50


# --- saved views ------------------------------------------------------------------------------


def test_save_list_open_and_delete_a_view(client, desk):
    client.force_login(desk.leader)
    query = "view=teams&officer=none&sort=due&page=3"
    response = client.post("/desk/views/", {"name": "Unassigned by due", "query": query})
    assert response.status_code == 302
    assert response["Location"] == "/desk/?view=teams&officer=none&sort=due"
    saved = m.SavedView.objects.get(user=desk.leader)
    assert saved.query == "view=teams&officer=none&sort=due"
    page = client.get(response["Location"]).content.decode()
    assert "Unassigned by due" in page
    assert 'href="/desk/?view=teams&amp;officer=none&amp;sort=due"' in page
    # the same name again replaces the filters
    client.post("/desk/views/", {"name": "Unassigned by due", "query": "view=overdue"})
    assert m.SavedView.objects.get(user=desk.leader).query == "view=overdue"
    assert m.AuditEvent.objects.filter(action=m.AuditAction.SAVED_VIEW_CHANGED).count() == 2
    # another officer neither sees it nor deletes it
    client.force_login(desk.officer)
    assert "Unassigned by due" not in client.get("/desk/").content.decode()
    assert client.post(f"/desk/views/{saved.pk}/delete/").status_code == 404
    client.force_login(desk.leader)
    assert client.post(f"/desk/views/{saved.pk}/delete/").status_code == 302
    assert not m.SavedView.objects.exists()


def test_a_view_without_a_name_is_not_saved(client, desk):
    client.force_login(desk.officer)
    response = client.post("/desk/views/", {"name": "  ", "query": "view=teams"})
    assert response.status_code == 400
    assert "Enter a name for this view" in text(response)
    assert not m.SavedView.objects.exists()


# --- bulk changes -----------------------------------------------------------------------------


def test_bulk_assign_goes_through_a_confirmation_page(client, desk):
    client.force_login(desk.leader)
    selected = [desk.unassigned.reference, desk.colleague.reference]
    form = client.get("/desk/bulk/assign/", {"case": selected, "back": "view=teams"})
    assert form.status_code == 200
    assert "2 cases selected" in text(form)
    data = {
        "case": selected,
        "team": desk.north.pk,
        "officer": desk.officer.pk,
        "reason": "Olly covers the high street",
        "step": "check",
    }
    check = client.post("/desk/bulk/assign/", data)
    assert check.status_code == 200
    assert "Check and confirm the assignment" in text(check)
    assert not m.ServiceRequest.objects.filter(assignee=desk.officer).exclude(pk=desk.mine.pk)

    done = client.post("/desk/bulk/assign/", {**data, "step": "confirm"})
    assert done.status_code == 302
    result = client.get(done["Location"])
    assert "2 cases changed." in text(result)
    for case in (desk.unassigned, desk.colleague):
        case.refresh_from_db()
        assert case.assignee == desk.officer
        event = case.events.filter(kind=m.CaseEvent.Kind.ASSIGNED).latest("id")
        assert "Olly covers the high street" in event.message
        audit = m.AuditEvent.objects.get(
            action=m.AuditAction.CASE_REASSIGNED, object_id=str(case.pk)
        )
        assert audit.actor == desk.leader


def test_bulk_assign_needs_a_team_and_a_reason(client, desk):
    client.force_login(desk.leader)
    response = client.post(
        "/desk/bulk/assign/", {"case": [desk.unassigned.reference], "step": "confirm"}
    )
    assert response.status_code == 400
    page = text(response)
    assert "Select the team to assign the cases to" in page
    assert "Enter the reason for the reassignment" in page
    desk.unassigned.refresh_from_db()
    assert desk.unassigned.assignee is None


def test_bulk_assign_to_an_officer_outside_the_team_is_refused(client, desk):
    client.force_login(desk.leader)
    data = {
        "case": [desk.unassigned.reference],
        "team": desk.north.pk,
        "officer": desk.other_officer.pk,  # in Highways South only
        "reason": "Cover",
        "step": "confirm",
    }
    response = client.post("/desk/bulk/assign/", data)
    assert response.status_code == 400
    assert "Select an officer of that team" in text(response)
    desk.unassigned.refresh_from_db()
    assert desk.unassigned.assignee is None


def test_bulk_changes_including_a_case_one_cannot_see_are_404_and_change_nothing(client, desk):
    client.force_login(desk.officer)
    selected = [desk.mine.reference, desk.outside.reference]
    assert client.get("/desk/bulk/assign/", {"case": selected}).status_code == 404
    data = {
        "case": selected,
        "team": desk.north.pk,
        "officer": "",
        "reason": "Mine now",
        "step": "confirm",
    }
    assert client.post("/desk/bulk/assign/", data).status_code == 404
    status = m.CaseStatus.objects.get(code="in_progress")
    posted = {"case": selected, "status": status.pk, "step": "confirm"}
    assert client.post("/desk/bulk/status/", posted).status_code == 404
    for case in (desk.mine, desk.outside):
        before = case.assignee_id, case.status_id
        case.refresh_from_db()
        assert (case.assignee_id, case.status_id) == before
    assert not m.AuditEvent.objects.filter(action=m.AuditAction.CASE_REASSIGNED).exists()


def test_bulk_status_changes_what_the_workflow_allows_and_says_why_not_for_the_rest(client, desk):
    closed = m.CaseStatus.objects.get(code="closed")
    _age(desk.colleague, status=closed)
    in_progress = m.CaseStatus.objects.get(code="in_progress")
    client.force_login(desk.leader)
    selected = [desk.mine.reference, desk.colleague.reference]
    check = client.post(
        "/desk/bulk/status/", {"case": selected, "status": in_progress.pk, "step": "check"}
    )
    assert check.status_code == 200
    page = text(check)
    assert "Check and confirm the new status" in page
    assert "A case that is Closed cannot become In progress" in page
    assert "Change 1 case" in page
    desk.mine.refresh_from_db()
    assert desk.mine.status.code == "received"

    done = client.post(
        "/desk/bulk/status/", {"case": selected, "status": in_progress.pk, "step": "confirm"}
    )
    result = text(client.get(done["Location"]))
    assert "1 case changed." in result
    assert "1 case could not change." in result
    assert f"{desk.colleague.reference} Not changed: A case that is Closed" in result
    desk.mine.refresh_from_db()
    desk.colleague.refresh_from_db()
    assert desk.mine.status == in_progress
    assert desk.colleague.status == closed
    assert desk.mine.events.filter(kind=m.CaseEvent.Kind.STATUS).exists()
    audits = m.AuditEvent.objects.filter(action=m.AuditAction.CASE_STATUS_CHANGED)
    assert [a.object_id for a in audits] == [str(desk.mine.pk)]


def test_bulk_resolve_needs_a_message_to_the_residents(client, desk):
    completed = m.CaseStatus.objects.get(code="completed")
    client.force_login(desk.leader)
    response = client.post(
        "/desk/bulk/status/",
        {"case": [desk.mine.reference], "status": completed.pk, "step": "check"},
    )
    assert response.status_code == 400
    assert "Tell the residents what was done" in text(response)


# --- CSV --------------------------------------------------------------------------------------


def test_a_team_leader_downloads_the_filtered_list_and_it_is_logged(client, desk):
    sign_in_confirmed(client, desk.leader)
    response = client.get("/desk/export.csv", {"view": "teams", "officer": "none"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0].startswith("reference,category,status")
    assert len(lines) == 2
    assert lines[1].startswith(desk.unassigned.reference)
    log = m.AccessLog.objects.get(user=desk.leader, action="export")
    assert "officer=none" in log.via


def test_a_case_officer_may_not_export_lists(client, desk):
    client.force_login(desk.officer)
    assert client.get("/desk/export.csv").status_code == 404
    assert "Download these cases" not in client.get("/desk/").content.decode()
    assert not m.AccessLog.objects.filter(action="export").exists()


# --- the search index -------------------------------------------------------------------------


def test_the_migration_indexes_the_very_expressions_the_search_uses():
    migration = importlib.import_module("apps.council_crm.migrations.0008_queue_search")
    assert migration.CASE_SEARCH == desk_queues.CASE_SEARCH_SQL
    assert migration.CITIZEN_SEARCH == desk_queues.CITIZEN_SEARCH_SQL
