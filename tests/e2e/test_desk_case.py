"""A web report worked to closure on the desk's case page, in Chromium, checked by axe-core."""

from __future__ import annotations

from apps.council_crm import models as m
from tests.e2e.conftest import assert_accessible, screenshot
from tests.factories.cases import report_pothole, resident


def sign_in(page, live_server, user) -> None:
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])


def _officer(team: m.Team) -> m.User:
    user = m.User.objects.create_user(
        username="kim",
        password="pw",
        role=m.Role.CASE_OFFICER,
        email="kim@example.com",
        first_name="Kim",
        last_name="Lee",
    )
    m.TeamMembership.objects.create(staff=m.StaffMember.objects.create(user=user), team=team)
    return user


def _submit(page, section: str) -> None:
    page.locator(f"#{section} form[method=post] button[type=submit]").first.click()
    page.wait_for_load_state()


def _success(page, text: str) -> None:
    assert text in page.locator(".moj-alert--success").inner_text()
    assert_accessible(page)


def test_a_web_report_is_worked_to_closure(page, live_server):
    case = report_pothole(division="FE01").case
    assert m.OutboxMessage.objects.filter(case=case, event="acknowledgement").exists()
    officer = _officer(case.team)
    sign_in(page, live_server, officer)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/desk/cases/{case.reference}/")
    assert "Is it causing an immediate danger to road users?" in page.content()
    assert_accessible(page)
    screenshot(page, "desk-case-1280")

    # triage
    page.select_option("#status-status", label="Awaiting inspection (open)")
    _submit(page, "act-status")
    _success(page, "Status changed to Awaiting inspection")

    # assign to me
    page.select_option("#assign-assignee", label="Kim Lee")
    page.fill("#assign-reason", "My patch")
    _submit(page, "act-assign")
    _success(page, "Reassigned")

    # a public update from a template, edited
    page.select_option("#template", label="Pothole repaired")
    page.get_by_role("button", name="Use template").click()
    # htmx swaps the text in (without JavaScript the page reloads with it)
    page.wait_for_function(
        "ref => document.querySelector('#update-message').value.includes(ref)", arg=case.reference
    )
    text = page.locator("#update-message").input_value()
    assert case.reference in text
    assert "Dear Sam" in text
    page.fill("#update-message", text.replace("has been repaired", "will be repaired this week"))
    assert page.locator("#update-visibility-public").is_checked()
    assert_accessible(page)
    _submit(page, "act-update")
    _success(page, "Update sent to the resident")

    # an error first: pausing needs a reason
    page.select_option("#clock-status", label="Waiting for contractor")
    _submit(page, "act-clock")
    assert "Say why the clock is paused" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.fill("#clock-reason", "Contractor booked for Friday")
    _submit(page, "act-clock")
    _success(page, "Clock paused")
    assert page.locator("[data-sla=paused]").count() >= 1

    page.select_option("#clock-status", label="In progress")
    page.fill("#clock-reason", "Contractor on site")
    _submit(page, "act-clock")
    _success(page, "Clock restarted")

    page.select_option("#close-status", label="Completed")
    page.fill("#close-public_message", "We filled the pothole on Friday.")
    _submit(page, "act-close")
    _success(page, "Status changed to Completed")

    events = set(m.OutboxMessage.objects.filter(case=case).values_list("event", flat=True))
    assert {"acknowledgement", "public_update", "completion"} <= events

    page.set_viewport_size({"width": 320, "height": 900})
    page.goto(f"/desk/cases/{case.reference}/")
    assert_accessible(page)
    screenshot(page, "desk-case-320")


def test_a_duplicate_is_merged_and_its_resident_told(page, live_server):
    master = report_pothole(division="FE01").case
    dup = report_pothole(division="FE01", contact=resident(email="pat@example.com")).case
    officer = _officer(dup.team)
    sign_in(page, live_server, officer)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/desk/cases/{dup.reference}/merge/")
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    assert "Choose the case this one repeats" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label(master.reference, exact=False).check()
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page)
    screenshot(page, "desk-merge-confirm-1280")
    page.get_by_role("button", name="Merge the cases").click()
    _success(page, f"merged into {master.reference}")
    dup.refresh_from_db()
    assert dup.duplicate_of == master
    assert m.OutboxMessage.objects.filter(
        case=dup, event="public_update", recipient="pat@example.com"
    ).exists()
    page.set_viewport_size({"width": 320, "height": 900})
    page.goto(f"/desk/cases/{dup.reference}/merge/")
    assert_accessible(page)
    screenshot(page, "desk-merge-320")


def test_keyboard_only_walk_of_the_case_page(page, live_server):
    case = report_pothole(division="FE01").case
    sign_in(page, live_server, _officer(case.team))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/desk/cases/{case.reference}/")

    def tab_to(predicate: str, limit: int = 400, key: str = "Tab") -> None:
        for _ in range(limit):
            page.keyboard.press(key)
            if page.evaluate(predicate):
                return
        raise AssertionError(f"{key} never reached {predicate}")

    tab_to("document.activeElement.id === 'update-message'")
    page.keyboard.type("Rang the resident back")
    tab_to("document.activeElement.textContent.trim() === 'Add update'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Internal note added" in page.locator(".moj-alert--success").inner_text()
    assert case.events.filter(message="Rang the resident back", is_public=False).exists()
    assert_accessible(page)

    # the MOJ button menu with the keyboard: open it, jump to an action, change the priority
    page.evaluate("document.activeElement && document.activeElement.blur()")
    tab_to("document.activeElement.textContent.trim() === 'Actions'")
    page.keyboard.press("Enter")  # opens the menu on its first item
    assert page.evaluate("document.activeElement.textContent.trim()") == "Change status"
    tab_to("document.activeElement.textContent.trim() === 'Change priority'", 8, "ArrowDown")
    page.keyboard.press("Enter")
    assert page.url.endswith("#act-priority")
    tab_to("document.activeElement.id === 'priority-priority'", limit=5)
    page.keyboard.press("ArrowDown")  # Normal to High
    tab_to("document.activeElement.id === 'priority-reason'", limit=3)
    page.keyboard.type("Near a school")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits the form the field is in
    assert "Priority changed to High" in page.locator(".moj-alert--success").inner_text()
    case.refresh_from_db()
    assert case.priority == "high"
    assert_accessible(page)


def test_without_javascript_the_menu_is_links_and_a_template_fills_on_reload(
    browser, live_server, demo_site
):
    case = report_pothole(division="FE01").case
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, live_server, _officer(case.team))
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"/desk/cases/{case.reference}/")
        menu = page.get_by_role("navigation", name="Actions on this case")
        menu.get_by_role("button", name="Change priority").click()  # a link to its section
        assert page.url.endswith("#act-priority")
        page.select_option("#template", label="Inspection booked")
        page.get_by_role("button", name="Use template").click()
        page.wait_for_load_state()
        assert "template=" in page.url
        assert "An inspector will visit" in page.locator("#update-message").input_value()
        page.locator("#act-update form[method=post] button[type=submit]").click()
        page.wait_for_load_state()
        assert "Update sent to the resident" in page.locator(".moj-alert--success").inner_text()
        assert_accessible(page)
        screenshot(page, "desk-case-nojs-1280")
    finally:
        context.close()
