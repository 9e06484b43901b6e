"""Web reports received with their reference and logged as cases by the worker (ADR 0013)."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from apps.council_crm import models as m
from apps.council_crm import tasks
from apps.council_crm.services import intake
from apps.council_crm.services.cases import IdempotencyConflict
from apps.council_crm.services.citizens import ContactDetails
from tests.factories.cases import POTHOLE_ANSWERS, point_in

pytestmark = pytest.mark.usefixtures("demo_site")

SAM = ContactDetails(first_name="Sam", last_name="Jones", email="sam@example.com")


def receive(journey: str = "journey-0001", **kw):
    latitude, longitude = point_in("FE01")
    args = {
        "journey_id": journey,
        "category": "pothole",
        "description": "Deep hole by the bus stop",
        "answers": POTHOLE_ANSWERS,
        "latitude": latitude,
        "longitude": longitude,
        "contact": SAM,
        **kw,
    }
    return intake.report_receive(**args)


def logging_tasks_waiting() -> int:
    return DBTaskResult.objects.filter(status="READY", task_path=intake.LOG_TASK_PATH).count()


def test_a_report_is_received_with_what_the_case_will_have_and_becomes_that_case():
    submission = receive()
    assert m.ServiceRequest.objects.count() == 0
    assert submission.team.code == "HWY-N"  # the rule for potholes in the north, as a case
    assert submission.division.code == "FE01"
    assert submission.email == "sam@example.com"

    assert intake.reports_log() == 1

    case = m.ServiceRequest.objects.get()
    assert m.ReportSubmission.objects.count() == 0  # logged: nothing of it is kept twice
    assert (case.reference, case.team, case.promised_date, case.created_at) == (
        submission.reference,
        submission.team,
        submission.promised_date,
        submission.received_at,
    )
    assert case.idempotency_key == intake.report_key("journey-0001")
    assert case.citizen.email == "sam@example.com"
    assert m.OutboxMessage.objects.filter(case=case, event="acknowledgement").exists()


def test_bad_input_is_refused_when_received_and_nothing_is_written():
    with pytest.raises(ValidationError) as error:
        receive(category="no-such-thing", contact=ContactDetails(email="not-an-email"))
    assert set(error.value.message_dict) >= {"category", "email"}
    assert m.ReportSubmission.objects.count() == 0
    assert logging_tasks_waiting() == 0
    assert m.ReferenceCounter.objects.filter(last_value__gt=0).count() == 0


def test_the_same_journey_is_received_once_and_other_answers_are_a_conflict():
    first = receive()
    assert receive().pk == first.pk
    with pytest.raises(IdempotencyConflict):
        receive(description="Something else")
    intake.reports_log()
    case = m.ServiceRequest.objects.get()
    assert receive() == case  # logged since: the case is what it became
    with pytest.raises(IdempotencyConflict):
        receive(description="Something else")
    assert m.ServiceRequest.objects.count() == 1


def test_reports_received_while_a_logging_task_waits_write_no_task_of_their_own():
    receive("journey-0001")
    receive("journey-0002")
    receive("journey-0003")
    assert logging_tasks_waiting() == 1
    assert intake.LOG_TASK_PATH == intake.reports_log_task.module_path

    # the one task logs them all
    assert intake.reports_log_task.call() == 3
    assert m.ServiceRequest.objects.count() == 3


def test_a_report_that_no_longer_passes_is_kept_as_failed_and_can_be_sent_again(
    django_user_model,
):
    submission = receive()
    # the council switched potholes off between the report and its logging
    m.ServiceCategory.objects.filter(code="pothole").update(active=False)
    from apps.council_crm import config_cache

    config_cache.clear()

    assert intake.reports_log() == 0

    failed = m.ReportSubmission.objects.get()
    assert failed.state == "failed"
    assert "category" in failed.last_error
    assert m.ServiceRequest.objects.count() == 0
    assert intake.reports_log() == 0  # not tried again by itself

    m.ServiceCategory.objects.filter(code="pothole").update(active=True)
    config_cache.clear()
    admin = django_user_model.objects.create(username="web-admin", is_staff=True)
    intake.report_retry(submission=failed, actor=admin)
    assert intake.reports_log() == 1
    assert m.ServiceRequest.objects.get().reference == submission.reference
    assert m.AuditEvent.objects.filter(action="web_report_retried", actor=admin).exists()


def test_a_report_whose_logging_breaks_is_tried_again_later_then_kept_as_failed(monkeypatch):
    receive()

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(intake, "case_create", broken)
    for attempt in range(1, intake.MAX_ATTEMPTS):
        assert intake.reports_log() == 0
        waiting = m.ReportSubmission.objects.get()
        assert (waiting.state, waiting.attempts) == ("pending", attempt)
        assert waiting.next_attempt_at > timezone.now()  # not at once: it waits
        assert intake.reports_log() == 0
        assert m.ReportSubmission.objects.get().attempts == attempt
        m.ReportSubmission.objects.update(next_attempt_at=timezone.now())  # time passes
    assert intake.reports_log() == 0
    assert m.ReportSubmission.objects.get().state == "failed"
    assert "database went away" in m.ReportSubmission.objects.get().last_error


def test_a_photo_missing_from_its_folder_does_not_stop_the_case(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    receive(photos=[{"file": "gone.jpg", "name": "hole.jpg", "type": "image/jpeg"}])
    assert intake.reports_log() == 1
    case = m.ServiceRequest.objects.get()
    assert not case.attachments.exists()
    note = case.events.get(kind="internal_note")
    assert "hole.jpg" in note.message


def test_reports_claimed_by_a_worker_that_died_are_logged_once_its_lease_is_over():
    receive()
    assert intake._claim(10) != []  # a worker claimed it, then died
    assert intake.reports_log() == 0  # still its: not claimed twice
    m.ReportSubmission.objects.update(next_attempt_at=timezone.now())  # the lease is over
    assert intake.reports_log() == 1
    assert m.ServiceRequest.objects.count() == 1


def test_a_report_whose_worker_stops_every_time_is_given_up_after_the_last_attempt():
    receive()
    for attempt in range(1, intake.MAX_ATTEMPTS + 1):
        assert intake._claim(10) != []  # claimed, then the worker stopped
        assert m.ReportSubmission.objects.get().attempts == attempt - 1
        m.ReportSubmission.objects.update(next_attempt_at=timezone.now())  # lease over
    assert intake._claim(10) == []
    given_up = m.ReportSubmission.objects.get()
    assert given_up.state == "failed"
    assert "worker stopped" in given_up.last_error


def test_the_desk_warns_of_web_reports_that_failed_or_wait_too_long(client):
    officer = m.User.objects.get(username="aisha.okafor")
    client.force_login(officer)
    assert "could not be logged" not in client.get("/desk/").content.decode()

    receive("journey-late")
    m.ReportSubmission.objects.update(received_at=timezone.now() - timedelta(minutes=6))
    receive("journey-failed")
    m.ReportSubmission.objects.filter(idempotency_key__endswith="failed").update(state="failed")

    page = client.get("/desk/").content.decode()
    assert "1 report from the website could not be logged as a case." in page
    assert "Ask an administrator to look at them." in page
    assert "1 report from the website has waited more than 5 minutes" in page


def test_an_administrator_sends_failed_reports_again_from_the_admin(client, django_user_model):
    submission = receive()
    m.ReportSubmission.objects.update(state="failed", last_error="category: switched off")
    admin = django_user_model.objects.create_superuser(username="root-admin", password="x")
    client.force_login(admin)
    url = "/admin/council_crm/reportsubmission/"
    page = client.get(url, {"state__exact": "failed"}).content.decode()
    assert submission.reference in page
    assert "category: switched off" in page

    response = client.post(url, {"action": "send_again", "_selected_action": [submission.pk]})
    assert response.status_code == 302
    assert m.ReportSubmission.objects.get().state == "pending"
    assert intake.reports_log() == 1


def _photo_waiting(root, journey: str, *, hours_old: float):
    folder = root / "portal-uploads" / journey
    folder.mkdir(parents=True, exist_ok=True)
    photo = folder / "photo.jpg"
    photo.write_bytes(b"not really a photo")
    old = time.time() - timedelta(hours=hours_old).total_seconds()
    os.utime(photo, (old, old))
    return photo


def test_the_periodic_run_purges_photos_of_journeys_left_unsent_for_a_day(
    settings, tmp_path, monkeypatch
):
    # given photos of an abandoned journey (a day old, and fresh) and of one sent, not yet logged
    settings.MEDIA_ROOT = tmp_path
    abandoned = _photo_waiting(tmp_path, "journey-abandoned", hours_old=25)
    fresh = _photo_waiting(tmp_path, "journey-fresh", hours_old=23)
    receive("journey-sent")
    sent = _photo_waiting(tmp_path, "journey-sent", hours_old=100)
    assert intake.abandoned_uploads_purge in tasks.PERIODIC_JOBS
    monkeypatch.setattr(tasks, "PERIODIC_JOBS", [intake.abandoned_uploads_purge])

    # when the periodic run runs its job
    result = tasks.periodic_run.call()

    # then only the day-old photo of the journey never sent is gone, with its folder
    assert result["apps.council_crm.services.intake.abandoned_uploads_purge"] == 1
    assert not abandoned.exists()
    assert not abandoned.parent.exists()
    assert fresh.exists()
    assert sent.exists()  # however old, a report not yet logged keeps its photo


def test_the_purge_command_uses_its_own_age(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    kept = _photo_waiting(tmp_path, "journey-kept", hours_old=25)
    gone = _photo_waiting(tmp_path, "journey-gone", hours_old=49)

    out = StringIO()
    call_command("portal_uploads_purge", stdout=out)  # 48 hours unless told otherwise

    assert "Removed 1 photo(s) from abandoned reports." in out.getvalue()
    assert kept.exists()
    assert not gone.exists()
