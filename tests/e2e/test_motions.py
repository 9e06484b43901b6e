"""The public register of notices of motion in a real browser: search, then a motion's page."""

from __future__ import annotations

import pytest

from apps.council_crm import models as m
from tests.e2e.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [320, 1280])
def test_search_the_register_then_read_a_motion(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    page.get_by_role("link", name="Notices of motion").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Notices of motion"

    # search by words and status, without JavaScript doing anything special
    page.get_by_label("Search words").fill("potholes")
    page.get_by_label("Status").select_option("passed")
    page.get_by_role("button", name="Search").click()
    assert "q=potholes" in page.url
    expected = m.Motion.objects.filter(status="passed", title__icontains="pothole").count()
    assert expected > 0
    results = page.locator(".crm-register__item")
    assert results.count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"motions-search-{width}")
    assert_accessible(page)

    # the first result's page: the text, decision, replies and actions with their progress
    first = results.first.get_by_role("link")
    title = first.inner_text()
    first.click()
    assert page.get_by_role("heading", level=1).inner_text() == title
    motion = m.Motion.objects.get(reference=page.url.rstrip("/").split("/")[-1])
    for heading in ("The motion", "Decision", "Replies", "Follow-up actions", "Timeline"):
        assert page.get_by_role("heading", name=heading, exact=True).is_visible()
    assert page.get_by_text(motion.decision_text[:40]).first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"motions-detail-{width}")
    assert_accessible(page)


def test_a_search_with_a_bad_date_shows_an_accessible_error_summary(page):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/motions/?date_from_0=31&date_from_1=2&date_from_2=2025")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_date_from_0"
    assert page.title().startswith("Error:")
    assert_accessible(page)


def sign_in(page, live_server, user) -> None:
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])


def test_topic_report_member_and_desk_pages_are_accessible(page, live_server):
    from apps.council_crm.services.motions import motions_monthly_reports_run

    motions_monthly_reports_run()
    page.set_viewport_size({"width": 320, "height": 900})
    topic = m.Topic.objects.get(slug="flooding-and-drainage")
    report = m.MotionReport.objects.filter(final=True).first()
    for path in (topic.get_absolute_url(), "/motions/reports/", report.get_absolute_url()):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
        assert_accessible(page)
    screenshot(page, "motions-report-320")

    councillor = m.Councillor.objects.get(user__username="cllr.andrew.moffat")
    sign_in(page, live_server, councillor.user)
    page.goto("/member/motions/")
    assert page.get_by_role("heading", level=1).inner_text() == "Your notices of motion"
    assert page.locator("section").count() == m.Motion.objects.by_councillor(councillor).count()
    assert_accessible(page)

    officer = m.User.objects.get(username="joanna.webster")
    sign_in(page, live_server, officer)
    page.set_viewport_size({"width": 1280, "height": 900})
    motion = m.Motion.objects.filter(status="on_agenda").first()
    page.goto(f"/desk/motions/{motion.reference}/")
    # record a decision without its date: the error summary, then the field it points to
    page.get_by_label("Passed", exact=True).check()
    page.get_by_role("button", name="Record the decision").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter the date of the decision" in summary.inner_text()
    screenshot(page, "motions-desk-error-1280")
    assert_accessible(page)
    summary.get_by_role("link", name="Enter the date of the decision").click()
    assert page.evaluate("document.activeElement.id") == "id_decision-decision_date_0"
    motion.refresh_from_db()
    assert motion.status == "on_agenda"
