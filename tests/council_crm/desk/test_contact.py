"""Log a contact at the desk: the three outcomes, the portal's checks, once only, and who may."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.council_crm import models as m
from apps.council_crm.contacts import ContactDetails
from apps.council_crm.selectors.interactions import first_contact_counts
from apps.council_crm.services.cases import CaseRequest
from apps.council_crm.services.first_contact import contact_case_create
from apps.council_crm.services.interactions import interaction_log
from tests.factories.cases import POTHOLE_ANSWERS


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _start(client: Client, **post: str) -> str:
    """Start a journey; the URL of its channel step."""
    response = client.post("/desk/contact/", post)
    assert response.status_code == 302
    assert response["Location"].endswith("/channel/")
    return response["Location"].removesuffix("channel/")


def _go(client: Client, base: str, step: str, data: dict[str, str], then: str) -> None:
    response = client.post(f"{base}{step}/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"].endswith(then), response["Location"]


@pytest.mark.parametrize("role", ["officer_in", "leader_in", "manager_in", "dpo"])
def test_staff_may_log_a_contact(world, role):
    page = _client(world.users[role]).get("/desk/contact/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Log a contact" in body
    assert "Contacts logged today" in body


@pytest.mark.parametrize("role", ["admin", "cllr_division", "support_in", "owner"])
def test_others_get_404_and_write_nothing(world, role):
    client = _client(world.users[role])
    assert client.get("/desk/contact/").status_code == 404
    assert client.post("/desk/contact/", {"anonymous": "1"}).status_code == 404
    assert client.get("/desk/contact/new/").status_code == 404


def test_the_superuser_may_not_log_contacts(world):
    root = m.User.objects.create_superuser(username="root", password="pw")
    assert _client(root).get("/desk/contact/").status_code == 404


def test_finding_the_caller_shows_likely_duplicates(world):
    citizen = world.case.citizen
    m.Citizen.objects.create(first_name="Samuel", last_name="Jones", email="owner@example.com")
    client = _client(world.users["officer_in"])
    body = client.get("/desk/contact/?q=owner@example.com").content.decode()
    assert "2 people found" in body
    assert "Likely duplicate" in body
    assert f'name="citizen" value="{citizen.pk}"' in body


def test_a_phone_call_logged_as_a_new_case(world):
    officer = world.users["officer_in"]
    client = _client(officer)
    citizen = world.case.citizen
    base = _start(client, citizen=str(citizen.pk))
    _go(client, base, "channel", {"channel": "phone", "direction": "inbound"}, "/what/")
    _go(client, base, "what", {"what": "case"}, "/category/")
    _go(client, base, "category", {"category": "pothole"}, "/questions/")
    answers = {f"answers.{k}": v for k, v in POTHOLE_ANSWERS.items()}
    _go(client, base, "questions", answers, "/where/")
    _go(client, base, "where", {"q": "Chapel Row"}, "/details/")
    _go(client, base, "details", {"description": "Deep hole by the bus stop"}, "/consent/")
    consent_page = client.get(f"{base}consent/").content.decode()
    assert "Read this to them" in consent_page
    assert "If you agree, they can see this report" in consent_page
    _go(client, base, "consent", {"share": "yes"}, "/done/")
    done = client.get(f"{base}done/")
    body = done.content.decode()
    case = m.ServiceRequest.objects.exclude(pk=world.case.pk).get()
    assert case.citizen == citizen
    assert case.channel == "phone"
    assert case.raised_by == officer
    assert case.answers["hazard"] == "Yes"
    assert "Case logged" in body
    assert case.reference in body
    assert case.promised_date.strftime("%A %-d %B %Y") in body
    contact = m.Interaction.objects.get(case=case)
    assert contact.outcome == "case_created"
    assert contact.staff == officer
    consent = m.Consent.objects.get(citizen=citizen, case=case)
    assert consent.scope == "case"
    assert consent.channel == "phone"
    assert consent.recorded_by == officer
    assert consent.evidence == "Wording read aloud by phone"
    audit = m.AuditEvent.objects.get(action="contact_logged", object_id=str(contact.pk))
    assert audit.data["outcome"] == "case_created"
    assert "Deep hole" not in str(audit.data)
    assert "owner@" not in str(audit.data)
    # sending again (a double click, the back button) logs nothing more
    again = client.post(f"{base}consent/", {"share": "yes"})
    assert again.status_code == 302
    assert m.ServiceRequest.objects.count() == 2
    assert m.Interaction.objects.filter(case=case).count() == 1
    assert m.Consent.objects.filter(case=case).count() == 1


def test_case_questions_are_checked_as_the_portal_checks_them(world):
    client = _client(world.users["officer_in"])
    base = _start(client, citizen=str(world.case.citizen_id))
    _go(client, base, "channel", {"channel": "phone", "direction": "inbound"}, "/what/")
    _go(client, base, "what", {"what": "case"}, "/category/")
    _go(client, base, "category", {"category": "pothole"}, "/questions/")
    refused = client.post(f"{base}questions/", {"answers.location": "On the moon"})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "There is a problem" in body
    assert "Choose one of the options for: Where is the pothole?" in body
    assert "Answer the question: About how deep is it?" in body
    assert 'href="#answerslocation"' in body
    assert 'id="answerslocation"' in body
    nowhere = client.post(f"{base}where/", {"q": "Nowhere Road"})
    assert nowhere.status_code in (302, 400)
    assert m.ServiceRequest.objects.count() == 1
    assert not m.Interaction.objects.exists()


def test_an_anonymous_caller_cannot_report_a_kind_that_needs_details(world):
    client = _client(world.users["officer_in"])
    base = _start(client, anonymous="1")
    _go(client, base, "channel", {"channel": "face_to_face", "direction": "inbound"}, "/what/")
    _go(client, base, "what", {"what": "case"}, "/category/")
    refused = client.post(f"{base}category/", {"category": "housing_repair"})
    assert refused.status_code == 400
    assert "cannot be reported anonymously" in refused.content.decode()


def test_a_contact_added_to_an_existing_case(world):
    officer = world.users["officer_in"]
    client = _client(officer)
    base = _start(client, citizen=str(world.case.citizen_id))
    _go(client, base, "channel", {"channel": "email", "direction": "inbound"}, "/what/")
    _go(client, base, "what", {"what": "add"}, "/add/")
    page = client.get(f"{base}add/").content.decode()
    assert world.case.reference in page
    missing = client.post(f"{base}add/", {"case": world.case.reference, "summary": ""})
    assert missing.status_code == 400
    assert "Enter a summary of the contact" in missing.content.decode()
    assert not m.Interaction.objects.exists()
    _go(client, base, "add", {"case": world.case.reference, "summary": "Chasing"}, "/done/")
    contact = m.Interaction.objects.get()
    assert contact.case == world.case
    assert contact.outcome == "added_to_case"
    assert contact.channel == "email"
    event = world.case.events.get(kind="contact")
    assert "Chasing" in event.message
    assert event.actor == officer
    assert "Added to an existing case" in client.get(f"{base}done/").content.decode()


def test_a_case_the_officer_cannot_see_cannot_be_added_to(world):
    client = _client(world.users["officer_out"])
    base = _start(client, anonymous="1")
    _go(client, base, "channel", {"channel": "phone", "direction": "inbound"}, "/what/")
    _go(client, base, "what", {"what": "add"}, "/add/")
    refused = client.post(f"{base}add/", {"reference": world.case.reference, "summary": "x"})
    assert refused.status_code == 400
    assert "Enter the reference of a case you can see" in refused.content.decode()
    assert not m.Interaction.objects.exists()


def test_an_enquiry_resolved_there_and_then_is_counted(world):
    officer = world.users["officer_in"]
    client = _client(officer)
    base = _start(client, anonymous="1")
    _go(client, base, "channel", {"channel": "phone", "direction": "inbound"}, "/what/")
    _go(client, base, "what", {"what": "resolved"}, "/resolved/")
    _go(
        client,
        base,
        "resolved",
        {"outcome": "resolved", "summary": "Asked when the tip opens"},
        "/done/",
    )
    again = client.post(f"{base}resolved/", {"outcome": "resolved", "summary": "x"})
    assert again.status_code == 302
    contact = m.Interaction.objects.get()
    assert contact.outcome == "resolved"
    assert contact.case is None
    assert str(contact.citizen) == "No details given"
    today = timezone.localdate()
    phone = next(c for c in first_contact_counts(since=today, until=today) if c.channel == "phone")
    assert (phone.logged, phone.resolved) == (1, 1)
    page = client.get("/desk/contact/").content.decode()
    assert re.search(r'data-channel="phone">\s*1\s*<', page)
    assert m.AuditEvent.objects.filter(action="contact_logged").count() == 1


def test_first_contact_counts_per_channel_for_a_date_range(world):
    citizen = world.case.citizen
    officer = world.users["officer_in"]
    for channel, outcome in [("phone", "resolved"), ("phone", "referred"), ("sms", "resolved")]:
        interaction_log(
            citizen=citizen,
            channel=channel,
            direction="inbound",
            summary="x",
            actor=officer,
            outcome=outcome,
        )
    old = interaction_log(
        citizen=citizen,
        channel="phone",
        direction="inbound",
        summary="x",
        actor=officer,
        outcome="resolved",
    )
    old.created_at = timezone.now() - timedelta(days=3)
    old.save()
    today = timezone.localdate()
    counts = {c.channel: c for c in first_contact_counts(since=today, until=today)}
    assert (counts["phone"].logged, counts["phone"].resolved, counts["phone"].referred) == (2, 1, 1)
    assert counts["sms"].resolved == 1
    assert counts["email"].logged == 0
    week = {
        c.channel: c for c in first_contact_counts(since=today - timedelta(days=7), until=today)
    }
    assert week["phone"].resolved == 2


def test_a_new_citizen_is_checked_as_the_portal_checks_contact_details(world):
    client = _client(world.users["officer_in"])
    refused = client.post(
        "/desk/contact/new/", {"first_name": "Ada", "email": "ada@example", "phone": "12"}
    )
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "There is a problem" in body
    assert "Enter an email address in the correct format" in body
    assert "Enter a telephone number" in body
    assert not m.Citizen.objects.filter(first_name="Ada").exists()
    made = client.post(
        "/desk/contact/new/", {"first_name": "Ada", "last_name": "Byron", "phone": "07700 900456"}
    )
    assert made.status_code == 302
    ada = m.Citizen.objects.get(first_name="Ada")
    assert ada.phone == "07700900456"


def test_a_journey_step_without_a_choice_shows_the_error_summary(world):
    client = _client(world.users["officer_in"])
    base = _start(client, anonymous="1")
    refused = client.post(f"{base}channel/", {"channel": "fax"})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Select how they got in touch" in body
    assert 'href="#channel"' in body
    assert 'id="channel"' in body


def test_the_services_log_a_journey_once_whatever_the_session_says(world):
    # two tabs, or a session lost between two clicks: the journey's key still logs once
    officer = world.users["officer_in"]
    citizen = world.case.citizen
    kwargs = dict(
        citizen=citizen,
        channel="phone",
        direction="inbound",
        summary="Asked about bin days",
        actor=officer,
        outcome="resolved",
        key="desk-contact-abc",
    )
    first = interaction_log(**kwargs)
    assert interaction_log(**kwargs) == first
    assert m.Interaction.objects.count() == 1
    assert m.AuditEvent.objects.filter(action="contact_logged").count() == 1

    request = CaseRequest(
        channel="phone",
        category="pothole",
        description="Deep",
        answers=POTHOLE_ANSWERS,
        address="Chapel Row",
        contact=ContactDetails(first_name="Sam", last_name="Jones", email="owner@example.com"),
    )
    made = contact_case_create(
        request=request, citizen=citizen, actor=officer, key="k-1", share_with_councillor=True
    )
    again = contact_case_create(
        request=request, citizen=citizen, actor=officer, key="k-1", share_with_councillor=True
    )
    assert made.created
    assert not again.created
    assert again.case == made.case
    assert again.interaction == made.interaction
    assert m.Consent.objects.filter(case=made.case).count() == 1
    assert m.Interaction.objects.filter(case=made.case).count() == 1


def test_a_caller_who_gives_no_details_reports_a_kind_that_allows_it(world):
    client = _client(world.users["officer_in"])
    base = _start(client, anonymous="1")
    _go(client, base, "channel", {"channel": "face_to_face", "direction": "inbound"}, "/what/")
    _go(client, base, "what", {"what": "case"}, "/category/")
    _go(client, base, "category", {"category": "pothole"}, "/questions/")
    answers = {f"answers.{k}": v for k, v in POTHOLE_ANSWERS.items()}
    _go(client, base, "questions", answers, "/where/")
    _go(client, base, "where", {"q": "Chapel Row"}, "/details/")
    _go(client, base, "details", {"description": "Hole"}, "/consent/")
    page = client.get(f"{base}consent/").content.decode()
    assert "Read this to them" not in page  # no one to share it for
    _go(client, base, "consent", {}, "/done/")
    case = m.ServiceRequest.objects.exclude(pk=world.case.pk).get()
    assert case.is_anonymous
    assert case.citizen is None
    assert case.channel == "face_to_face"
    contact = m.Interaction.objects.get(case=case)
    assert contact.outcome == "case_created"
    assert not m.Consent.objects.filter(case=case).exists()
    assert case.reference in client.get(f"{base}done/").content.decode()


def test_a_street_search_with_several_answers_asks_which(world):
    client = _client(world.users["officer_in"])
    base = _start(client, anonymous="1")
    _go(client, base, "channel", {"channel": "phone", "direction": "inbound"}, "/what/")
    _go(client, base, "what", {"what": "case"}, "/category/")
    _go(client, base, "category", {"category": "pothole"}, "/questions/")
    answers = {f"answers.{k}": v for k, v in POTHOLE_ANSWERS.items()}
    _go(client, base, "questions", answers, "/where/")
    several = client.post(f"{base}where/", {"q": "High Street"})
    assert several.status_code == 200
    body = several.content.decode()
    assert "Choose the street or place" in body
    entry = m.GazetteerEntry.objects.filter(name="High Street").order_by("locality").last()
    assert f'value="{entry.pk}"' in body
    unknown = client.post(f"{base}where/", {"q": "Nowhere Road"})
    assert unknown.status_code == 400
    assert "We could not find a street or place called" in unknown.content.decode()
    _go(client, base, "where", {"q": "High Street", "place": str(entry.pk)}, "/details/")
