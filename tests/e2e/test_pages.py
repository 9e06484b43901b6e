"""The privacy notice and accessibility statement in a real browser."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("path", ["/privacy/", "/accessibility/"])
def test_information_pages_are_accessible_and_fit_a_phone(page, path):
    page.set_viewport_size({"width": 320, "height": 900})
    page.goto("/")
    page.get_by_role(
        "link", name="Privacy" if path == "/privacy/" else "Accessibility statement"
    ).click()
    assert page.url.endswith(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    screenshot(page, f"page-{path.strip('/')}-320")
    assert_accessible(page)
