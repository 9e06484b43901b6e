"""The citizen page and search for staff (ADR 0017): who may open them, what they show, and the
access log that every opening writes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.council_crm import models as m
from apps.council_crm.contacts import ContactDetails
from apps.council_crm.permissions import can_handle_subject_access, can_see_citizens
from apps.council_crm.selectors.citizens import citizens_matching
from apps.council_crm.services.interactions import interaction_log
from tests.factories.cases import report_pothole, resident


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _root() -> m.User:
    return m.User.objects.create_superuser(username="root", password="pw")


def _demo_admin() -> m.User:
    return m.User.objects.create_user(
        username="demo_admin", role=m.Role.SERVICE_ADMIN, is_staff=True, is_superuser=True
    )


@pytest.mark.parametrize("role", ["officer_in", "officer_out", "leader_in", "manager_in", "dpo"])
def test_staff_and_the_dpo_open_a_citizen_page_and_it_is_logged(world, role):
    citizen = world.case.citizen
    user = world.users[role]
    assert can_see_citizens(user)
    page = _client(user).get(f"/desk/citizens/{citizen.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "owner@example.com" in body
    assert "Sam Jones" in body
    log = m.AccessLog.objects.get(citizen_id=citizen.pk, user=user)
    assert log.action == "view"
    assert log.via == f"/desk/citizens/{citizen.pk}/"
    # export and erasure stay the DPO's
    assert ("Download everything we hold" in body) is (role == "dpo")
    assert can_handle_subject_access(user) is (role == "dpo")


@pytest.mark.parametrize("role", ["root", "demo_admin", "admin", "cllr_division", "owner"])
def test_configuration_roles_councillors_and_residents_get_404(world, role):
    user = {"root": _root, "demo_admin": _demo_admin}.get(role, lambda: world.users[role])()
    citizen = world.case.citizen
    client = _client(user)
    assert client.get(f"/desk/citizens/{citizen.pk}/").status_code == 404
    assert client.get("/desk/search/?q=Jones").status_code == 404
    assert client.get("/desk/contact/").status_code == 404
    assert not m.AccessLog.objects.filter(citizen_id=citizen.pk).exists()


def test_an_unknown_citizen_is_404(world):
    assert _client(world.users["officer_in"]).get("/desk/citizens/999999/").status_code == 404


def test_cases_the_officer_cannot_see_say_only_whose_they_are(world):
    # given the owner's pothole (Highways) and a sensitive case with another team
    citizen = world.case.citizen
    asb = m.ServiceCategory.objects.get(code="asb")
    sensitive = report_pothole(division="FE01", contact=resident(email="owner@example.com")).case
    sensitive.category = asb
    sensitive.team = m.Team.objects.exclude(pk=world.case.team_id).first()
    sensitive.save()
    interaction_log(
        citizen=citizen,
        channel="phone",
        direction="inbound",
        summary="Neighbour shouting again at night",
        actor=world.users["dpo"],
        case=sensitive,
    )
    # when an officer of the pothole's team opens the page
    body = _client(world.users["officer_in"]).get(f"/desk/citizens/{citizen.pk}/").content.decode()
    # then the pothole is a link with its status and promised date, the other case only its team
    assert f'href="/desk/cases/{world.case.reference}/"' in body
    assert world.case.status.name in body
    assert world.case.promised_date.strftime("%-d %b %Y") in body
    assert sensitive.reference not in body
    assert f"A case with {sensitive.team.name}" in body
    assert asb.name not in body
    assert "Neighbour shouting" not in body
    # the DPO sees it all
    body = _client(world.users["dpo"]).get(f"/desk/citizens/{citizen.pk}/").content.decode()
    assert sensitive.reference in body
    assert "Neighbour shouting again at night" in body


def test_the_page_shows_contacts_consents_and_the_repeat_reporter_flag(world):
    citizen = world.case.citizen
    officer = world.users["officer_in"]
    interaction_log(
        citizen=citizen,
        channel="phone",
        direction="inbound",
        summary="Asked when the pothole will be filled",
        actor=officer,
        case=world.case,
        outcome="added_to_case",
    )
    m.Consent.objects.create(
        citizen=citizen,
        purpose="share_with_councillor",
        scope="all_cases",
        channel="phone",
        wording_version="v1",
        granted_at=world.case.created_at,
    )
    client = _client(officer)
    body = client.get(f"/desk/citizens/{citizen.pk}/").content.decode()
    assert "Asked when the pothole will be filled" in body
    assert "Added to an existing case" in body
    assert "From the citizen" in body
    assert "Share with my councillor" in body
    assert "Repeat reporter" not in body
    for _n in range(4):
        report_pothole(division="FE01", contact=resident(email="owner@example.com"))
    body = client.get(f"/desk/citizens/{citizen.pk}/").content.decode()
    assert "Repeat reporter" in body
    assert "5 cases in the last 12 months" in body


def test_search_finds_by_name_email_phone_and_postcode_and_shows_duplicates(world):
    officer = world.users["officer_in"]
    a = report_pothole(
        contact=ContactDetails(
            first_name="Jane", last_name="Smith", email="jane@example.com", phone="07700 900123"
        )
    ).case.citizen
    a.postcode = "FE4 9AL"
    a.save()
    # a second record of the same person: same surname and postcode, another email
    b = m.Citizen.objects.create(
        first_name="J", last_name="smith", email="js@example.org", postcode="fe4 9al"
    )
    b.postcode = "FE4 9AL"
    b.save()
    for text in ("Jane Smith", "smith", "JANE@example.com", "+44 7700 900123", "fe49al"):
        found = [match.citizen for match in citizens_matching(user=officer, text=text)]
        assert a in found, text
    match = next(x for x in citizens_matching(user=officer, text="jane smith") if x.citizen == a)
    assert match.duplicates == [b]

    page = _client(officer).get("/desk/search/?q=07700900123")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Jane Smith" in body
    assert "Likely duplicate" in body
    assert "/desk/?q=07700900123&amp;view=teams" in body
    assert not citizens_matching(user=_root(), text="Jane Smith")


def test_search_by_reference_opens_the_case_it_may_see(world):
    client = _client(world.users["officer_in"])
    found = client.get(f"/desk/search/?q={world.case.reference.lower()}")
    assert found.status_code == 302
    assert found["Location"] == f"/desk/cases/{world.case.reference}/"
    # a case outside the officer's teams is not found, as if it did not exist
    other = _client(world.users["officer_out"]).get(f"/desk/search/?q={world.case.reference}")
    assert other.status_code == 200
    assert f'href="/desk/cases/{world.case.reference}/"' not in other.content.decode()
    assert "Nobody found" in other.content.decode()


def test_a_one_letter_search_is_an_error(world):
    page = _client(world.users["officer_in"]).get("/desk/search/?q=a")
    assert page.status_code == 400
    body = page.content.decode()
    assert "There is a problem" in body
    assert 'href="#q"' in body


def test_the_navigation_offers_log_a_contact_and_search_to_those_allowed(world):
    body = _client(world.users["officer_in"]).get("/desk/").content.decode()
    assert 'href="/desk/contact/"' in body
    assert 'href="/desk/search/"' in body
    body = _client(world.users["admin"]).get("/desk/").content.decode()
    assert 'href="/desk/contact/"' not in body
    assert 'href="/desk/search/"' not in body
    page = _client(world.users["officer_in"]).get(f"/desk/citizens/{world.case.citizen_id}/")
    assert '<a class="moj-primary-navigation__link" href="/desk/search/" aria-current="page">' in (
        page.content.decode()
    )


def test_the_citizen_page_runs_the_same_queries_however_much_it_shows(world):
    citizen = world.case.citizen
    client = _client(world.users["officer_in"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/desk/citizens/{citizen.pk}/").status_code == 200
        return len(captured)

    queries()  # the first request after signing in notes when the session began
    before = queries()
    for n in range(3):
        case = report_pothole(division="FE01", contact=resident(email="owner@example.com")).case
        interaction_log(
            citizen=citizen,
            channel="phone",
            direction="inbound",
            summary=f"Call {n}",
            actor=world.users["officer_in"],
            case=case,
        )
    assert queries() == before


def test_a_search_logs_every_citizen_it_shows_without_the_words_searched(world):
    officer = world.users["officer_in"]
    citizen = world.case.citizen
    twin = m.Citizen.objects.create(first_name="S", last_name="Jones", email="owner@example.com")
    _client(officer).get("/desk/search/?q=owner@example.com")
    rows = m.AccessLog.objects.filter(user=officer, action="list")
    assert sorted(rows.values_list("citizen_id", flat=True)) == sorted([citizen.pk, twin.pk])
    assert {row.via for row in rows} == {"/desk/search/"}
    _client(officer).get("/desk/contact/?q=Jones")
    assert m.AccessLog.objects.filter(user=officer, via="/desk/contact/").count() == 2


def test_a_contact_is_logged_from_the_citizen_page(world):
    client = _client(world.users["officer_in"])
    citizen = world.case.citizen
    body = client.get(f"/desk/citizens/{citizen.pk}/").content.decode()
    assert "Log a contact with them" in body
    started = client.post("/desk/contact/", {"citizen": str(citizen.pk)})
    assert started.status_code == 302
    assert started["Location"].endswith("/channel/")
    assert "Sam Jones" in client.get(started["Location"]).content.decode()
