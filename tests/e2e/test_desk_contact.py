"""Log a contact at the desk in a real browser: a phone call logged as a new case, and a contact
added to an existing case. axe-core on every page, screenshots at 320 and 1280 px."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from apps.council_crm import models as m
from tests.e2e.conftest import assert_accessible, screenshot
from tests.factories.cases import report_pothole, resident

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])


def officer_of(team: m.Team) -> m.User:
    user = m.User.objects.create_user(
        username="cc.officer", first_name="Casey", last_name="Clark", role=m.Role.CASE_OFFICER
    )
    staff = m.StaffMember.objects.create(user=user)
    m.TeamMembership.objects.create(staff=staff, team=team)
    return user


def check(page, name: str) -> None:
    """axe-core at both widths, a screenshot at each; the page fits a 320 px screen."""
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"desk-contact-{name}-{width}")
        assert_accessible(page)
        if width == 320:
            assert page.evaluate("document.documentElement.scrollWidth") <= 320, page.url


def test_a_phone_call_logged_as_a_new_case(page, live_server):
    team = m.Team.objects.get(code="HWY-TRIAGE")
    sign_in(page, live_server, officer_of(team))
    loads: list[str] = []  # pages shown (a form sent and the page it leads to are one)
    page.on("load", lambda p: loads.append(p.url))
    spent = 0.0

    def step(action) -> None:
        nonlocal spent
        started = time.monotonic()
        action()
        page.wait_for_load_state()
        spent += time.monotonic() - started

    # 1. find the caller: nobody of that name, so add them
    step(lambda: page.goto("/desk/contact/"))
    check(page, "start")
    page.get_by_label("Who is it?").fill("Ada Byron")
    step(lambda: page.get_by_role("button", name="Search").click())
    assert "Nobody found" in page.locator("#results").inner_text()
    step(lambda: page.get_by_role("link", name="Add a new citizen").click())
    assert page.get_by_label("First name").input_value() == "Ada"
    page.get_by_label("Phone number").fill("07700 900 456")
    check(page, "new-citizen")
    step(lambda: page.get_by_role("button", name="Continue").click())

    # 2. by phone
    assert page.get_by_role("heading", level=1).inner_text() == "How did they get in touch?"
    check(page, "channel")
    page.get_by_label("Phone", exact=True).check()
    step(lambda: page.get_by_role("button", name="Continue").click())

    # 3. a new case: category, its questions, where, what
    page.get_by_label("Log a new case").check()
    check(page, "what")
    step(lambda: page.get_by_role("button", name="Continue").click())
    page.get_by_label("What is the problem?").select_option("pothole")
    check(page, "category")
    step(lambda: page.get_by_role("button", name="Continue").click())
    # the portal's checks: a required question left out
    step(lambda: page.get_by_role("button", name="Continue").click())
    summary = page.locator(".govuk-error-summary")
    assert "Answer the question: Where is the pothole?" in summary.inner_text() or (
        "Where is the pothole?" in summary.inner_text()
    )
    check(page, "questions-error")
    page.get_by_label("On the road").check()
    page.get_by_label("More than 10 cm").check()
    page.get_by_role("group", name="Is it causing an immediate danger to road users?").get_by_label(
        "Yes"
    ).check()
    step(lambda: page.get_by_role("button", name="Continue").click())
    page.get_by_label("Street or place name").fill("Chapel Row")
    check(page, "where")
    step(lambda: page.get_by_role("button", name="Find").click())
    page.get_by_label("Description").fill("Deep hole by the bus stop")
    check(page, "details")
    step(lambda: page.get_by_role("button", name="Continue").click())

    # 4. the consent wording read aloud, then the case logged
    wording = page.locator("#consent-wording").inner_text()
    assert "If you agree, they can see this report" in wording
    check(page, "consent")
    page.get_by_label("Yes, they agree").check()
    step(lambda: page.get_by_role("button", name="Log the case").click())

    # 5. the reference and promised date, to read back
    case = m.ServiceRequest.objects.get(citizen__first_name="Ada")
    assert page.get_by_role("heading", level=1).inner_text() == "Case logged"
    assert page.locator("#reference").inner_text() == case.reference
    assert page.locator("#promised").inner_text() == case.promised_date.strftime("%A %-d %B %Y")
    check(page, "done")
    assert case.channel == "phone"
    assert m.Interaction.objects.get(case=case).outcome == "case_created"
    assert m.Consent.objects.filter(case=case, channel="phone").exists()
    # a handful of page loads: one per step (11), and the error shown once
    assert len(loads) <= 12, loads
    assert spent < 30, spent


def test_a_contact_added_to_an_existing_case(page, live_server):
    case = report_pothole(contact=resident(email="pat@example.com", phone="07700900123")).case
    officer = officer_of(case.team)
    sign_in(page, live_server, officer)
    page.goto("/desk/contact/")
    # find them by phone, typed as they say it: the list fills in as it is typed (htmx)
    page.get_by_label("Who is it?").fill("+44 7700 900123")
    page.locator("#results table").wait_for()
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    check(page, "found")
    page.get_by_role("button", name="Choose").first.click()
    page.get_by_label("Email", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Add it to an existing case").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label(case.reference).check()
    # no summary: the error summary, nothing written
    page.get_by_role("button", name="Add to the case").click()
    assert "Enter a summary of the contact" in page.locator(".govuk-error-summary").inner_text()
    check(page, "add-error")
    assert not m.Interaction.objects.filter(outcome="added_to_case").exists()
    page.get_by_label(case.reference).check()
    page.get_by_label("Summary of the contact").fill("Asked when it will be filled")
    page.get_by_role("button", name="Add to the case").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Contact logged"
    check(page, "added")
    assert case.events.filter(kind="contact", message__contains="Asked when").exists()

    # the citizen's page shows it, for this officer
    page.get_by_role("link", name="Open Sam Jones's page").click()
    assert "Asked when it will be filled" in page.locator("#contacts").inner_text()
    assert case.reference in page.locator("#cases").inner_text()
    check(page, "citizen")
    assert m.AccessLog.objects.filter(user=officer, citizen_id=case.citizen_id).exists()
