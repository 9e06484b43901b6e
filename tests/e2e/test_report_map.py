"""Reporting a problem with a pin on the map, and with "Use my location", in a real browser.

Every page is checked with axe-core, must not scroll sideways at 320 px, and is photographed
at 320 and 1280 px wide.
"""

from __future__ import annotations

import pytest
from shapely.geometry import shape

from apps.council_crm.models import Division, ServiceRequest
from tests.e2e.conftest import assert_accessible, screenshot
from tests.factories.cases import log_reports, point_in

pytestmark = pytest.mark.django_db(transaction=True)
WIDTHS = (320, 1280)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def located_context(browser, live_server, demo_site):
    """A browser that may share its location (set with context.set_geolocation)."""
    context = browser.new_context(
        base_url=live_server.url,
        permissions=["geolocation"],
        geolocation={"latitude": 51.5074, "longitude": -0.1278},
    )
    yield context
    context.close()


def check_page(page, name: str | None = None) -> None:
    assert_accessible(page)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(250)  # the map follows the window's size after a resize event
        assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url
        if name:
            screenshot(page, f"report-map-{name}-{width}")
    page.set_viewport_size({"width": 320, "height": 900})
    page.wait_for_timeout(250)


def expect_heading(page, text: str) -> None:
    assert page.get_by_role("heading", level=1).inner_text().strip() == text, page.url


def open_map(page) -> None:
    page.set_viewport_size({"width": 320, "height": 900})
    page.goto("/report/")
    expect_heading(page, "Where is the problem?")
    page.locator("path.crm-division").first.wait_for()


def click_map_at(page, code: str, latitude: float, longitude: float) -> None:
    """Click the point in the division's outline, found from the outline's box on screen."""
    page.locator("#report-map").scroll_into_view_if_needed()
    min_lon, min_lat, max_lon, max_lat = shape(Division.objects.get(code=code).boundary).bounds
    box = page.locator(f"path.crm-division-{code}").bounding_box()
    x = box["x"] + (longitude - min_lon) / (max_lon - min_lon) * box["width"]
    y = box["y"] + (max_lat - latitude) / (max_lat - min_lat) * box["height"]
    page.mouse.click(x, y)


def status(page) -> str:
    return page.locator("#report-map-status").inner_text()


def walk_to_confirmation(page, prefix: str | None) -> None:
    """From the group step to the confirmation, as a pothole reported by Sam Jones."""

    def name(step: str) -> str | None:
        return f"{prefix}-{step}" if prefix else None

    expect_heading(page, "What is the problem about?")
    page.get_by_label("Roads and pavements").check()
    check_page(page, name("02-group"))
    page.get_by_role("button", name="Continue").click()

    expect_heading(page, "Which of these is it?")
    page.get_by_label("Pothole", exact=True).check()
    check_page(page, name("03-category"))
    page.get_by_role("button", name="Continue").click()

    expect_heading(page, "Tell us more about the problem")
    page.get_by_label("On the road").check()
    page.get_by_label("More than 10 cm").check()
    page.get_by_label("Yes", exact=True).check()
    check_page(page, name("04-questions"))
    page.get_by_role("button", name="Continue").click()

    expect_heading(page, "Describe the problem")
    page.get_by_label("Describe the problem").fill("Deep hole where the pin is")
    check_page(page, name("05-details"))
    page.get_by_role("button", name="Continue").click()

    expect_heading(page, "About you")
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Jones")
    page.get_by_label("Email address").fill("sam@example.com")
    check_page(page, name("06-about-you"))
    page.get_by_role("button", name="Continue").click()

    expect_heading(page, "Sharing your report with your councillor")
    check_page(page, name("07-consent"))
    page.get_by_role("button", name="Continue").click()

    expect_heading(page, "Check your answers before sending your report")


