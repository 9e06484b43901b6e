"""Web reports: received at once with their reference, logged as cases by the worker (ADR 0013).

`report_receive` is what "Send report" calls. It makes every check `case_create` would make,
takes the case reference, works out the team and the promised date, and writes one
`ReportSubmission` row (with the task that logs it, in the same transaction). Once that commit
returns, the report cannot be lost and the resident is shown the reference.

`reports_log` (the worker) turns each waiting row into a case through `case_create`, with the
reference and the time the resident sent it, adds the photos and the consent, and deletes the
row, all in one transaction. A report that cannot be logged (its category was switched off
since, say) is kept as failed, for staff to see in the administration pages and send again.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from apps.council_crm import sla
from apps.council_crm.models import (
    AuditEvent,
    Channel,
    Consent,
    ReportSubmission,
    ServiceRequest,
    User,
)
from apps.council_crm.notifications.outbox import tasks_in_this_database, write_transaction
from apps.council_crm.references import next_reference
from apps.council_crm.services.attachments import attachment_add
from apps.council_crm.services.cases import (
    IdempotencyConflict,
    _payload_hash,
    case_check,
    case_create,
    case_for_key,
    case_preview,
    case_request_hash,
)
from apps.council_crm.services.citizens import ContactDetails
from apps.council_crm.services.consent import consent_grant

logger = logging.getLogger(__name__)

# A report whose logging fails this many times for reasons other than its content (the
# database went away, say) is marked failed rather than tried for ever.
MAX_ATTEMPTS = 5


def upload_storage(journey_id: str) -> FileSystemStorage:
    """Cleaned photos of one journey wait here until its case is made (never under a URL)."""
    return FileSystemStorage(location=Path(settings.MEDIA_ROOT) / "portal-uploads" / journey_id)


def uploads_discard(journey_id: str, photos: list[dict[str, str]]) -> None:
    storage = upload_storage(journey_id)
    for photo in photos:
        storage.delete(photo["file"])


def report_key(journey_id: str) -> str:
    return f"portal-report:{journey_id}"


def report_receive(
    *,
    journey_id: str,
    category: str,
    description: str,
    answers: dict[str, Any],
    latitude: float | None = None,
    longitude: float | None = None,
    address: str = "",
    contact: ContactDetails | None = None,
    anonymous: bool = False,
    photos: list[dict[str, str]] | None = None,
    consent: bool = False,
    now: datetime | None = None,
) -> ReportSubmission | ServiceRequest:
    """Receive a web report; returns what the confirmation shows. Raises ValidationError.

    Once per journey: sending the same journey again returns the same submission, or the case
    it has become; the same journey with different answers is an IdempotencyConflict.
    """
    now = now or timezone.now()
    key = report_key(journey_id)
    photos = list(photos or [])
    contact = None if anonymous else (contact or ContactDetails())
    request = {
        "category": category,
        "description": description,
        "answers": dict(answers),
        "latitude": latitude,
        "longitude": longitude,
        "address": address,
        "contact": contact.__dict__.copy() if contact else None,
        "anonymous": anonymous,
    }
    payload = {**request, "journey_id": journey_id, "photos": photos, "consent": consent}
    payload_hash = _payload_hash(payload)
    case_hash = case_request_hash(
        channel=Channel.WEB,
        category=category,
        description=description,
        answers=dict(answers),
        latitude=latitude,
        longitude=longitude,
        address=address,
        contact=contact or ContactDetails(),
        anonymous=anonymous,
    )
    found = _received(key, payload_hash, case_hash)
    if found is not None:
        return found
    checked = case_check(
        actor=None,
        channel=Channel.WEB,
        category=category,
        description=description,
        answers=answers,
        latitude=latitude,
        longitude=longitude,
        address=address,
        contact=contact,
        anonymous=anonymous,
    )
    team, due = case_preview(checked, description=description.strip(), now=now)
    local = sla.site_calendar().tzinfo
    try:
        with transaction.atomic():
            submission = ReportSubmission.objects.create(
                # the counter's row lock is held from here to the commit: keep what follows short
                reference=next_reference(year=now.astimezone(local).year),
                idempotency_key=key,
                payload_hash=payload_hash,
                payload=payload,
                category=checked.category,
                address=checked.address.strip(),
                division=checked.division,
                team=team,
                promised_date=due.astimezone(local).date(),
                email=(contact.email if contact else "").strip(),
                phone=(contact.phone if contact else "").strip(),
                received_at=now,
            )
            _schedule_logging()
    except IntegrityError:
        found = _received(key, payload_hash, case_hash)
        if found is None:
            raise
        return found
    return submission


def _received(
    key: str, payload_hash: str, case_hash: str
) -> ReportSubmission | ServiceRequest | None:
    """The submission for this key, else the case it became (in this order: the worker makes
    the case and deletes the submission in one commit, so one of the two is always seen)."""
    submission = (
        ReportSubmission.objects.select_related("category", "division", "team")
        .filter(idempotency_key=key)
        .first()
    )
    if submission is not None:
        if submission.payload_hash != payload_hash:
            raise IdempotencyConflict(
                {"idempotency_key": ["This report was already sent with other answers"]}
            )
        return submission
    return case_for_key(key, case_hash)


def _schedule_logging() -> None:
    """The logging task is written in the submission's transaction with the database task
    backend (ADR 0012); with another backend it is enqueued after the commit and cannot fail
    the resident's request (the periodic run logs whatever is left)."""
    if transaction.get_connection().in_atomic_block and not tasks_in_this_database():
        transaction.on_commit(_log_soon, robust=True)
    else:
        _log_soon()


