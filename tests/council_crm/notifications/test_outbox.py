"""The outbox: queue in the caller's transaction, send once, retry, fail, recover."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from apps.council_crm.models import CaseEvent, OutboxMessage
from apps.council_crm.notifications import message_queue, outbox_dispatch
from apps.council_crm.notifications.backends import (
    DjangoEmailBackend,
    NotifySmsBackend,
    captured_sms,
    message_id,
    provider_reference,
)

Status = OutboxMessage.Status


def queue_email(case, key="ack-email"):
    return message_queue(
        event="acknowledgement",
        channel="email",
        recipient=case.citizen.email,
        context={"track_url": "https://crm.example/track/"},
        dedupe_key=key,
        case=case,
        citizen=case.citizen,
    )


def queue_sms(case, key="ack-sms", phone=None):
    return message_queue(
        event="acknowledgement",
        channel="sms",
        recipient=phone or case.citizen.phone,
        context={"track_url": "https://crm.example/track/"},
        dedupe_key=key,
        case=case,
        citizen=case.citizen,
    )


def timeline(case):
    return list(
        CaseEvent.objects.filter(case=case, kind="notification").values_list("message", flat=True)
    )


# --- queueing --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_send_task_is_written_with_the_messages_of_a_transaction(case, templates):
    with transaction.atomic():
        queue_email(case)
        queue_email(case, key="ack:2")
        task = DBTaskResult.objects.get()  # one task, however many messages

    assert task.task_path == "apps.council_crm.notifications.outbox.outbox_send"
    assert OutboxMessage.objects.count() == 2


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_send_task(case, templates):
    def a_service_that_fails_after_queueing():
        with transaction.atomic():
            queue_email(case)
            raise RuntimeError("the service failed after queueing")

    with pytest.raises(RuntimeError):
        a_service_that_fails_after_queueing()

    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_message(case, templates):
    def a_service_that_fails_after_queueing():
        with transaction.atomic():
            queue_email(case)
            raise RuntimeError("the service failed after queueing")

    with pytest.raises(RuntimeError):
        a_service_that_fails_after_queueing()

    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_the_same_dedupe_key_twice_gives_one_message(case, templates):
    first = queue_email(case)
    second = queue_email(case)

    assert second.pk == first.pk
    assert OutboxMessage.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_transactions_queueing_the_same_key_at_once_give_one_message(case, templates):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent inserts are checked on PostgreSQL (SQLite serialises writers)")
    inserted = threading.Event()
    results: dict[str, int] = {}
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = queue_email(case).pk
                inserted.set()
                # Hold the transaction open while the second one inserts the same key.
                threading.Event().wait(0.5)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    def second() -> None:
        try:
            inserted.wait(5)
            with transaction.atomic():
                message = queue_email(case)  # waits on the first insert, then finds it
                results["second"] = message.pk
                # The caller's transaction is still usable after losing the race.
                case.refresh_from_db()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert results["first"] == results["second"]
    assert OutboxMessage.objects.count() == 1


# --- sending ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_email_is_sent_with_the_reference_and_noted_on_the_timeline(case, templates):
    message = queue_email(case)

    assert outbox_dispatch() == 1

    [email] = mail.outbox
    assert email.to == ["siobhan@example.org"]
    assert email.from_email == "Fernshire County Council <no-reply@fernshire.example>"
    assert email.subject == "We've received your report – reference FCC-26-000042"
    assert "Your reference number is FCC-26-000042." in email.body
    assert email.message()["Message-ID"] == message_id(message)
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.sent_at is not None
    assert message.provider_reference == message_id(message)
    assert timeline(case) == ["Email sent to the resident: Acknowledgement"]
    assert CaseEvent.objects.get(kind="notification").is_public is False


@pytest.mark.django_db
def test_an_sms_goes_to_notify_with_the_phone_number_and_text(case, templates, notify):
    message = queue_sms(case)

    outbox_dispatch()

    [sms] = notify.sms
    assert sms["phone_number"] == "07700 900123"
    assert sms["body"] == (
        "Fernshire County Council: your reference is FCC-26-000042. "
        "Track it: https://crm.example/track/"
    )
    assert sms["reference"] == provider_reference(message)
    assert sms["template"]["id"] == notify.sms_template_id
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.provider_reference == sms["id"]
    assert timeline(case) == ["Text message sent to the resident: Acknowledgement"]


@pytest.mark.django_db
def test_without_a_notify_key_texts_are_captured_locally(case, templates, caplog):
    message = queue_sms(case)

    outbox_dispatch()

    assert [(s["phone_number"], s["body"][:40]) for s in captured_sms] == [
        ("07700 900123", "Fernshire County Council: your reference")
    ]
    assert "SMS (captured, not sent) to 07700 900123" in caplog.text
    message.refresh_from_db()
    assert message.status == Status.SENT


@pytest.mark.django_db
def test_a_message_is_sent_once_however_often_the_worker_runs(case, templates, notify):
    queue_sms(case)
    queue_email(case)

    assert outbox_dispatch() == 2
    assert outbox_dispatch() == 0
    assert outbox_dispatch(now=timezone.now() + timedelta(days=2)) == 0

    assert len(notify.sms) == 1
    assert len(mail.outbox) == 1
    assert len(timeline(case)) == 2


@pytest.mark.django_db
def test_notify_500s_are_retried_with_backoff_and_the_text_is_sent_once(case, templates, notify):
    message = queue_sms(case)
    notify.fail_next(2, status=500)
    start = timezone.now()

    outbox_dispatch(now=start)
    message.refresh_from_db()
    first_retry = message.next_attempt_at - start

    assert message.status == Status.PENDING
    assert message.attempts == 1
    assert "GOV.UK Notify 500" in message.last_error
    assert timedelta(seconds=48) <= first_retry <= timedelta(seconds=72)
    assert outbox_dispatch(now=start + timedelta(seconds=30)) == 0  # not due yet

    outbox_dispatch(now=start + timedelta(seconds=75))
    message.refresh_from_db()
    second_retry = message.next_attempt_at - (start + timedelta(seconds=75))

    assert message.attempts == 2
    assert timedelta(minutes=4) <= second_retry <= timedelta(minutes=6)

    outbox_dispatch(now=start + timedelta(minutes=10))
    message.refresh_from_db()

    assert message.status == Status.SENT
    assert message.attempts == 3
    assert len(notify.sms) == 1
    # Each retry first asked Notify whether the earlier attempt had got through.
    assert len(notify.lookups()) == 2
    assert timeline(case) == ["Text message sent to the resident: Acknowledgement"]


@pytest.mark.django_db
def test_an_invalid_phone_number_fails_at_once_and_the_case_officer_sees_why(
    case, templates, notify
):
    message = queue_sms(case, phone="01632 960123")  # a landline

    outbox_dispatch()

    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.attempts == 1
    assert "phone_number Not a UK mobile number" in message.last_error
    assert notify.sms == []
    assert outbox_dispatch(now=timezone.now() + timedelta(days=1)) == 0
    [event] = timeline(case)
    assert event.startswith("Text message to the resident could not be sent: Acknowledgement")


@pytest.mark.django_db
def test_a_message_fails_for_good_after_the_maximum_attempts(case, templates, notify, settings):
    settings.CRM_OUTBOX_MAX_ATTEMPTS = 3
    message = queue_sms(case)
    notify.fail_next(10, status=503)
    when = timezone.now()

    for _ in range(5):
        outbox_dispatch(now=when)
        when += timedelta(hours=7)

    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.attempts == 3
    assert "GOV.UK Notify 503" in message.last_error
    assert notify.sms == []


@pytest.mark.django_db
def test_rate_limiting_is_retried(case, templates, notify):
    message = queue_sms(case)
    notify.fail_next(1, status=429)

    outbox_dispatch()

    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert "GOV.UK Notify 429" in message.last_error


@pytest.mark.django_db
def test_backoff_grows_by_five_and_stops_at_six_hours(case, templates, settings):
    from apps.council_crm.notifications.outbox import retry_delay

    delays = [retry_delay(n).total_seconds() for n in range(1, 9)]

    for expected, actual in zip([60, 300, 1500, 7500], delays, strict=False):
        assert 0.8 * expected <= actual <= 1.2 * expected
    assert all(d == 6 * 3600 or 0.8 * 6 * 3600 <= d <= 6 * 3600 for d in delays[4:])


@pytest.mark.django_db
def test_email_goes_through_notify_when_it_has_an_email_template(case, templates, notify, settings):
    settings.CRM_NOTIFY_EMAIL_TEMPLATE_ID = notify.email_template_id
    message = queue_email(case)

    outbox_dispatch()

    [email] = notify.emails
    assert email["email_address"] == "siobhan@example.org"
    assert email["subject"] == "We've received your report – reference FCC-26-000042"
    assert "Your reference number is FCC-26-000042." in email["body"]
    assert email["reference"] == provider_reference(message)
    assert mail.outbox == []
    assert timeline(case) == ["Email sent to the resident: Acknowledgement"]


@pytest.mark.django_db
def test_a_wrong_notify_key_is_refused_and_fails_the_message(case, templates, notify, settings):
    # The right service, the wrong secret: the token's signature does not verify.
    settings.CRM_NOTIFY_API_KEY = f"wrong-{notify.service_id}-{uuid.uuid4()}"
    message = queue_sms(case)

    outbox_dispatch()

    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert "GOV.UK Notify 403" in message.last_error
    assert "Invalid token" in message.last_error
    assert notify.sms == []


@pytest.mark.django_db
def test_notify_configured_without_a_template_id_keeps_the_message_for_later(
    case, templates, notify, settings
):
    settings.CRM_NOTIFY_SMS_TEMPLATE_ID = ""
    message = queue_sms(case)

    outbox_dispatch()

    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert "CRM_NOTIFY_SMS_TEMPLATE_ID must be set" in message.last_error


# --- recovery after a worker died ------------------------------------------------------------


def died_while_sending(message, *, lease_expired=True):
    """What a worker killed mid-send leaves: 'sending', one attempt, its lease running."""
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.SENDING,
        attempts=1,
        next_attempt_at=timezone.now() + timedelta(seconds=-1 if lease_expired else 300),
    )


@pytest.mark.django_db
def test_a_text_notify_accepted_before_the_worker_died_is_not_sent_again(case, templates, notify):
    message = queue_sms(case)
    # The dead worker's request reached Notify; its database update never happened.
    accepted_id = NotifySmsBackend().send(message)
    died_while_sending(message)

    assert outbox_dispatch() == 1

    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.provider_reference == accepted_id
    assert len(notify.sms) == 1
    assert timeline(case) == ["Text message sent to the resident: Acknowledgement"]


@pytest.mark.django_db
def test_a_text_notify_never_received_is_sent_when_the_lease_expires(case, templates, notify):
    message = queue_sms(case)
    died_while_sending(message)

    outbox_dispatch()

    message.refresh_from_db()
    assert message.status == Status.SENT
    assert notify.reference_counts() == {provider_reference(message): 1}


@pytest.mark.django_db
def test_a_message_whose_lease_is_still_running_is_left_alone(case, templates, notify):
    message = queue_sms(case)
    died_while_sending(message, lease_expired=False)

    assert outbox_dispatch() == 0
    assert notify.sms == []
    assert outbox_dispatch(now=timezone.now() + timedelta(minutes=6)) == 1
    assert len(notify.sms) == 1


@pytest.mark.django_db
def test_an_email_already_handed_over_is_found_by_its_message_id(case, templates):
    message = queue_email(case)
    # The dead worker handed the email over; its database update never happened.
    DjangoEmailBackend().send(message)
    died_while_sending(message)

    outbox_dispatch()

    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(mail.outbox) == 1
    assert timeline(case) == ["Email sent to the resident: Acknowledgement"]


@pytest.mark.django_db
def test_the_file_capture_of_email_is_read_back_before_resending(
    case, templates, settings, tmp_path
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    message = queue_email(case)
    DjangoEmailBackend().send(message)
    died_while_sending(message)

    outbox_dispatch()

    message.refresh_from_db()
    assert message.status == Status.SENT
    written = b"".join(path.read_bytes() for path in tmp_path.iterdir())
    assert written.count(f"Message-ID: {message_id(message)}".encode()) == 1


@pytest.mark.django_db
def test_over_smtp_a_recovery_resends_with_the_same_message_id(case, templates, settings):
    """The documented limit: an SMTP server cannot be asked what it accepted."""
    settings.EMAIL_BACKEND = "tests.council_crm.notifications.smtp_like.EmailBackend"
    from tests.council_crm.notifications import smtp_like

    smtp_like.delivered.clear()
    message = queue_email(case)
    DjangoEmailBackend().send(message)
    died_while_sending(message)

    outbox_dispatch()

    message.refresh_from_db()
    assert message.status == Status.SENT
    assert [m["Message-ID"] for m in smtp_like.delivered] == [message_id(message)] * 2
    assert timeline(case) == ["Email sent to the resident: Acknowledgement"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_text_exactly_once(case, templates, notify, settings):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent workers are checked on PostgreSQL (the PostgreSQL pass of CI)")
    # A lease shorter than the run, so the second worker recovers messages the first one still
    # holds: the fencing token must stop the first from sending those.
    settings.CRM_OUTBOX_LEASE_SECONDS = 0.5  # raised to 2 x timeout + 1 s = 1.6 s
    settings.CRM_NOTIFY_TIMEOUT = 0.3
    settings.CRM_OUTBOX_BACKOFF_SECONDS = 0.1
    notify.delay = 0.1  # 20 texts take 2 s: longer than the lease
    for n in range(20):
        queue_sms(case, key=f"sms-{n}", phone=f"07700 900{n:03d}")
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            deadline = time.monotonic() + 15
            while (
                time.monotonic() < deadline
                and OutboxMessage.objects.exclude(status=Status.SENT).exists()
            ):
                if not outbox_dispatch(limit=20):
                    time.sleep(0.05)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}
    counts = notify.reference_counts()
    assert len(counts) == 20
    assert set(counts.values()) == {1}
    assert len(timeline(case)) == 20
    # The second worker did recover messages from the first (else this proved nothing).
    assert OutboxMessage.objects.filter(attempts__gt=1).exists()


@pytest.mark.django_db
def test_with_another_task_queue_the_send_task_waits_for_the_commit(
    case, templates, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        queue_email(case)
        queue_email(case, key="ack:2")

    assert len(callbacks) == 1  # one enqueue after the commit, robust to the queue being down
