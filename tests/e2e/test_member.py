"""The member area in a real browser: a councillor logs a case for a constituent with their
consent, follows it and sees it change; the division view with filters and paging; a support
officer switching councillors. axe-core on every page, screenshots at 320 and 1280 px, and no
page wider than a 320 px screen."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.council_crm import models as m
from apps.council_crm.services.cases import case_add_update
from tests.e2e.conftest import assert_accessible, screenshot
from tests.factories.cases import report_pothole, resident

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])


def check(page, name: str) -> None:
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"member-{name}-{width}")
        assert_accessible(page)
        if width == 320:
            assert page.evaluate("document.documentElement.scrollWidth") <= 320, page.url


def _councillor() -> m.Councillor:
    c = m.Councillor.objects.filter(divisions__code="FE01").order_by("pk").first()
    c.user.email = "cllr@example.com"
    c.user.save()
    return c


def test_councillor_logs_a_case_for_a_constituent_follows_it_and_sees_it_change(page, live_server):
    councillor = _councillor()
    sign_in(page, live_server, councillor.user)
    page.goto("/member/")
    check(page, "home-empty")
    page.get_by_role("link", name="Log a case").first.click()
    page.get_by_label("A constituent").check()
    page.get_by_label("What is the problem?").select_option("pothole")
    check(page, "log-start")
    page.get_by_role("button", name="Continue").click()
    # nothing filled in: the error summary, nothing logged
    page.get_by_role("button", name="Log the case").click()
    assert "There is a problem" in page.content()
    check(page, "log-errors")
    assert not m.ServiceRequest.objects.exists()
    page.get_by_label("On the road").check()
    page.get_by_label("More than 10 cm").check()
    page.locator("input[name='answers.hazard']").first.check()
    street = m.GazetteerEntry.objects.filter(division__code="FE01", kind="street").first()
    page.get_by_label("Where is the problem?").fill(str(street))
    page.get_by_label("Describe the problem").fill("Deep pothole by the school gate")
    page.get_by_label("First name").fill("Ann")
    page.get_by_label("Last name").fill("Lee")
    page.get_by_label("Email address").fill("ann.lee@example.com")
    page.get_by_label("In person").check()
    page.get_by_label("When did they agree?").fill("At my surgery on 3 March")
    check(page, "log-form")
    page.get_by_role("button", name="Log the case").click()
    assert page.get_by_role("heading", name="Case logged").is_visible()
    case = m.ServiceRequest.objects.get(citizen__email="ann.lee@example.com")
    assert case.on_behalf_of == councillor
    assert m.Consent.objects.get(case=case).channel == m.Channel.FACE_TO_FACE
    check(page, "case-logged")
    # they follow it already; stop and follow again
    page.get_by_role("button", name="Stop following").click()
    page.get_by_role("button", name="Follow this case").click()
    assert page.get_by_role("button", name="Stop following").is_visible()
    # an officer updates it (through the service): the councillor sees it and is emailed
    admin = m.User.objects.create_user(username="officer.x", role=m.Role.SERVICE_ADMIN)
    case_add_update(case=case, actor=admin, message="A crew is booked for Tuesday", public=True)
    page.reload()
    assert "A crew is booked for Tuesday" in page.locator("#timeline ~ ol").inner_text()
    assert m.OutboxMessage.objects.filter(
        case=case, recipient="cllr@example.com", event="public_update"
    ).exists()
    page.get_by_label("Add information to this case").fill("She rang again: it is deeper")
    page.get_by_role("button", name="Add information").click()
    assert "She rang again" in page.content()
    check(page, "case")
    page.goto("/member/")
    assert case.reference in page.content()
    check(page, "home")


def test_division_view_with_filters_and_paging(page, live_server):
    councillor = _councillor()
    for i in range(30):
        report_pothole(division="FE01", contact=resident(email=f"p{i}@example.com"))
    sign_in(page, live_server, councillor.user)
    page.goto("/member/divisions/FE01/")
    name = m.Division.objects.get(code="FE01").name
    assert page.get_by_role("heading", level=1).inner_text() == name
    assert "Showing 1 to 25 of 30" in page.content()
    check(page, "division")
    page.get_by_label("Problem").select_option("pothole")
    page.get_by_label("Status").select_option("new")
    page.get_by_role("button", name="Apply filters").click()
    assert "category=pothole" in page.url
    page.get_by_role("link", name="Next").click()
    assert "page=2" in page.url
    assert "category=pothole" in page.url
    assert "Showing 26 to 30 of 30" in page.content()
    check(page, "division-page-2")
    page.goto(page.url + "&received_from=nonsense")
    assert "There is a problem" in page.content()


def test_support_officer_switches_councillors(page, live_server):
    first = _councillor()
    second = m.Councillor.objects.exclude(pk=first.pk).order_by("pk").first()
    officer = m.User.objects.create_user(
        username="support.x", first_name="Sam", last_name="Ray", role=m.Role.SUPPORT_OFFICER
    )
    m.MemberSupportDelegation.objects.create(officer=officer, councillor=first)
    m.MemberSupportDelegation.objects.create(officer=officer, councillor=second)
    sign_in(page, live_server, officer)
    page.goto("/member/")
    banner = page.locator("#acting-for")
    assert "Acting for" in banner.inner_text()
    check(page, "support-home")
    other = second if str(first) in banner.inner_text() else first
    page.get_by_label("Act for another councillor").select_option(str(other.pk))
    page.get_by_role("button", name="Switch").click()
    assert str(other) in page.locator("#acting-for").inner_text()
    page.goto("/member/log/")
    assert str(other) in page.locator("#acting-for").inner_text()
    check(page, "support-log")
