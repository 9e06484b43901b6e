"""My division (issue 14 point 3): every case, in full or in outline, paged and filtered, and
the outline never undoing the table's small-number suppression (ADR 0025)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.council_crm import models as m
from apps.council_crm.selectors.member import (
    DivisionQuery,
    division_listing,
    division_query_parse,
    street_of,
)
from tests.factories.cases import report_pothole, resident

from .conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("address", "street"),
    [
        ("12 Mill Lane\nFernbridge", "Mill Lane, Fernbridge"),
        ("12a Mill Lane, Fernbridge, FE1 2AB", "Mill Lane, Fernbridge"),
        ("Flat 3, 14-16 High Street, Fernbridge", "High Street, Fernbridge"),
        ("Mill Lane, Fernbridge", "Mill Lane, Fernbridge"),
        ("Unit 5 Riverside Park", "Riverside Park"),
        ("", ""),
    ],
)
def test_street_of_drops_numbers_and_postcodes(address, street):
    assert street_of(address) == street


def _potholes(n: int, **kw) -> list[m.ServiceRequest]:
    return [
        report_pothole(division="FE01", contact=resident(email=f"p{i}@example.com"), **kw).case
        for i in range(n)
    ]


def _outline(listing) -> list:
    return [r for r in listing.rows if r.case is None]


@pytest.mark.parametrize(("extra", "listed"), [(2, 0), (3, 0), (4, 5), (5, 6)])
def test_outline_rows_only_where_the_count_is_shown(world, cllr, extra, listed):
    # given the world's pothole and `extra` more: 3, 4 (hidden, under 5), 5, 6 (shown)
    _potholes(extra)
    listing = division_listing(user=cllr.user, division=world.case.division, query=DivisionQuery())
    # then the outline lists the potholes only when their cell is shown, and all of them
    new_cell = listing.table.cells[listing.table.rows.index("Pothole")][0]
    assert (new_cell is None) == (listed == 0)
    assert len(_outline(listing)) == listed
    if new_cell is not None:
        assert new_cell == listed


def test_a_filter_cannot_count_down_to_a_hidden_cell(world, cllr):
    # 6 potholes, one of them overdue: filtering on "overdue" leaves a cell of 1, hidden
    cases = _potholes(5)
    m.ServiceRequest.objects.filter(pk=cases[0].pk).update(
        sla_due_at=timezone.now() - timedelta(days=1)
    )
    division = world.case.division
    all_rows = division_listing(user=cllr.user, division=division, query=DivisionQuery())
    assert len(_outline(all_rows)) == 6
    overdue = division_listing(
        user=cllr.user, division=division, query=DivisionQuery(sla="overdue")
    )
    assert overdue.table.total is None  # 1: hidden
    assert _outline(overdue) == []  # and not listed either


def test_cases_seen_in_full_are_listed_whatever_the_counts(world, cllr):
    m.Consent.objects.create(
        citizen=world.case.citizen,
        purpose="share_with_councillor",
        scope="case",
        case=world.case,
        channel="web",
        wording_version="v1",
        granted_at=timezone.now() - timedelta(minutes=1),
    )
    listing = division_listing(user=cllr.user, division=world.case.division, query=DivisionQuery())
    assert [r.case for r in listing.rows] == [world.case]  # 1 pothole: hidden, but theirs


def test_division_page_shows_no_personal_data_and_streets_without_numbers(world, cllr):
    _potholes(5, address="27 Mill Lane\nFernbridge", description="Outside number 27, Ann Lee")
    client = signed_in(cllr.user)
    body = client.get("/member/divisions/FE01/").content.decode()
    assert "Mill Lane, Fernbridge" in body
    assert "27 Mill Lane" not in body
    assert "Ann Lee" not in body
    assert "@example.com" not in body
    assert not re.search(r"\d+\.\d{3}, -?\d+\.\d{3}", body)  # no coordinates


def test_division_page_is_paged_by_25(world, cllr):
    _potholes(29)  # 30 potholes with the world's
    client = signed_in(cllr.user)
    first = client.get("/member/divisions/FE01/")
    assert len(first.context["listing"].rows) == 25
    assert "Showing 1 to 25 of 30" in first.content.decode()
    second = client.get("/member/divisions/FE01/?category=pothole&page=2")
    assert len(second.context["listing"].rows) == 5
    assert 'href="?category=pothole&amp;page=1"' in second.content.decode()


def test_bad_filters_are_shown_as_errors(world, cllr):
    client = signed_in(cllr.user)
    response = client.get("/member/divisions/FE01/?received_from=31/02/2026&state=nope")
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Enter the first date as a date" in body


def test_query_parse():
    q = division_query_parse(
        data={"received_from": "2026-03-01", "received_to": "2026-02-01", "sla": "overdue"}
    )
    assert q.sla == "overdue"
    assert "received_to" in q.errors


def test_other_division_is_404(world, cllr):
    client = signed_in(cllr.user)
    other = m.Division.objects.exclude(councillors=cllr).first()
    assert client.get(f"/member/divisions/{other.code}/").status_code == 404
