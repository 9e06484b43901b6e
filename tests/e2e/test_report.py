"""Reporting a problem in a real browser: without JavaScript, anonymously, and following a
report nearby. Every page is checked with axe-core and photographed at 320 and 1280 px."""

from __future__ import annotations

import re

import pytest
from PIL import Image

from apps.council_crm.models import (
    Attachment,
    CaseFollower,
    GazetteerEntry,
    ReportSubmission,
    ServiceRequest,
)
from tests.e2e.conftest import assert_accessible, screenshot
from tests.factories.cases import log_reports, report_pothole

pytestmark = pytest.mark.django_db(transaction=True)
WIDTHS = (320, 1280)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def no_js_page(browser, live_server, demo_site):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


def check_page(page, name: str | None = None) -> None:
    """Accessible, no sideways scrolling at 320 px, and (for the journey) photographed."""
    assert_accessible(page)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url
        if name:
            screenshot(page, f"report-{name}-{width}")
    page.set_viewport_size({"width": 320, "height": 900})


def test_a_resident_reports_a_pothole_by_street_search_without_javascript(no_js_page, tmp_path):
    page = no_js_page
    photo = tmp_path / "hole.jpg"
    Image.new("RGB", (64, 48), (120, 120, 120)).save(photo, format="JPEG")

    page.goto("/")
    page.get_by_role("link", name="Report a problem").click()
    expect_heading(page, "Where is the problem?")
    check_page(page, "01-where")

    # a search that finds nothing, then one that does
    page.get_by_label("Street or place name").fill("Nowhere Road")
    page.get_by_role("button", name="Search").click()
    assert "We could not find a street or place called ‘Nowhere Road’" in page.content()
    check_page(page, "01-where-error")
    page.get_by_label("Street or place name").fill("Church")
    page.get_by_role("button", name="Search").click()
    check_page(page, "02-where-results")
    page.get_by_label("Church Street, Aldermoor (FE4 5AR)").check()
    page.get_by_role("button", name="Continue").click()

    expect_heading(page, "What is the problem about?")
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("link", name="Select what the problem is about").is_visible()
    check_page(page, "03-group-error")
    page.get_by_label("Roads and pavements").check()
    check_page(page, "03-group")
    page.get_by_role("button", name="Continue").click()

    expect_heading(page, "Which of these is it?")
    check_page(page, "04-category")
    page.get_by_label("Pothole", exact=True).check()
    page.get_by_role("button", name="Continue").click()

    expect_heading(page, "Tell us more about the problem")
    assert "If the pothole is dangerous" in page.content()
    check_page(page, "05-questions")
    page.get_by_label("On the road").check()
    page.get_by_label("More than 10 cm").check()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Continue").click()

    expect_heading(page, "Describe the problem")
    check_page(page, "06-details")
    page.get_by_label("Describe the problem").fill("Deep hole by the bus stop")
    page.set_input_files("#photos", str(photo))
    page.get_by_role("button", name="Continue").click()

    expect_heading(page, "About you")
    check_page(page, "07-about-you")
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Jones")
    page.get_by_label("Email address").fill("sam@example")
    page.get_by_role("button", name="Continue").click()
    check_page(page, "07-about-you-error")
    page.get_by_label("Email address").fill("sam@example.com")
    page.get_by_role("button", name="Continue").click()

    expect_heading(page, "Sharing your report with your councillor")
    assert not page.get_by_label("Share this report with my local councillor").is_checked()
    check_page(page, "08-consent")
    page.get_by_role("button", name="Continue").click()

    expect_heading(page, "Check your answers before sending your report")
    check_page(page, "09-check")
    assert ServiceRequest.objects.count() == 0
    page.get_by_role("button", name="Send report").click()

    expect_heading(page, "Report sent")
    waiting = ReportSubmission.objects.get()  # received; the worker logs it moments later
    assert waiting.reference in page.content()
    assert waiting.team.name in page.content()
    check_page(page, "10-confirmation")
    log_reports()
    case = ServiceRequest.objects.get()
    assert case.reference == waiting.reference
    assert Attachment.objects.filter(case=case).count() == 1

    # refresh, and back to the check page and send again: still one case, same confirmation
    page.reload()
    page.go_back()
    expect_heading(page, "Report sent")
    assert case.reference in page.content()
    assert ServiceRequest.objects.count() == 1
    assert ReportSubmission.objects.count() == 0


def test_an_anonymous_report(page):
    page.goto("/report/")
    page.get_by_label("Street or place name").fill("Moor Lane")
    page.get_by_role("button", name="Search").click()
    page.get_by_label(re.compile("^Moor Lane, Aldermoor")).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Litter, dog fouling and graffiti").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Litter or overflowing litter bin").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Broken glass").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Describe the problem").fill("Glass on the path")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Report this anonymously").check()
    check_page(page)
    page.get_by_role("button", name="Continue").click()
    expect_heading(page, "Check your answers before sending your report")
    assert "You are reporting this anonymously" in page.content()
    check_page(page)
    page.get_by_role("button", name="Send report").click()
    expect_heading(page, "Report sent")
    check_page(page)
    log_reports()
    case = ServiceRequest.objects.get()
    assert case.is_anonymous
    assert case.citizen is None


def test_following_a_report_nearby(page):
    entry = GazetteerEntry.objects.get(name="Church Street")
    existing = report_pothole(latitude=entry.latitude, longitude=entry.longitude).case
    page.goto("/report/")
    page.get_by_label("Street or place name").fill("Church Street")
    page.get_by_role("button", name="Search").click()
    page.get_by_label(re.compile("^Church Street, Aldermoor")).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Roads and pavements").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Pothole", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("On the road").check()
    page.get_by_label("Less than 4 cm").check()
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Continue").click()

    expect_heading(page, "Has someone already reported it?")
    assert existing.reference in page.content()
    check_page(page, "11-duplicates")
    page.get_by_label(f"Yes, {existing.reference}").check()
    page.get_by_role("button", name="Continue").click()

    expect_heading(page, f"Follow {existing.reference}")
    check_page(page, "12-follow")
    page.get_by_label("Email address").fill("alex@example.com")
    page.get_by_role("button", name="Follow this report").click()
    expect_heading(page, "You are following this report")
    check_page(page, "13-followed")
    assert ServiceRequest.objects.count() == 1
    assert CaseFollower.objects.get(case=existing).citizen.email == "alex@example.com"


def expect_heading(page, text: str) -> None:
    assert page.get_by_role("heading", level=1).inner_text().strip() == text, page.url
