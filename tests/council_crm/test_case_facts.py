"""What the case pages say about where a problem is (desk, member and account pages share it)."""

from __future__ import annotations

from django.test import Client

from apps.council_crm import models as m
from apps.council_crm.contacts import ContactDetails
from tests.factories.cases import report_pothole


def _officer_of(case: m.ServiceRequest) -> Client:
    user = m.User.objects.create_user(username="officer", password="pw", role=m.Role.CASE_OFFICER)
    member = m.StaffMember.objects.create(user=user)
    m.TeamMembership.objects.create(staff=member, team=case.team, role="member")
    client = Client()
    client.force_login(user)
    return client


def _where(html: str) -> str:
    start = html.index(">Where</dt>")
    return html[start : html.index("</dd>", start)]


def test_an_anonymous_case_with_only_a_pin_says_so_and_names_its_division(demo_site):
    case = report_pothole(
        division="FE01", contact=ContactDetails(), anonymous=True, address=""
    ).case
    assert (case.citizen, case.address) == (None, "")

    where = _where(_officer_of(case).get(f"/desk/cases/{case.reference}/").content.decode())

    assert f"A point on the map in {case.division.name} division (no address given)" in where
    assert f"({case.division.name})" not in where


def test_a_case_with_an_address_shows_it_above_its_division(demo_site):
    case = report_pothole(division="FE01", address="12 High Street").case

    where = _where(_officer_of(case).get(f"/desk/cases/{case.reference}/").content.decode())

    assert "12 High Street<br>" in where
    assert f"{case.division.name} division" in where
