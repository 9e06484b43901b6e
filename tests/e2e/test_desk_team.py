"""The team page in a browser: a team leader signs in, reads the workload and the breaches."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from apps.council_crm import models as m
from tests.e2e.conftest import assert_accessible, screenshot
from tests.factories.cases import report_pothole, resident


def test_a_team_leader_reads_the_workload_and_opens_the_queue(page):
    tom = m.User.objects.get(username="tom.bradshaw")  # leads Highways North
    tom.set_password("team-pass-2026")
    tom.save()
    north = m.Team.objects.get(code="HWY-N")
    aisha = m.User.objects.get(username="aisha.okafor")
    now = timezone.now()
    for i in range(4):
        case = report_pothole(contact=resident(email=f"r{i}@example.com")).case
        m.ServiceRequest.objects.filter(pk=case.pk).update(
            team=north,
            assignee=aisha if i % 2 else None,
            sla_due_at=now - timedelta(days=i + 1),
        )

    page.goto("/account/login/")
    page.locator("input[name=login]").fill("tom.bradshaw")
    page.locator("input[name=password]").fill("team-pass-2026")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Team", exact=True).click()
    page.wait_for_url("**/desk/team/")
    assert page.get_by_role("heading", name="Team workload").is_visible()
    assert page.get_by_role("heading", name="Highways North").is_visible()
    assert page.get_by_text("4 open cases past their service standard").is_visible()
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"desk_team_{width}")
        assert_accessible(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="2 overdue, Aisha Okafor").click()
    assert "view=teams" in page.url
    assert f"officer={aisha.pk}" in page.url
    assert "sla=overdue" in page.url
