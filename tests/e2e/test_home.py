"""The council's home page in a real browser."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_accessible, axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [320, 1280])
def test_home_page_is_branded_and_accessible(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    assert page.title() == "Fernshire County Council"
    assert page.get_by_role("heading", level=1).inner_text() == "Report a problem to Fernshire"
    assert page.get_by_role("link", name="Report a problem").is_visible()
    # no horizontal scrolling at 320 px
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"home-{width}")
    assert_accessible(page)


def test_the_accessibility_check_can_fail(page):
    # given a page with an unlabelled field and an image without alternative text
    page.set_content('<html lang="en"><title>x</title><main><input><img src="x.png"></main></html>')
    rules = {v["id"] for v in axe_violations(page)}
    assert {"label", "image-alt"} <= rules
