"""The management information page in a browser: a councillor reads their division's tables,
charts, the choropleth of divisions and the heat grid, then the whole council."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from apps.council_crm import models as m
from apps.council_crm.demo.synthetic import cases_generate
from apps.council_crm.services.rollups import rollups_rebuild
from tests.e2e.conftest import assert_accessible, screenshot


def test_a_councillor_reads_the_management_information(page, live_server):
    cases_generate(count=1500, seed=3, months=3)
    rollups_rebuild(now=timezone.now() + timedelta(days=1))
    councillor = m.Councillor.objects.filter(divisions__code="FE01").order_by("pk").first()
    client = Client()
    client.force_login(councillor.user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.goto("/member/mi/?scope=FE01&period=quarter")
    assert page.get_by_role("heading", name="Management information").is_visible()
    assert page.get_by_text("Figures up to the end of").is_visible()
    assert page.get_by_role("table", name="Requests received by type and state now").is_visible()
    assert page.get_by_role("table", name="How requests were made").is_visible()
    # the charts are drawn beside their tables, the maps over the division boundaries
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length >= 5")
    page.wait_for_selector("#mi-choropleth path.leaflet-interactive")
    assert page.locator("#mi-choropleth path.leaflet-interactive").count() >= 12
    page.wait_for_timeout(1500)
    assert errors == []
    page.wait_for_selector("#mi-heatgrid path.leaflet-interactive")  # the boundaries
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"member_mi_division_{width}")
        assert_accessible(page)
    # no sideways scroll at 320 px outside the tables' own scrolling boxes
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 330

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Area", exact=True).select_option(label="The whole council")
    page.get_by_label("Period").select_option(label="Last 12 months")
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_url("**scope=council**")
    assert page.get_by_role("heading", name="The whole council", exact=False).is_visible()
    # the squares with enough requests, over the 12 division outlines
    page.wait_for_function(
        "() => document.querySelectorAll('#mi-heatgrid path.leaflet-interactive').length > 12"
    )
    screenshot(page, "member_mi_council_1280")
    assert_accessible(page)

    # a bad custom range: the error summary, no figures
    page.goto("/member/mi/?scope=FE01&period=custom&start=31/5/2026&end=1/5/2026")
    assert page.get_by_text("There is a problem").is_visible()
    screenshot(page, "member_mi_error_320")
    assert_accessible(page)
