"""The resident-facing look: GOV.UK Frontend in the council's colours and Arial, no GOV.UK brand."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.e2e.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_stylesheet_is_the_councils_own(page):
    # given the demo council, whose primary colour is in its site.toml
    primary = settings.CRM_SITE.primary_colour.lower()

    # when the home page is loaded
    page.goto("/")

    # then its stylesheet is the one built for this council, in this council's colour
    href = page.locator('link[rel="stylesheet"]').first.get_attribute("href")
    assert href.endswith(f"/council_crm/sites/{settings.CRM_SITE.slug}/app.css")
    css = page.request.get(href)
    assert css.ok
    assert primary in css.text().lower()
    assert "GDS Transport" not in css.text()
    # and the page is drawn with it: the header is the council's colour, the text is Arial
    header_background = page.evaluate(
        "getComputedStyle(document.querySelector('.govuk-header')).backgroundColor"
    )
    red, green, blue = (int(primary[i : i + 2], 16) for i in (1, 3, 5))
    assert header_background == f"rgb({red}, {green}, {blue})"
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert font.lower().startswith("arial")


def test_no_crown_and_no_gov_uk_name(page):
    page.goto("/")
    assert page.get_by_role("link", name=settings.CRM_SITE.name).is_visible()
    assert "GOV.UK" not in page.locator("body").inner_text()
    assert "GOV.UK" not in page.content()
    crown = ".govuk-header__logotype, .govuk-footer__crown, .govuk-logo-dot"
    assert page.locator(crown).count() == 0
    assert page.locator(".govuk-footer__licence-logo").count() == 0


@pytest.mark.parametrize("path", ["/", "/report/"])
def test_fits_a_320_pixel_screen(page, path):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, page.url
    screenshot(page, f"look-{path.strip('/') or 'home'}-320")
    assert_accessible(page)
