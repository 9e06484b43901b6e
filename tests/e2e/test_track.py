"""Tracking a request, reopening it and answering the survey, in a real browser."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from apps.council_crm.models import CaseStatus, SatisfactionSurvey, StateCategory
from apps.council_crm.services.cases import case_transition
from tests.e2e.conftest import assert_accessible, screenshot
from tests.factories.cases import report_pothole

pytestmark = pytest.mark.django_db(transaction=True)


def check_page(page, name: str) -> None:
    assert_accessible(page)
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url
        screenshot(page, f"track-{name}-{width}")


def test_a_resident_tracks_reopens_and_answers_the_survey(page):
    cache.clear()  # failed look-ups are counted per address
    case = report_pothole().case
    case = case_transition(
        case=case,
        status=CaseStatus.objects.get(code="completed"),
        actor=None,
        public_message="We filled the hole",
    )

    page.goto("/")
    page.get_by_role("link", name="Track a request").click()
    check_page(page, "01-find")
    page.get_by_label("Reference").fill(case.reference)
    page.get_by_label("Email address or phone number").fill("nobody@example.com")
    page.get_by_role("button", name="Find my request").click()
    assert page.get_by_role("link", name="We could not find a request").is_visible()
    check_page(page, "01-find-error")

    page.get_by_label("Email address or phone number").fill("sam.jones@example.com")
    page.get_by_role("button", name="Find my request").click()
    assert page.get_by_role("heading", level=1).inner_text() == case.reference
    assert "We filled the hole" in page.content()
    check_page(page, "02-detail")

    page.get_by_role("button", name="Reopen my request").click()
    assert page.get_by_role("link", name="Tell us what is still wrong").is_visible()
    check_page(page, "03-reopen-error")
    page.get_by_label("What is still wrong?").fill("The hole is back")
    page.get_by_role("button", name="Reopen my request").click()
    assert "We have reopened your request" in page.content()
    check_page(page, "04-reopened")
    case.refresh_from_db()
    assert case.status.state == StateCategory.OPEN

    survey = SatisfactionSurvey.objects.get(case=case)
    page.goto(reverse("portal:survey", args=[survey.token]))
    check_page(page, "05-survey")
    page.get_by_label("Satisfied", exact=True).check()
    page.get_by_role("button", name="Send").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you for your feedback"
    check_page(page, "06-survey-thanks")
    survey.refresh_from_db()
    assert survey.score == 4