def test_a_resident_reports_a_pothole_with_a_pin_on_the_map(page):
    latitude, longitude = point_in("FE04")
    open_map(page)
    assert page.get_by_role("application", name="Map of the area Fernshire County Council").count()
    check_page(page, "01-where")

    # continuing before choosing a point says what to do, next to the map
    page.get_by_role("button", name="Continue with this location").click()
    expect_heading(page, "Where is the problem?")
    assert page.get_by_role("link", name="Choose the location on the map").is_visible()
    assert page.title().startswith("Error: ")
    page.locator("path.crm-division").first.wait_for()
    check_page(page, "01-where-error")

    # a click outside every division is refused in the page
    page.locator("#report-map").scroll_into_view_if_needed()
    box = page.locator("#report-map").bounding_box()
    page.mouse.click(box["x"] + 3, box["y"] + box["height"] - 3)
    assert "must be inside the area Fernshire County Council looks after" in status(page)
    assert page.locator("#latitude").input_value() == ""

    # a click inside Aldermoor drops the pin there
    click_map_at(page, "FE04", latitude, longitude)
    assert "Pin placed in Aldermoor" in status(page)
    assert page.locator("#report-map-error").is_hidden()
    # the server's error is no longer true: it leaves the summary and the title
    assert page.locator(".govuk-error-summary").count() == 0
    assert not page.title().startswith("Error:")
    check_page(page, "01-where-pin")
    page.get_by_role("button", name="Continue with this location").click()

    walk_to_confirmation(page, "pin")
    body = page.locator("#check-where").inner_text()
    assert "Pin at 52." in body
    assert "in Aldermoor" in body
    check_page(page, "pin-08-check")
    assert ServiceRequest.objects.count() == 0
    page.get_by_role("button", name="Send report").click()

    expect_heading(page, "Report sent")
    log_reports()
    case = ServiceRequest.objects.get()
    assert case.reference in page.content()
    assert case.division.code == "FE04"
    assert abs(case.latitude - latitude) < 0.002
    assert abs(case.longitude - longitude) < 0.002
    check_page(page, "pin-09-confirmation")

    # a refresh and the back button show the same confirmation and make no second case
    page.reload()
    page.go_back()
    expect_heading(page, "Report sent")
    assert ServiceRequest.objects.count() == 1


def test_a_pin_can_be_put_down_with_the_keyboard(page):
    open_map(page)
    page.locator("#report-map").focus()
    page.keyboard.press("Enter")
    assert "Pin placed in " in status(page)  # the middle of the area is in a division
    assert page.locator("#latitude").input_value() != ""


def test_use_my_location_puts_the_pin_where_the_resident_is(located_context):
    page = located_context.new_page()
    open_map(page)

    # outside the council's area: a clear error, nothing filled in
    page.get_by_role("button", name="Use my location").click()
    page.get_by_text("Your location is outside the area").first.wait_for()
    assert page.locator("#latitude").input_value() == ""
    check_page(page, "10-locate-outside")

    # inside: the pin goes there and the report carries on from it
    latitude, longitude = point_in("FE07")
    located_context.set_geolocation({"latitude": latitude, "longitude": longitude})
    page.get_by_role("button", name="Use my location").click()
    page.get_by_text("Pin placed in Wrensford").wait_for()
    assert float(page.locator("#latitude").input_value()) == pytest.approx(latitude, abs=1e-6)
    check_page(page, "11-locate")
    page.get_by_role("button", name="Continue with this location").click()

    walk_to_confirmation(page, None)
    assert "in Wrensford" in page.locator("#check-where").inner_text()
    page.get_by_role("button", name="Send report").click()
    expect_heading(page, "Report sent")
    log_reports()
    case = ServiceRequest.objects.get()
    assert case.division.code == "FE07"
    assert (case.latitude, case.longitude) == (round(latitude, 6), round(longitude, 6))


def test_use_my_location_says_so_when_the_browser_refuses(page):
    open_map(page)
    page.get_by_role("button", name="Use my location").click()
    page.get_by_text("We could not use your location").first.wait_for()
    assert page.locator("#latitude").input_value() == ""
    assert_accessible(page)


def test_search_results_keep_one_continue_button_and_a_link_to_the_map(page):
    open_map(page)
    page.get_by_label("Street or place name").fill("Church")
    page.get_by_role("button", name="Search").click()
    assert page.locator("#report-map").count() == 0
    page.get_by_role("link", name="Choose the location on a map instead").click()
    page.locator("path.crm-division").first.wait_for()
    assert page.locator("#report-map").is_visible()
