"""The desk's queue in a real browser: filter, sort, search, save a view; and by keyboard only."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.council_crm import models as m
from tests.e2e.conftest import assert_accessible, screenshot
from tests.factories.cases import report_pothole

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])


def _workload() -> list[m.ServiceRequest]:
    """Potholes for Highways North, two of them left in the team's queue."""
    descriptions = [
        "Crater by the bus stop",
        "Sunken drain cover on the high street",
        "Deep hole near the school gates",
        "Cracked surface on Mill Lane",
    ]
    cases = [report_pothole(description=d).case for d in descriptions]
    north = m.Team.objects.get(code="HWY-N")
    m.ServiceRequest.objects.update(team=north)
    m.ServiceRequest.objects.filter(pk__in=[cases[1].pk, cases[2].pk]).update(assignee=None)
    return cases


def show_filter(page) -> None:
    """Narrower than a desktop, MOJ's filter panel opens from its "Show filter" button."""
    button = page.get_by_role("button", name="Show filter")
    if button.is_visible():
        button.click()


@pytest.mark.parametrize("width", [320, 1280])
def test_filter_sort_search_and_save_a_view(page, live_server, width):
    cases = _workload()
    leader = m.User.objects.get(username="tom.bradshaw")
    sign_in(page, live_server, leader)
    page.set_viewport_size({"width": width, "height": 900})

    page.goto("/desk/")
    assert page.get_by_role("heading", level=1).inner_text() == "My teams"
    assert page.get_by_role("link", name="Unassigned (2)").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"desk-queue-{width}")
    assert_accessible(page)

    # filter: the team's unassigned cases
    show_filter(page)
    screenshot(page, f"desk-queue-filter-panel-{width}")
    assert_accessible(page)
    page.get_by_label("Officer").select_option("none")
    page.get_by_role("button", name="Apply filters").first.click()
    page.wait_for_url("**officer=none**")
    listed = page.locator("table.crm-queue a.crm-ref")
    assert sorted(listed.all_inner_texts()) == sorted([cases[1].reference, cases[2].reference])
    assert page.locator(".moj-filter__tag", has_text="Unassigned").count() == 1

    # sort by reference, then the other way
    page.get_by_role("link", name="Reference", exact=True).click()
    page.wait_for_url("**sort=reference**")
    header = page.locator("th[aria-sort='ascending']")
    assert header.inner_text() == "Reference"
    assert listed.all_inner_texts() == sorted([cases[1].reference, cases[2].reference])
    page.get_by_role("link", name="Reference", exact=True).click()
    page.wait_for_url("**sort=-reference**")
    assert page.locator("th[aria-sort='descending']").inner_text() == "Reference"
    assert listed.all_inner_texts() == sorted([cases[1].reference, cases[2].reference])[::-1]
    assert_accessible(page)

    # search within it
    show_filter(page)
    page.get_by_label("Search cases").fill("school")
    page.get_by_role("button", name="Apply filters").first.click()
    page.wait_for_url("**q=school**")
    assert "officer=none" in page.url
    assert listed.all_inner_texts() == [cases[2].reference]

    # save the view, then open it from the list
    show_filter(page)
    page.get_by_label("Save these filters as").fill("Unassigned near schools")
    page.get_by_role("button", name="Save view").click()
    page.wait_for_load_state()
    show_filter(page)
    saved = page.get_by_role("link", name="Unassigned near schools")
    assert saved.is_visible()
    page.goto("/desk/")
    show_filter(page)
    page.get_by_role("link", name="Unassigned near schools").click()
    page.wait_for_url("**q=school**")
    assert listed.all_inner_texts() == [cases[2].reference]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"desk-queue-filtered-{width}")
    assert_accessible(page)

    # the back button returns to the list before the search
    page.go_back()
    page.wait_for_url("**/desk/")
    assert page.get_by_role("heading", level=1).inner_text() == "My teams"


def test_bulk_assign_in_the_browser_asks_for_confirmation(page, live_server):
    cases = _workload()
    leader = m.User.objects.get(username="tom.bradshaw")
    officer = m.User.objects.get(username="aisha.okafor")
    sign_in(page, live_server, leader)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/desk/?view=triage")
    for case in cases[1:3]:
        page.get_by_label(f"Select {case.reference}").check()
    page.get_by_role("button", name="Assign selected").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Assign the selected cases"
    assert_accessible(page)
    page.get_by_label("Team", exact=True).select_option(label="Highways North")
    page.get_by_label("Officer").select_option(label="Aisha Okafor")
    page.get_by_label("Reason").fill("Aisha knows the area")
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check and confirm the assignment"
    assert_accessible(page)
    assert m.ServiceRequest.objects.filter(assignee__isnull=True).count() == 2
    page.get_by_role("button", name="Assign 2 cases").click()
    assert page.get_by_text("2 cases changed.").is_visible()
    screenshot(page, "desk-bulk-assign-done-1280")
    assert_accessible(page)
    assert m.ServiceRequest.objects.filter(assignee=officer).count() >= 2


def test_a_keyboard_only_walk_of_the_queue(page, live_server):
    cases = _workload()
    officer = m.User.objects.get(username="aisha.okafor")
    m.ServiceRequest.objects.update(assignee=officer)
    sign_in(page, live_server, officer)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/desk/")

    def tab_to(selector: str, limit: int = 80) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({selector!r})"):
                return
        raise AssertionError(f"Tab never reached {selector}")

    # Tab to the search, type, and apply with Enter
    tab_to("#q")
    page.keyboard.type("Mill")
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/?*q=Mill*")
    assert page.locator("table.crm-queue a.crm-ref").all_inner_texts() == [cases[3].reference]
    assert_accessible(page)

    # Tab to the case's link; Enter opens it
    tab_to("table.crm-queue a.crm-ref")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/desk/cases/{cases[3].reference}/")
    assert cases[3].reference in page.get_by_role("heading", level=1).inner_text()
