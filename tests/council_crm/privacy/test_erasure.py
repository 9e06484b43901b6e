"""Erasure: the person's details are nowhere in the database afterwards; their cases stay."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection

from apps.council_crm import models as m
from apps.council_crm.services.cases import (
    CaseRequest,
    case_add_update,
    case_create,
    case_follow,
)
from apps.council_crm.services.citizens import ContactDetails
from apps.council_crm.services.privacy import REMOVED, citizen_anonymise
from tests.factories.cases import point_in, report_pothole
from tests.factories.privacy import BOB, ZEBEDEE, bob_with_a_case, needles, person_with_everything

pytestmark = pytest.mark.usefixtures("demo_site")


@pytest.fixture
def dpo():
    return m.User.objects.get_or_create(username="dpo", defaults={"role": m.Role.DPO})[0]


def text(value: Any) -> str:
    if isinstance(value, memoryview | bytes):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def database_dump() -> dict[str, str]:
    """Every table of the database, every column of every row, as lower-case text."""
    dump = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = cursor.fetchall()
            dump[table] = "\n".join(
                "\t".join(text(v) for v in row if v is not None) for row in rows
            ).lower()
    return dump


def tables_containing(dump: dict[str, str], words: list[str]) -> dict[str, list[str]]:
    found = {table: [w for w in words if w in content] for table, content in dump.items()}
    return {table: words for table, words in found.items() if words}


def test_nothing_of_the_person_is_left_in_any_table_and_their_cases_stay(
    dpo, django_capture_on_commit_callbacks
):
    # given Zebedee with data in every registered model (history rows included), following
    # Bob's case, and Bob following Zebedee's
    bob, bob_case = bob_with_a_case()
    zebedee = person_with_everything(ZEBEDEE, username="zebedee.quux", other_case=bob_case)
    case_follow(case=zebedee.cases[0], contact=ContactDetails(email=BOB.email))
    case_add_update(case=zebedee.cases[0], actor=dpo, message="Road closed Friday", public=True)
    photo = m.Attachment.objects.get(case=zebedee.cases[0]).file.name
    assert default_storage.exists(photo)
    before = tables_containing(database_dump(), needles(ZEBEDEE))
    # the dump sees the details where we put them, so the check below can fail
    assert {
        "council_crm_citizen",
        "council_crm_historicalcitizen",
        "council_crm_historicaluser",
        "council_crm_servicerequest",
        "council_crm_historicalservicerequest",
        "council_crm_caseevent",
        "council_crm_interaction",
        "council_crm_historicalinteraction",
        "council_crm_consent",
        "council_crm_historicalconsent",
        "council_crm_satisfactionsurvey",
        "council_crm_historicalsatisfactionsurvey",
        "council_crm_outboxmessage",
        "council_crm_accesslog",
        "council_crm_attachment",
        "django_admin_log",
        "council_crm_user",
    } <= set(before)
    cases = {
        c.pk: (c.category_id, c.status_id, c.division_id, c.created_at)
        for c in m.ServiceRequest.objects.filter(citizen=zebedee.citizen)
    }

    # when
    with django_capture_on_commit_callbacks(execute=True):
        tombstone = citizen_anonymise(
            citizen=zebedee.citizen, actor=dpo, reason="Erasure request, ticket 4411"
        )

    # then no table holds any of Zebedee's details, in any spelling
    assert tables_containing(database_dump(), needles(ZEBEDEE)) == {}
    # Bob's are untouched
    after = database_dump()
    assert BOB.email in after["council_crm_citizen"]
    assert BOB.email in after["council_crm_outboxmessage"]  # his own messages
    # the cases stay for statistics
    for case in m.ServiceRequest.objects.filter(pk__in=cases):
        assert (case.category_id, case.status_id, case.division_id, case.created_at) == cases[
            case.pk
        ]
        assert case.description == ""
        assert case.address == ""
        assert round(case.latitude, 3) == case.latitude
        assert case.citizen_id == zebedee.citizen.pk
        kinds = list(case.events.values_list("kind", flat=True))
        assert "status" in kinds or case.status.code == "received"
        assert set(case.events.values_list("message", flat=True)) == {REMOVED}
    street_light = m.ServiceRequest.objects.get(pk=zebedee.cases[1].pk)
    assert street_light.answers == {"column_number": REMOVED, "fault": "Flickering"}
    status_event = m.CaseEvent.objects.filter(case=zebedee.cases[0], kind="status").last()
    assert status_event.data == {"from": "in_progress", "to": "completed"}
    assert m.ServiceRequest.objects.get(pk=zebedee.cases[0].pk).survey.score == 4
    # the person and their account
    citizen = m.Citizen.objects.get(pk=zebedee.citizen.pk)
    assert citizen.anonymised_at is not None
    assert citizen.age_band == m.AgeBand.AGE_25_44  # kept for anonymised reporting
    account = m.User.objects.get(pk=zebedee.user.pk)
    assert account.username == f"anonymised-{account.pk}"
    assert not account.is_active
    assert not account.has_usable_password()
    assert not account.groups.exists()
    # attachments: rows and files gone; followers of theirs gone; Bob still follows theirs
    assert not m.Attachment.objects.filter(case__in=cases).exists()
    assert not default_storage.exists(photo)
    assert not m.CaseFollower.objects.filter(citizen=citizen).exists()
    assert m.CaseFollower.objects.filter(case=zebedee.cases[0], citizen=bob).exists()
    assert not m.Consent.objects.filter(citizen=citizen, withdrawn_at__isnull=True).exists()
    # the tombstone: who, which citizen, why, counts; nothing personal
    assert tombstone.action == "citizen_anonymised"
    assert tombstone.actor == dpo
    assert tombstone.object_id == str(citizen.pk)
    assert tombstone.data["reason"] == "Erasure request, ticket 4411"
    assert tombstone.data["counts"]["council_crm.HistoricalCitizen"] == 2
    assert tombstone.data["counts"]["mentions in other records"] >= 1  # the follow note
    assert not any(n in str(tombstone.data).lower() for n in needles(ZEBEDEE))
    # a mention in someone else's case loses the name, not the rest of the line
    assert bob_case.events.filter(message=f"{REMOVED} follows this case").exists()


def test_erasing_again_changes_nothing_and_returns_the_same_tombstone(dpo):
    zebedee = person_with_everything(ZEBEDEE, username="zebedee.quux")
    first = citizen_anonymise(citizen=zebedee.citizen, actor=dpo, reason="Request 1")
    dump = database_dump()

    again = citizen_anonymise(citizen=zebedee.citizen, actor=dpo, reason="Request 1 again")

    assert again == first
    assert m.AuditEvent.objects.filter(action="citizen_anonymised").count() == 1
    assert database_dump() == dump


def test_data_linked_after_the_erasure_is_scrubbed_by_a_second_one(dpo):
    zebedee = person_with_everything(ZEBEDEE, username="zebedee.quux")
    first = citizen_anonymise(citizen=zebedee.citizen, actor=dpo, reason="Request 1")
    m.Interaction.objects.create(
        citizen=zebedee.citizen, channel="phone", direction="inbound", summary="Rang back"
    )

    second = citizen_anonymise(citizen=zebedee.citizen, actor=dpo, reason="Request 1, again")

    assert second != first
    assert second.data["counts"] == {
        "council_crm.HistoricalInteraction": 1,
        "council_crm.Interaction": 1,
    }
    assert set(m.Interaction.objects.values_list("summary", flat=True)) == {REMOVED}


def test_a_reason_with_the_persons_details_is_refused_and_nothing_changes(dpo):
    zebedee = person_with_everything(ZEBEDEE, username="zebedee.quux")

    for reason in (
        "",
        "Zebedee  QUUXWORTH asked",
        "email ZEBEDEE.quux@example.com",
        "rang from +44 7700 900 777",
    ):
        with pytest.raises(ValidationError) as error:
            citizen_anonymise(citizen=zebedee.citizen, actor=dpo, reason=reason)
        assert "reason" in error.value.message_dict

    citizen = m.Citizen.objects.get(pk=zebedee.citizen.pk)
    assert citizen.anonymised_at is None
    assert citizen.email == ZEBEDEE.email
    assert not m.AuditEvent.objects.filter(action="citizen_anonymised").exists()


def test_a_council_officer_who_reported_as_a_resident_keeps_their_work_account(dpo):
    zebedee = person_with_everything(ZEBEDEE, username="zebedee.quux")
    m.User.objects.filter(pk=zebedee.user.pk).update(role=m.Role.CASE_OFFICER)

    tombstone = citizen_anonymise(citizen=zebedee.citizen, actor=dpo, reason="Request 7")

    account = m.User.objects.get(pk=zebedee.user.pk)
    assert account.is_active
    assert account.username == "zebedee.quux"
    assert m.Citizen.objects.get(pk=zebedee.citizen.pk).user is None
    assert tombstone.data["counts"]["work account unlinked"] == 1


def test_pending_messages_to_the_person_are_not_sent(dpo):
    case = report_pothole(contact=ZEBEDEE).case
    message = m.OutboxMessage.objects.get(case=case, citizen=case.citizen)
    assert message.status == "pending"

    citizen_anonymise(citizen=case.citizen, actor=dpo, reason="Request 8")

    message.refresh_from_db()
    assert message.status == "failed"
    assert message.recipient == REMOVED
    assert "erased" in message.last_error


def test_a_resident_who_shares_an_officers_name_leaves_the_officers_mentions_alone(dpo):
    officer = m.User.objects.get(username="aisha.okafor")
    other = report_pothole(contact=BOB).case
    case_add_update(case=other, actor=officer, message="Inspected by Aisha Okafor", public=False)
    namesake = report_pothole(
        contact=ContactDetails(
            first_name="Aisha", last_name="Okafor", email="aisha.resident@example.com"
        )
    ).case.citizen
    case_add_update(
        case=other, actor=officer, message="Copied aisha.resident@example.com", public=False
    )

    tombstone = citizen_anonymise(citizen=namesake, actor=dpo, reason="Request 9")

    messages = set(other.events.values_list("message", flat=True))
    assert "Inspected by Aisha Okafor" in messages
    assert f"Copied {REMOVED}" in messages
    assert tombstone.data["name_not_swept"]


def test_a_sensitive_case_keeps_its_division_but_no_location(dpo):
    lat, lon = point_in("FE04")
    case = case_create(
        request=CaseRequest(
            channel="web",
            category="housing_repair",
            answers={
                "room": "Kitchen",
                "repair_type": "Electrics",
                "access": "Mornings, ring twice",
            },
            latitude=lat,
            longitude=lon,
            address="14 Station Road",
            contact=ZEBEDEE,
        ),
        actor=None,
    ).case
    assert case.latitude is not None

    citizen_anonymise(citizen=case.citizen, actor=dpo, reason="Request 10")

    case.refresh_from_db()
    assert (case.latitude, case.longitude) == (None, None)
    assert case.division_id is not None
    assert case.answers == {"room": "Kitchen", "repair_type": "Electrics", "access": REMOVED}
    assert set(m.ServiceRequest.history.filter(id=case.pk).values_list("latitude", "address")) == {
        (None, "")
    }