def _log_soon() -> None:
    from apps.council_crm.tasks import reports_log_task  # the tasks module imports services

    reports_log_task.enqueue()


# --- the worker -----------------------------------------------------------------------------


def reports_log(*, limit: int = 500) -> int:
    """Log waiting web reports as cases, oldest first; returns how many were logged."""
    logged = 0
    for _ in range(limit):
        outcome = _log_next()
        if outcome is None:
            break
        logged += outcome
    return logged


def _log_next() -> int | None:
    """Log one waiting report: 1 if its case was made, 0 if it failed, None if none waits."""
    with write_transaction():
        waiting = ReportSubmission.objects.filter(state=ReportSubmission.State.PENDING)
        if connection.features.has_select_for_update_skip_locked:
            waiting = waiting.select_for_update(skip_locked=True)
        submission = waiting.order_by("id").first()
        if submission is None:
            return None
        try:
            with transaction.atomic():
                _log(submission)
                submission.delete()
            return 1
        except ValidationError as exc:
            # its content no longer passes (the category was switched off, for instance):
            # trying again will not help; staff decide
            _failed(submission, _messages(exc), final=True)
        except Exception as exc:
            logger.exception("Web report %s could not be logged", submission.reference)
            _failed(submission, repr(exc), final=submission.attempts + 1 >= MAX_ATTEMPTS)
        return 0


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return "; ".join(exc.messages)


def _failed(submission: ReportSubmission, error: str, *, final: bool) -> None:
    ReportSubmission.objects.filter(pk=submission.pk).update(
        attempts=F("attempts") + 1,
        last_error=error[:2000],
        state=ReportSubmission.State.FAILED if final else ReportSubmission.State.PENDING,
    )


def _log(submission: ReportSubmission) -> ServiceRequest:
    p = submission.payload
    result = case_create(
        actor=None,
        channel=Channel.WEB,
        category=p["category"],
        description=p["description"],
        answers=p["answers"],
        latitude=p["latitude"],
        longitude=p["longitude"],
        address=p["address"],
        contact=ContactDetails(**p["contact"]) if p["contact"] else None,
        anonymous=p["anonymous"],
        idempotency_key=submission.idempotency_key,
        reference=submission.reference,
        now=submission.received_at,
    )
    case = result.case
    if result.created:
        storage = upload_storage(p["journey_id"])
        for photo in p["photos"]:
            with storage.open(photo["file"], "rb") as fh:
                upload = SimpleUploadedFile(photo["name"], fh.read(), photo["type"])
            attachment_add(case=case, upload=upload, actor=None)
        if p["consent"] and case.citizen is not None:
            consent_grant(
                citizen=case.citizen,
                purpose=Consent.Purpose.SHARE_WITH_COUNCILLOR,
                actor=None,
                channel=Channel.WEB,
                scope=Consent.Scope.CASE,
                case=case,
                now=submission.received_at,
            )
    journey_id, photos = p["journey_id"], p["photos"]
    transaction.on_commit(lambda: uploads_discard(journey_id, photos))
    return case


@transaction.atomic
def report_retry(*, submission: ReportSubmission, actor: User) -> None:
    """Staff send a failed web report to be logged again (after fixing what stopped it)."""
    updated = ReportSubmission.objects.filter(
        pk=submission.pk, state=ReportSubmission.State.FAILED
    ).update(state=ReportSubmission.State.PENDING, attempts=0)
    if updated:
        AuditEvent.objects.create(
            actor=actor,
            action="web_report_retried",
            object_type="reportsubmission",
            object_id=submission.reference,
        )
        _schedule_logging()
