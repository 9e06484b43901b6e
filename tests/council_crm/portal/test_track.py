"""Tracking a request by reference and contact; reopening it; the satisfaction survey."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.council_crm.models import CaseEvent, CaseStatus, SatisfactionSurvey, StateCategory
from apps.council_crm.services.cases import case_add_update, case_transition
from tests.factories.cases import report_pothole, resident

pytestmark = pytest.mark.django_db

NOT_FOUND = "We could not find a request with that reference"


def resolve(case, *, when=None):
    completed = CaseStatus.objects.get(code="completed")
    return case_transition(
        case=case, status=completed, actor=None, public_message="Filled the hole", now=when
    )


def track(client, reference, contact):
    return client.post("/track/", {"reference": reference, "contact": contact})


def test_the_survey_route_takes_one_token():
    assert reverse("portal:survey", args=["abc"]) == "/track/survey/abc/"


def test_a_resident_finds_their_request_by_email_or_phone_and_sees_public_entries_only(
    client, demo_site
):
    case = report_pothole(contact=resident(phone="07700 900123")).case
    case_add_update(case=case, actor=None, message="Crew booked for Tuesday", public=True)
    case_add_update(case=case, actor=None, message="Caller was rude", public=False)

    response = track(client, case.reference.lower(), "SAM.JONES@example.com")
    assert response["Location"] == f"/track/{case.reference}/"
    page = client.get(response["Location"]).content.decode()
    assert case.status.name in page
    assert "Crew booked for Tuesday" in page
    assert "Caller was rude" not in page
    assert f"{case.promised_date:%-d %B %Y}" in page
    assert case.team.name not in page  # routing is internal

    other = client.__class__()
    assert track(other, case.reference, "+44 7700 900123").status_code == 302


def test_a_wrong_reference_and_a_wrong_contact_look_the_same(client, demo_site):
    case = report_pothole().case
    wrong_contact = track(client, case.reference, "someone@example.com")
    wrong_reference = track(client, "FCC-1999-000001", "sam.jones@example.com")
    for response in (wrong_contact, wrong_reference):
        body = response.content.decode()
        assert response.status_code == 200
        assert NOT_FOUND in body
        assert '<a href="#reference">' in body
    # an anonymous report can never be tracked with a contact
    anon = report_pothole(anonymous=True, contact=None).case
    assert NOT_FOUND in track(client, anon.reference, "sam.jones@example.com").content.decode()


def test_track_errors_keep_what_was_typed(client, demo_site):
    response = client.post("/track/", {"reference": "FCC-2026", "contact": ""})
    body = response.content.decode()
    assert '<a href="#contact">Enter the email address or phone number you gave us</a>' in body
    assert 'value="FCC-2026"' in body


def test_the_case_page_needs_the_reference_and_contact_first(client, demo_site):
    case = report_pothole().case
    assert client.get(f"/track/{case.reference}/")["Location"] == "/track/"
    response = client.post(f"/track/{case.reference}/reopen/", {"reason": "Still there"})
    assert response["Location"] == "/track/"


def test_a_resident_reopens_a_resolved_request_within_the_window(client, demo_site):
    case = report_pothole().case
    resolve(case)
    track(client, case.reference, "sam.jones@example.com")
    page = client.get(f"/track/{case.reference}/").content.decode()
    assert "Not fixed? Reopen it" in page
    assert "Filled the hole" in page

    # bad input: nothing changes
    response = client.post(f"/track/{case.reference}/reopen/", {"reason": "  "})
    assert '<a href="#reason">Tell us what is still wrong</a>' in response.content.decode()
    case.refresh_from_db()
    assert case.status.state == StateCategory.RESOLVED

    response = client.post(f"/track/{case.reference}/reopen/", {"reason": "It is back"})
    assert response["Location"] == f"/track/{case.reference}/?reopened=1"
    case.refresh_from_db()
    assert case.status.state == StateCategory.OPEN
    page = client.get(response["Location"]).content.decode()
    assert "We have reopened your request" in page
    assert "Reopened: It is back" in page


def test_reopening_is_not_offered_after_the_window(client, demo_site):
    case = report_pothole().case
    resolve(case, when=timezone.now() - timedelta(days=60))
    track(client, case.reference, "sam.jones@example.com")
    page = client.get(f"/track/{case.reference}/").content.decode()
    assert "Not fixed? Reopen it" not in page
    assert "please report it again" in page
    response = client.post(f"/track/{case.reference}/reopen/", {"reason": "It is back"})
    assert "more than 28 days ago" in response.content.decode()
    case.refresh_from_db()
    assert case.status.state == StateCategory.RESOLVED


def test_the_satisfaction_survey_is_answered_once(client, demo_site):
    case = resolve(report_pothole().case)
    survey = SatisfactionSurvey.objects.get(case=case)
    url = reverse("portal:survey", args=[survey.token])

    response = client.post(url, {"comment": "ok"})
    body = response.content.decode()
    assert '<a href="#score_0">Select how satisfied you are</a>' in body
    assert "ok</textarea>" in body
    survey.refresh_from_db()
    assert survey.answered_at is None

    response = client.post(url, {"score": "4", "comment": "Quick"})
    assert response["Location"] == url
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (4, "Quick")
    assert "Thank you for your feedback" in client.get(url).content.decode()
    assert client.get(reverse("portal:survey", args=["nope"])).status_code == 404


def test_timeline_shows_no_internal_events(client, demo_site):
    case = report_pothole().case
    internal = CaseEvent.objects.filter(case=case, is_public=False).values_list(
        "message", flat=True
    )
    assert internal  # the routing reason is internal
    track(client, case.reference, "sam.jones@example.com")
    page = client.get(f"/track/{case.reference}/").content.decode()
    for message in internal:
        assert message not in page


def test_guessing_references_is_limited(client, demo_site):
    from django.core.cache import cache

    case = report_pothole().case
    for n in range(20):
        assert NOT_FOUND in track(client, f"FCC-2026-{n:06d}", "x@example.com").content.decode()
    response = track(client, case.reference, "sam.jones@example.com")
    assert response.status_code == 429
    assert "You have tried too many times" in response.content.decode()
    cache.clear()
    assert track(client, case.reference, "sam.jones@example.com").status_code == 302


def test_a_report_received_moments_ago_is_tracked_before_it_is_logged(client, demo_site):
    from apps.council_crm.models import ServiceRequest
    from apps.council_crm.services.intake import report_receive
    from tests.factories.cases import POTHOLE_ANSWERS, log_reports, point_in

    latitude, longitude = point_in("FE02")
    waiting = report_receive(
        journey_id="tracked-before-logging",
        category="pothole",
        description="Hole",
        answers=POTHOLE_ANSWERS,
        latitude=latitude,
        longitude=longitude,
        contact=resident(phone="07700 900123"),
    )
    assert ServiceRequest.objects.count() == 0

    # a wrong contact finds nothing, as for a case
    assert NOT_FOUND in track(client, waiting.reference, "other@example.com").content.decode()

    # the right one (email or phone) shows it as received, with its promised date
    response = track(client, waiting.reference, "+44 7700 900123")
    assert response["Location"] == f"/track/{waiting.reference}/"
    page = client.get(response["Location"]).content.decode()
    assert "Received" in page
    assert f"{waiting.promised_date:%-d %B %Y}" in page
    assert "Pothole" in page

    # once logged, the same page shows the case
    log_reports()
    case = ServiceRequest.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert case.status.name in page
    assert case.reference == waiting.reference
