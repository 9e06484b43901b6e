"""Retention: closed cases are anonymised once their category's period after closure passes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.council_crm import models as m
from apps.council_crm.services.attachments import attachment_add
from apps.council_crm.services.audit import access_log_record
from apps.council_crm.services.cases import (
    case_add_update,
    case_follow,
    case_transition,
    survey_answer,
)
from apps.council_crm.services.citizens import ContactDetails
from apps.council_crm.services.consent import consent_grant
from apps.council_crm.services.interactions import interaction_log
from apps.council_crm.services.privacy import REMOVED, cases_retention_run
from apps.council_crm.tasks import job_name, periodic_run
from tests.factories.cases import report_pothole, resident
from tests.factories.files import jpeg

pytestmark = pytest.mark.usefixtures("demo_site")

NOW = timezone.now()


@pytest.fixture
def officer():
    return m.User.objects.get(username="aisha.okafor")


def closed_case(
    *, contact: ContactDetails, days_ago: int, officer: m.User, description: str
) -> m.ServiceRequest:
    """A pothole reported and then closed `days_ago` days before NOW."""
    closed_at = NOW - timedelta(days=days_ago)
    case = report_pothole(
        contact=contact, description=description, now=closed_at - timedelta(days=20)
    ).case
    case_add_update(case=case, actor=officer, message=f"Note about {description}", public=False)
    case_transition(
        case=case,
        status=m.CaseStatus.objects.get(code="completed"),
        actor=officer,
        enforce_workflow=False,
        public_message=f"Filled: {description}",
        now=closed_at - timedelta(days=3),
    )
    return case_transition(
        case=case,
        status=m.CaseStatus.objects.get(code="closed"),
        actor=officer,
        now=closed_at,
    )


@pytest.fixture
def cases(officer, django_capture_on_commit_callbacks):
    m.ServiceCategory.objects.filter(code="pothole").update(retention_days=30)
    ann = resident(email="ann.expired@example.com", phone="07700 900101")
    ben = resident(email="ben.recent@example.com")
    expired = closed_case(contact=ann, days_ago=45, officer=officer, description="Ann's pothole")
    recent = closed_case(contact=ben, days_ago=10, officer=officer, description="Ben's pothole")
    still_open = report_pothole(contact=ben, description="Ben's open pothole").case
    # the expired case has everything a case can have
    case_follow(case=expired, contact=ContactDetails(email="cat.follower@example.com"))
    interaction_log(
        citizen=expired.citizen,
        channel="phone",
        direction="inbound",
        summary="Ann rang about the pothole",
        actor=officer,
        case=expired,
    )
    consent_grant(
        citizen=expired.citizen,
        purpose=m.Consent.Purpose.CONTACT_ABOUT_CASE,
        scope=m.Consent.Scope.CASE,
        case=expired,
        actor=officer,
        channel="phone",
        evidence="Ann said yes",
    )
    survey_answer(token=expired.survey.token, score=2, comment="Ann: slow")
    attachment_add(case=expired, upload=SimpleUploadedFile("ann.jpg", jpeg()), actor=officer)
    access_log_record(user=officer, obj=expired, via=f"/desk/cases/{expired.reference}/")
    return expired, recent, still_open


def test_a_case_past_its_period_is_scrubbed_and_the_others_are_untouched(
    cases, django_capture_on_commit_callbacks
):
    expired, recent, still_open = cases
    ann = expired.citizen
    photo = expired.attachments.get().file.name
    untouched = {
        c.pk: (c.description, c.citizen_id, c.latitude, list(c.events.values_list("message")))
        for c in (recent, still_open)
    }

    with django_capture_on_commit_callbacks(execute=True):
        assert cases_retention_run(now=NOW) == 1

    case = m.ServiceRequest.objects.get(pk=expired.pk)
    assert case.anonymised_at == NOW
    assert case.citizen is None
    assert case.is_anonymous is False
    assert case.description == ""
    assert round(case.latitude, 3) == case.latitude
    assert (case.category.code, case.status.code) == ("pothole", "closed")
    assert case.division_id == expired.division_id
    assert set(case.events.values_list("message", flat=True)) == {REMOVED}
    assert not case.followers.exists()
    assert not case.attachments.exists()
    assert not default_storage.exists(photo)
    assert not m.Interaction.objects.filter(case=case).exists()
    assert not m.Interaction.history.filter(case_id=case.pk).exists()
    assert not m.Consent.objects.filter(case=case).exists()
    assert not m.Consent.history.filter(case_id=case.pk).exists()
    assert m.AccessLog.objects.get(object_id=case.reference).citizen_id is None
    assert m.SatisfactionSurvey.objects.get(case=case).comment == ""
    assert m.SatisfactionSurvey.objects.get(case=case).score == 2
    history = m.ServiceRequest.history.filter(id=case.pk)
    assert history.exists()
    assert set(history.values_list("citizen_id", "description")) == {(None, "")}
    messages = m.OutboxMessage.objects.filter(case=case)
    assert messages.exists()
    assert set(messages.values_list("recipient", "body", "citizen_id")) == {
        (REMOVED, REMOVED, None)
    }
    tombstone = m.AuditEvent.objects.get(action="case_retention_anonymised")
    assert tombstone.object_id == str(case.pk)
    assert tombstone.data["reference"] == case.reference
    assert tombstone.data["category"] == "pothole"
    assert tombstone.data["closed"] == timezone.localtime(expired.closed_at).date().isoformat()
    assert "ann" not in str(tombstone.data).lower()
    # Ann has nothing left: her record is anonymised too
    ann.refresh_from_db()
    assert ann.anonymised_at == NOW
    assert ann.email == ann.phone == ""
    assert m.AuditEvent.objects.filter(action="citizen_anonymised", object_id=str(ann.pk)).exists()
    # the recent closed case and the open one are as they were; Ben keeps his record
    for c in m.ServiceRequest.objects.filter(pk__in=untouched):
        assert (
            c.description,
            c.citizen_id,
            c.latitude,
            list(c.events.values_list("message")),
        ) == untouched[c.pk]
        assert c.anonymised_at is None
    assert recent.citizen.anonymised_at is None
    # so has Cat, whose record only existed to follow the case
    assert not m.Citizen.objects.filter(email="cat.follower@example.com").exists()
    assert m.Citizen.objects.filter(anonymised_at=NOW).count() == 2


def test_running_again_does_nothing_more(cases):
    cases_retention_run(now=NOW)
    events = m.AuditEvent.objects.count()

    assert cases_retention_run(now=NOW) == 0
    assert cases_retention_run(now=NOW + timedelta(days=5)) == 0
    assert m.AuditEvent.objects.count() == events


def test_a_citizen_with_another_case_keeps_their_record(officer):
    m.ServiceCategory.objects.filter(code="pothole").update(retention_days=30)
    dee = resident(email="dee.two@example.com")
    expired = closed_case(contact=dee, days_ago=45, officer=officer, description="old")
    report_pothole(contact=dee, description="a new one")

    assert cases_retention_run(now=NOW) == 1

    expired.citizen.refresh_from_db()
    assert expired.citizen.anonymised_at is None
    assert expired.citizen.email == "dee.two@example.com"


def test_the_periodic_run_includes_retention(cases):
    expired, _recent, _open = cases
    # the periodic job runs with the real clock: the case closed 45 days ago is due
    result = periodic_run.call()

    assert result[job_name(cases_retention_run)] == 1
    assert m.ServiceRequest.objects.get(pk=expired.pk).anonymised_at is not None
