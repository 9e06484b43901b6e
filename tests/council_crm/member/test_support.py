"""Support officers (issue 14 point 4): switch between the councillors they support, 'Acting
for' on every page, and what they do recorded on behalf of that councillor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.council_crm import models as m

from .conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(world):
    support = world.users["support_in"]
    m.MemberSupportDelegation.objects.create(officer=support, councillor=world.cllr_other)
    return support


def test_acting_for_is_on_every_page_and_switches(world, officer):
    client = signed_in(officer)
    first, second = sorted([world.cllr_division, world.cllr_other], key=lambda c: (str(c), c.pk))
    for url in ("/member/", "/member/log/", "/member/emails/"):
        body = client.get(url).content.decode()
        assert f"Acting for <strong>{first}</strong>" in body
        assert "Act for another councillor" in body
    response = client.post("/member/acting-for/", {"councillor": second.pk})
    assert response.status_code == 302
    assert f"Acting for <strong>{second}</strong>" in client.get("/member/").content.decode()


def test_switching_to_a_councillor_not_supported_is_404(world, officer):
    client = signed_in(officer)
    stranger = m.Councillor.objects.exclude(pk__in=[world.cllr_division.pk, world.cllr_other.pk])
    assert (
        client.post("/member/acting-for/", {"councillor": stranger.first().pk}).status_code == 404
    )
    assert client.post("/member/acting-for/", {"councillor": "x"}).status_code == 404


def test_a_delegation_that_ends_stops_the_switch_at_once(world, officer):
    client = signed_in(officer)
    client.post("/member/acting-for/", {"councillor": world.cllr_other.pk})
    m.MemberSupportDelegation.objects.filter(officer=officer, councillor=world.cllr_other).update(
        ends_on=timezone.localdate() - timedelta(days=1)
    )
    body = client.get("/member/").content.decode()
    assert f"Acting for <strong>{world.cllr_division}</strong>" in body  # back to the other
    assert "Act for another councillor" not in body


def test_officer_logs_for_the_councillor_acted_for(world, officer):
    client = signed_in(officer)
    client.post("/member/acting-for/", {"councillor": world.cllr_division.pk})
    street = m.GazetteerEntry.objects.filter(division__code="FE01", kind="street").first()
    response = client.post(
        "/member/log/pothole/",
        {
            "key": "abc",
            "for": "constituent",
            "answers.location": "On the road",
            "answers.depth": "More than 10 cm",
            "answers.hazard": "yes",
            "where": str(street),
            "description": "Deep pothole",
            "first_name": "Bo",
            "last_name": "Reed",
            "email": "bo@example.com",
            "consent_how": "phone",
            "consent_evidence": "Rang the office on 4 March",
        },
    )
    assert response.status_code == 302
    case = m.ServiceRequest.objects.get(citizen__email="bo@example.com")
    assert case.raised_by == officer
    assert case.on_behalf_of == world.cllr_division
    consent = m.Consent.objects.get(case=case)
    assert consent.recorded_by == officer
    assert consent.councillor == world.cllr_division
    created = case.events.get(kind="created")
    assert f"on behalf of {world.cllr_division}" in created.message
    # the councillor sees it from then on
    body = signed_in(world.cllr_division.user).get("/member/").content.decode()
    assert case.reference in body
