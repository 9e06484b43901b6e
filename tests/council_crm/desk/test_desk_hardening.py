"""What a review of the desk found, each held by a test: configuration roles do not read the
resident's record, forms cannot skip the stale-page check, the clock moves only with a reason,
typed ids and page numbers never answer 500, and seeing a case is not leave to write on it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.council_crm import models as m
from apps.council_crm.selectors import desk_queues
from tests.factories.cases import report_pothole, resident

HOUR = timedelta(hours=1)


def _client(user: m.User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _seen(case: m.ServiceRequest) -> str:
    return m.ServiceRequest.objects.get(pk=case.pk).updated_at.isoformat()


def test_the_service_administrator_sees_the_case_but_not_the_resident(world):
    case = world.case
    officer = _client(world.users["officer_in"]).get(f"/desk/cases/{case.reference}/")
    assert "owner@example.com" in officer.content.decode()
    admin = _client(world.users["admin"]).get(f"/desk/cases/{case.reference}/")
    body = admin.content.decode()
    assert admin.status_code == 200
    assert case.reference in body
    assert "owner@example.com" not in body
    assert "details are not shown to your role" in body


def test_the_service_administrator_cannot_find_cases_by_a_residents_name(world):
    case = world.case
    m.Citizen.objects.filter(pk=case.citizen_id).update(last_name="Quenby")
    found = _client(world.users["officer_in"]).get("/desk/", {"view": "teams", "q": "Quenby"})
    assert case.reference in found.content.decode()
    admin = _client(world.users["admin"]).get("/desk/", {"view": "teams", "q": "Quenby"})
    assert admin.status_code == 200
    assert case.reference not in admin.content.decode()


def test_a_form_without_the_page_it_came_from_changes_nothing(world):
    case = world.case
    events = case.events.count()
    response = _client(world.users["officer_in"]).post(
        f"/desk/cases/{case.reference}/notes/", {"message": "Looked", "visibility": "internal"}
    )
    assert response.status_code == 400
    assert "This form is out of date" in response.content.decode()
    assert case.events.count() == events


def test_the_status_form_does_not_pause_the_clock(world):
    case = world.case
    paused = m.CaseStatus.objects.filter(state=m.StateCategory.PAUSED).first()
    case.status.allowed_next.add(paused)
    response = _client(world.users["officer_in"]).post(
        f"/desk/cases/{case.reference}/status/", {"status": paused.pk, "seen": _seen(case)}
    )
    assert response.status_code == 400
    assert "Pause or restart the clock with its own form" in response.content.decode()
    case.refresh_from_db()
    assert case.status.state != m.StateCategory.PAUSED
    assert case.sla_paused_at is None


@pytest.mark.parametrize("value", ["²", "9" * 30, "-1", "0", " ", "1e3"])
def test_odd_numbers_in_the_address_are_no_error(world, value):
    leader = _client(world.users["leader_in"])
    for url, params in [
        ("/desk/", {"team": value, "officer": value, "division": value, "category": value}),
        ("/desk/", {"page": value}),
        ("/desk/team/", {"team": value}),
    ]:
        assert leader.get(url, params).status_code in (200, 400), (url, value)
    dpo = _client(world.users["dpo"])
    assert dpo.get("/desk/access-log/", {"citizen": value}).status_code == 200


def test_a_page_far_past_the_end_of_a_long_queue_is_the_last_one(world, monkeypatch):
    # more cases than the count cap: the pages stop a page past it, never a huge OFFSET
    monkeypatch.setattr(desk_queues, "COUNT_CAP", 2)
    for i in range(3):
        report_pothole(division="FE01", contact=resident(email=f"p{i}@example.com"))
    leader = _client(world.users["leader_in"])
    response = leader.get("/desk/", {"view": "teams", "page": str(10**18)})
    assert response.status_code == 200


def test_seeing_every_case_is_not_leave_to_add_a_contact_to_one(world):
    # the data protection officer sees every case, and may log contacts, but writes on no case
    client = _client(world.users["dpo"])
    response = client.post("/desk/contact/", {"anonymous": "1"})
    base = response["Location"].removesuffix("channel/")
    client.post(f"{base}channel/", {"channel": "phone", "direction": "inbound"})
    client.post(f"{base}what/", {"what": "add"})
    refused = client.post(f"{base}add/", {"reference": world.case.reference, "summary": "x"})
    assert refused.status_code == 400
    assert f"You cannot add to {world.case.reference}" in refused.content.decode()
    assert not m.Interaction.objects.exists()


def test_due_this_week_on_the_team_page_opens_the_same_cases_in_the_queue(world):
    now = timezone.now()
    soon, later, late = (
        report_pothole(division="FE01", contact=resident(email=f"w{i}@example.com")).case
        for i in range(3)
    )
    for case, due in ((soon, timedelta(minutes=5)), (later, timedelta(days=8)), (late, -HOUR)):
        m.ServiceRequest.objects.filter(pk=case.pk).update(
            team=world.case.team, sla_due_at=now + due
        )
    leader = _client(world.users["leader_in"])
    team = leader.get("/desk/team/").content.decode()
    assert "sla=due_week" in team
    queue = leader.get("/desk/", {"view": "teams", "sla": "due_week"}).content.decode()
    assert soon.reference in queue
    assert later.reference not in queue
    assert late.reference not in queue


def test_a_case_is_not_assigned_to_someone_who_can_no_longer_sign_in(world):
    case = world.case
    leaver = world.users["officer_in"]
    leaver.is_active = False
    leaver.save()
    response = _client(world.users["leader_in"]).post(
        f"/desk/cases/{case.reference}/assign/",
        {"team": case.team_id, "assignee": leaver.pk, "reason": "Cover", "seen": _seen(case)},
    )
    assert response.status_code == 400
    assert "can no longer sign in" in response.content.decode()
    case.refresh_from_db()
    assert case.assignee != leaver


def test_a_paused_case_is_closed_without_restarting_its_clock_first(world):
    case = world.case
    paused = m.CaseStatus.objects.filter(state=m.StateCategory.PAUSED).first()
    resolved = m.CaseStatus.objects.filter(state=m.StateCategory.RESOLVED).first()
    opened = m.CaseStatus.objects.filter(state=m.StateCategory.OPEN).first()
    paused.allowed_next.add(resolved, opened)
    m.ServiceRequest.objects.filter(pk=case.pk).update(status=paused, sla_paused_at=timezone.now())
    officer = _client(world.users["officer_in"])
    page = officer.get(f"/desk/cases/{case.reference}/").content.decode()
    # the status form's list, if it offers any: restarting the clock is the clock form's
    listed = (
        page.split('id="status-status"')[1].split("</select>")[0] if "status-status" in page else ""
    )
    assert f'value="{opened.pk}"' not in listed
    assert "Restart the clock" in page or 'id="act-clock"' in page
    restart = officer.post(
        f"/desk/cases/{case.reference}/status/", {"status": opened.pk, "seen": _seen(case)}
    )
    assert restart.status_code == 400
    closed = officer.post(
        f"/desk/cases/{case.reference}/status/",
        {
            "form": "close",
            "status": resolved.pk,
            "public_message": "Cleared on Tuesday",
            "seen": _seen(case),
        },
    )
    assert closed.status_code == 302
    case.refresh_from_db()
    assert case.status == resolved
