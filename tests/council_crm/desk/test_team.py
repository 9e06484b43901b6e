"""The team page (/desk/team/): who may see it, what it counts, and a fixed number of queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.council_crm import models as m
from tests.factories.cases import report_pothole, resident

URL = "/desk/team/"


def _user(username: str, role: str) -> m.User:
    return m.User.objects.create_user(username=username, password="pw", role=role)


def _staff(username: str, team: m.Team, team_role: str = "member") -> m.User:
    role = m.Role.TEAM_LEADER if team_role == "leader" else m.Role.CASE_OFFICER
    user = m.User.objects.create_user(
        username=username, password="pw", role=role, first_name=username.title(), last_name="X"
    )
    staff = m.StaffMember.objects.create(user=user)
    m.TeamMembership.objects.create(staff=staff, team=team, role=team_role)
    return user


def _team(code: str) -> m.Team:
    return m.Team.objects.create(
        code=code, name=f"Team {code}", department=m.Department.objects.order_by("pk").first()
    )


def _case(team: m.Team, assignee: m.User | None = None, **fields) -> m.ServiceRequest:
    """A real case, then moved to the team under test (set-up, not the behaviour tested)."""
    case = report_pothole(contact=resident(email=f"r{m.ServiceRequest.objects.count()}@e.com")).case
    m.ServiceRequest.objects.filter(pk=case.pk).update(team=team, assignee=assignee, **fields)
    case.refresh_from_db()
    return case


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["case_officer", "councillor", "resident", "dpo"])
def test_the_team_page_is_not_there_for_other_roles(client, demo_site, role):
    if role == "case_officer":
        user = m.User.objects.get(username="aisha.okafor")
    elif role == "councillor":
        user = m.Councillor.objects.order_by("pk").first().user
    else:
        user = _user(role, role)
    client.force_login(user)
    assert client.get(URL).status_code == 404
    if role in ("case_officer", "dpo"):  # on the desk, but without the Team area
        assert 'href="/desk/team/"' not in client.get("/desk/").content.decode()


@pytest.mark.django_db
def test_signed_out_goes_to_sign_in(client, demo_site):
    response = client.get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.django_db
def test_a_team_leader_sees_only_the_teams_they_lead(client, demo_site):
    tom = m.User.objects.get(username="tom.bradshaw")  # leads HWY-N, member of HWY-TRIAGE
    client.force_login(tom)
    response = client.get(URL)
    assert response.status_code == 200
    text = _text(response)
    assert "Highways North" in text
    assert "Highways Triage" not in text
    assert "Highways South" not in text
    # the navigation has the Team area, marked current
    assert re.search(r'href="/desk/team/"[^>]*aria-current="page"', response.content.decode())


@pytest.mark.django_db
def test_a_department_manager_sees_every_team_of_the_department(client, demo_site):
    manager = _user("manager", m.Role.DEPARTMENT_MANAGER)
    highways = m.Department.objects.get(code="HWY")
    highways.manager = manager
    highways.save()
    client.force_login(manager)
    text = _text(client.get(URL))
    for team in highways.teams.all():
        assert team.name in text
    assert "Street Cleansing" not in text


@pytest.mark.django_db
def test_the_service_admin_sees_all_teams(client, demo_site):
    client.force_login(_user("admin", m.Role.SERVICE_ADMIN))
    text = _text(client.get(URL))
    assert "Customer Contact Triage" in text
    assert "Street Cleansing" in text
    assert "Highways North" in text


@pytest.mark.django_db
def test_workload_per_officer_totals_and_links(client, demo_site):
    team = _team("T1")
    lead = _staff("lena", team, "leader")
    ann = _staff("ann", team)
    bob = _staff("bob", team)
    now = timezone.now()
    _case(team, ann, sla_due_at=now - timedelta(days=3))  # overdue
    _case(team, ann, sla_due_at=now + timedelta(days=40))  # on track
    _case(team, ann, sla_due_at=now - timedelta(days=1), sla_paused_at=now)  # paused
    _case(team, None, sla_due_at=now - timedelta(days=9))  # unassigned, overdue
    closed = _case(team, bob, sla_due_at=now - timedelta(days=2))
    m.ServiceRequest.objects.filter(pk=closed.pk).update(
        status=m.CaseStatus.objects.filter(state=m.StateCategory.CLOSED).first()
    )
    client.force_login(lead)
    response = client.get(URL, {"team": team.pk})
    html = response.content.decode()
    text = _text(response)
    # Ann: 3 open, 1 overdue, 1 paused; Bob: nothing open (his case is closed)
    assert "Ann X 3 open, Ann X 1 overdue, Ann X 0 1 paused, Ann X" in text
    assert re.search(r"Bob X 0 0 0 0", text)
    assert re.search(
        r"Unassigned \(team queue\) 1 open, unassigned 1 overdue, unassigned 0 0", text
    )
    assert re.search(r"Team total 4 open, Team T1 2 overdue, Team T1 0 1 paused, Team T1", text)
    queue = reverse("desk:cases")
    assert (
        f'href="{queue}?view=teams&amp;team={team.pk}&amp;officer={ann.pk}&amp;sla=overdue"' in html
    )
    assert f'href="{queue}?view=teams&amp;team={team.pk}&amp;officer=none"' in html
    assert f'href="{queue}?view=teams&amp;team={team.pk}&amp;sla=paused"' in html


@pytest.mark.django_db
def test_breaches_oldest_first_and_paged(client, demo_site):
    team = _team("T2")
    lead = _staff("lena", team, "leader")
    now = timezone.now()
    cases = [_case(team, None, sla_due_at=now - timedelta(days=d)) for d in range(1, 28)]
    _case(team, None, sla_due_at=now - timedelta(days=50), sla_paused_at=now)  # paused: not listed
    client.force_login(lead)
    text = _text(client.get(URL))
    assert "27 open cases past their service standard, oldest first" in text
    oldest, newest = cases[-1].reference, cases[0].reference
    assert text.index(oldest) < text.index(cases[-2].reference)
    assert newest not in text  # on page 2
    page_two = _text(client.get(URL, {"page": 2}))
    assert newest in page_two
    assert oldest not in page_two


@pytest.mark.django_db
def test_the_leader_does_not_see_another_teams_breach(client, demo_site):
    mine, other = _team("T3"), _team("T4")
    lead = _staff("lena", mine, "leader")
    theirs = _case(other, None, sla_due_at=timezone.now() - timedelta(days=5))
    client.force_login(lead)
    assert theirs.reference not in _text(client.get(URL))
    assert theirs.reference not in _text(client.get(URL, {"team": other.pk}))


def _queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL).status_code == 200
    return len(ctx)


@pytest.mark.django_db
def test_a_fixed_number_of_queries_whatever_the_teams_and_officers(
    client, demo_site, django_assert_num_queries
):
    manager = _user("mgr", m.Role.DEPARTMENT_MANAGER)
    dept = m.Department.objects.create(code="D9", name="Dept", manager=manager)

    def team_with(code: str, officers: int) -> m.Team:
        team = m.Team.objects.create(code=code, name=code, department=dept)
        for i in range(officers):
            user = _staff(f"{code.lower()}o{i}", team)
            _case(team, user, sla_due_at=timezone.now() - timedelta(days=1))
        _case(team, None, sla_due_at=timezone.now() - timedelta(days=1))
        return team

    team_with("A", 2)
    client.force_login(manager)
    client.get(URL)  # the first request after signing in notes when the session began
    # session, user, teams, members, open statuses, workload, breaches (count, page)
    with django_assert_num_queries(8):
        client.get(URL)
    small = _queries(client, manager)

    team_with("B", 8)
    team_with("C", 8)
    with django_assert_num_queries(small):
        response = client.get(URL)
    assert "Your 3 teams" in _text(response)
