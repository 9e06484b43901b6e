"""Web reports: received at once with their reference, logged as cases by the worker (ADR 0013).

`report_receive` is what "Send report" calls. It makes every check `case_create` would make,
takes the case reference, works out the team and the promised date, and writes one
`ReportSubmission` row (with the task that logs it, in the same transaction, unless one is
queued already). Once that commit returns, the report cannot be lost and the resident is shown
the reference.

`reports_log` (the worker) claims waiting rows in batches and turns each into a case through
`case_create`, with the reference and the time the resident sent it, adds the photos and the
consent, and deletes the row, all in one transaction per report. A report that cannot be
logged (its category was switched off since, say) is kept as failed, for staff to see in the
administration pages and send again. `reports_log_task` is the background task that runs it.

Photos wait in a folder per journey until the report's case is made; `abandoned_uploads_purge`
(the periodic run, and `manage.py portal_uploads_purge`) deletes those of journeys never sent.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from apps.council_crm import sla
from apps.council_crm.contention import GiveWay
from apps.council_crm.models import (
    AuditAction,
    CaseEvent,
    Channel,
    Consent,
    ReportSubmission,
    ServiceRequest,
    User,
)
from apps.council_crm.notifications.outbox import tasks_in_this_database, write_transaction
from apps.council_crm.references import next_reference
from apps.council_crm.services.attachments import attachment_add
from apps.council_crm.services.audit import audit_record
from apps.council_crm.services.cases import (
    CaseRequest,
    IdempotencyConflict,
    case_check,
    case_create,
    case_for_key,
    case_preview,
    payload_hash_of,
)
from apps.council_crm.services.citizens import ContactDetails, normalise_phone
from apps.council_crm.services.consent import consent_grant

logger = logging.getLogger(__name__)

# A report whose logging fails this many times for reasons other than its content (the
# database went away, say) is marked failed rather than tried for ever.
MAX_ATTEMPTS = 5
RETRY_DELAY = timedelta(seconds=30)
# A worker claims this many reports at a time, for this long.
CLAIM_BATCH = 25
CLAIM_LEASE = timedelta(minutes=5)


def upload_storage(journey_id: str) -> FileSystemStorage:
    """Cleaned photos of one journey wait here until its case is made (never under a URL)."""
    return FileSystemStorage(location=Path(settings.MEDIA_ROOT) / "portal-uploads" / journey_id)


def uploads_discard(journey_id: str, photos: list[dict[str, str]]) -> None:
    storage = upload_storage(journey_id)
    for photo in photos:
        storage.delete(photo["file"])


# Photos of report journeys left unsent for a day are personal data (the periodic run).
ABANDONED_UPLOADS_AGE = timedelta(hours=24)


def abandoned_uploads_purge(
    *, older_than: timedelta = ABANDONED_UPLOADS_AGE, now: datetime | None = None
) -> int:
    """Delete photos of journeys never sent (they are personal data); returns how many."""
    root = Path(settings.MEDIA_ROOT) / "portal-uploads"
    cutoff = (now or timezone.now()).timestamp() - older_than.total_seconds()
    removed = 0
    if not root.is_dir():
        return 0
    waiting = journeys_waiting()
    for folder in root.iterdir():
        if folder.name in waiting:  # sent; the worker has not logged it yet
            continue
        for item in folder.iterdir() if folder.is_dir() else []:
            if item.is_file() and item.stat().st_mtime < cutoff:
                item.unlink(missing_ok=True)
                removed += 1
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return removed


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
        "contact": asdict(contact) if contact else None,
        "anonymous": anonymous,
    }
    payload = {**request, "journey_id": journey_id, "photos": photos, "consent": consent}
    payload_hash = payload_hash_of(payload)
    case_request = _case_request(payload)
    case_hash = case_request.payload_hash()
    checked = case_check(request=case_request, actor=None)
    team, due = case_preview(checked, description=description.strip(), now=now)
    local = sla.site_calendar().tzinfo
    # The reference is taken before the transaction that writes the report: outside one, the
    # counter's UPDATE commits by itself, so its row is locked for that statement only. A report
    # that then fails to be written leaves a gap in the numbers, never a clash.
    reference = next_reference(year=now.astimezone(local).year)
    submission = ReportSubmission(
        reference=reference,
        idempotency_key=key,
        payload_hash=payload_hash,
        payload=payload,
        category=checked.category,
        address=checked.address.strip(),
        division=checked.division,
        team=team,
        promised_date=due.astimezone(local).date(),
        email=(contact.email if contact else "").strip(),
        phone=normalise_phone(contact.phone) if contact and contact.phone else "",
        received_at=now,
    )
    try:
        with transaction.atomic():
            _insert(submission)  # first: a send of the same journey racing this one waits here
            case_id, wake_up_queued = _after_insert(key)
            if case_id is not None:  # logged meanwhile (the worker deleted its submission)
                raise _AlreadyLogged
            if not wake_up_queued:
                _schedule_logging()
    except (IntegrityError, _AlreadyLogged):
        sent = _already_sent(key)
        if not sent.kind:
            raise
        return _existing(key, sent, payload_hash, case_hash)
    return submission


class _AlreadyLogged(Exception):
    """This journey's report became a case while this send was being written."""


def _case_request(payload: dict[str, Any]) -> CaseRequest:
    """The case a web report asks for, from its payload: the same when received and logged, so
    the case's idempotency hash is the one the report was checked against."""
    contact = payload["contact"]
    return CaseRequest(
        channel=Channel.WEB,
        category=payload["category"],
        description=payload["description"],
        answers=dict(payload["answers"]),
        latitude=payload["latitude"],
        longitude=payload["longitude"],
        address=payload["address"],
        contact=ContactDetails(**contact) if contact else ContactDetails(),
        anonymous=payload["anonymous"],
    )


_SUBMISSIONS = ReportSubmission._meta.db_table
_CASES = ServiceRequest._meta.db_table
_TASKS = DBTaskResult._meta.db_table
# One statement, so one snapshot: the worker makes the case and deletes the submission in one
# commit, so this sees one of the two once either exists.
_SENT = (
    f"SELECT 'submission', id, payload_hash FROM {_SUBMISSIONS} WHERE idempotency_key = %s "  # noqa: S608 - our tables
    f"UNION ALL SELECT 'case', id, payload_hash FROM {_CASES} WHERE idempotency_key = %s"
)
# Asked after the INSERT, in its transaction: has the report become a case meanwhile (a
# double send racing the worker), and is a logging task queued that has not started? If one
# is, this report writes no task: that task will log it. For that to hold, the task must not
# take its last look before this commit. On PostgreSQL every send holds this shared advisory
# lock until its commit, and the task takes the lock exclusively (waiting for the sends in
# flight) before its last look (`reports_in_flight_wait`); a send that starts after that sees
# the task running, not queued, and writes its own. SQLite has one writer at a time and the
# INSERT made this transaction the writer, so no task can start meanwhile.
WAKE_UP_LOCK = 0x4352_4D49  # an advisory lock id of our own ("CRMI")
_AFTER_INSERT_POSTGRESQL = (
    "SELECT pg_advisory_xact_lock_shared(%s) IS NULL, "  # noqa: S608 - our tables
    f"(SELECT id FROM {_CASES} WHERE idempotency_key = %s), "
    f"EXISTS (SELECT 1 FROM {_TASKS} WHERE status = 'READY' AND task_path = %s)"
)
_AFTER_INSERT = (
    f"SELECT (SELECT id FROM {_CASES} WHERE idempotency_key = %s), "  # noqa: S608
    f"EXISTS (SELECT 1 FROM {_TASKS} WHERE status = 'READY' AND task_path = %s)"
)


def reports_in_flight_wait() -> None:
    """Wait until every send that may have counted on a queued logging task has committed."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [WAKE_UP_LOCK])
        cursor.execute("SELECT pg_advisory_unlock(%s)", [WAKE_UP_LOCK])


def _after_insert(key: str) -> tuple[int | None, bool]:
    """(the case already made for this key, whether a queued logging task will log this)."""
    in_db = tasks_in_this_database()
    with connection.cursor() as cursor:
        if not in_db:
            cursor.execute(f"SELECT id FROM {_CASES} WHERE idempotency_key = %s", [key])  # noqa: S608
            row = cursor.fetchone()
            return (row[0] if row else None), False
        if connection.vendor == "postgresql":
            cursor.execute(_AFTER_INSERT_POSTGRESQL, [WAKE_UP_LOCK, key, LOG_TASK_PATH])
            _locked, case_id, queued = cursor.fetchone()
        else:
            cursor.execute(_AFTER_INSERT, [key, LOG_TASK_PATH])
            case_id, queued = cursor.fetchone()
    return case_id, bool(queued)


@dataclass(frozen=True)
class _Sent:
    kind: str = ""  # "submission", "case" or "" (not sent)
    pk: int = 0
    payload_hash: str = ""


def _already_sent(key: str) -> _Sent:
    with connection.cursor() as cursor:
        cursor.execute(_SENT, [key, key])
        row = cursor.fetchone()
    return _Sent(*row) if row else _Sent()


def _existing(
    key: str, sent: _Sent, payload_hash: str, case_hash: str
) -> ReportSubmission | ServiceRequest:
    """The submission or case this key was sent as; IdempotencyConflict for other answers."""
    if sent.payload_hash != (payload_hash if sent.kind == "submission" else case_hash):
        raise IdempotencyConflict(
            {"idempotency_key": ["This report was already sent with other answers"]}
        )
    if sent.kind == "submission":
        found = ReportSubmission.objects.filter(pk=sent.pk).first()
        if found is not None:
            return found
    case = case_for_key(key, case_hash)  # logged meanwhile: the case has taken its place
    if case is None:  # pragma: no cover - one of the two exists once either was seen
        raise RuntimeError(f"web report {key} vanished")
    return case


_COLUMNS = [f for f in ReportSubmission._meta.concrete_fields if not f.primary_key]
_INSERT = (
    f"INSERT INTO {_SUBMISSIONS} ({', '.join(f.column for f in _COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join(['%s'] * len(_COLUMNS))})"
)


def _insert(submission: ReportSubmission) -> None:
    """Write a new submission with one plain INSERT (the model's own conversions of each value,
    without the per-save machinery that took a fifth of the final POST's CPU). Outside a
    transaction, the statement commits by itself."""
    values = [f.get_db_prep_save(getattr(submission, f.attname), connection) for f in _COLUMNS]
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:
            cursor.execute(f"{_INSERT} RETURNING id", values)
            submission.pk = cursor.fetchone()[0]
        else:  # pragma: no cover - SQLite before 3.35
            cursor.execute(_INSERT, values)
            submission.pk = cursor.lastrowid
    submission._state.adding = False


def _schedule_logging() -> None:
    """The logging task is written in the submission's transaction with the database task
    backend (ADR 0012); with another backend it is enqueued after the commit and cannot fail
    the resident's request (the periodic run logs whatever is left)."""
    if transaction.get_connection().in_atomic_block and not tasks_in_this_database():
        transaction.on_commit(_log_soon, robust=True)
    else:
        _log_soon()


def _log_soon() -> None:
    reports_log_task.enqueue()


# --- the worker -----------------------------------------------------------------------------


def reports_log(*, limit: int = 500) -> int:
    """Log waiting web reports as cases, oldest first; returns how many were logged.

    Reports are claimed in batches in a short transaction (the queue's head is where the
    deleted rows are, so each scan of it is paid once per batch, not once per report), then
    each is logged in a transaction of its own. A claim is a lease: a worker that dies leaves
    its reports to be claimed again once the lease is over. Before each report the worker
    gives way to the web server while the CPU is contended (contention.py, ADR 0014).
    """
    logged = 0
    give_way = GiveWay.from_settings()
    while logged < limit:
        batch = _claim(min(CLAIM_BATCH, limit - logged))
        if not batch:
            break
        for pk in batch:
            give_way()  # bounded: a batch's waits stay well inside its lease
            logged += _log_claimed(pk)
    return logged


# One logging task logs at most this many reports, so that other tasks (the acknowledgements
# in the outbox) get a turn: if more wait, it queues the next logging task at the ordinary
# priority, behind the tasks already queued.
REPORTS_PER_TASK = 200


# Logging reports goes first: a report is in no one's queue until it is a case, while the
# resident already has the reference the acknowledgement repeats.
@task(priority=10)
def reports_log_task() -> int:
    """Log the web reports waiting as cases (ADR 0013)."""
    logged = reports_log(limit=REPORTS_PER_TASK)
    if reports_waiting():
        reports_log_task.using(priority=0).enqueue()
        return logged
    # reports sent while this task was queued wrote no task of their own: a last look once
    # they have all committed
    reports_in_flight_wait()
    return logged + reports_log(limit=REPORTS_PER_TASK)


# What a queued logging task is stored as (see _after_insert).
LOG_TASK_PATH = reports_log_task.module_path


def journeys_waiting() -> set[str]:
    """The journeys whose reports are received and not yet cases (their photos are needed)."""
    return set(
        ReportSubmission.objects.filter(idempotency_key__startswith="portal-report:").values_list(
            "payload__journey_id", flat=True
        )
    )


def reports_waiting() -> bool:
    return _due().exists()


def _due() -> QuerySet[ReportSubmission]:
    return ReportSubmission.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()),
        state__in=[ReportSubmission.State.PENDING, ReportSubmission.State.LOGGING],
    )


def _claim(size: int) -> list[int]:
    with write_transaction():
        due = _due().order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        rows = list(due.values_list("id", "state", "attempts")[:size])
        # a lease that ran out is an attempt that did not finish (the worker stopped, perhaps
        # because of this very report): counted, and the report given up after MAX_ATTEMPTS
        given_up = [pk for pk, state, n in rows if state == "logging" and n + 1 >= MAX_ATTEMPTS]
        ReportSubmission.objects.filter(id__in=given_up).update(
            state=ReportSubmission.State.FAILED,
            attempts=F("attempts") + 1,
            last_error="The worker stopped while logging it, every time it was tried",
        )
        ids = [pk for pk, _state, _n in rows if pk not in given_up]
        ReportSubmission.objects.filter(id__in=ids, state=ReportSubmission.State.LOGGING).update(
            attempts=F("attempts") + 1
        )
        ReportSubmission.objects.filter(id__in=ids).update(
            state=ReportSubmission.State.LOGGING, next_attempt_at=timezone.now() + CLAIM_LEASE
        )
    return ids


def _log_claimed(pk: int) -> int:
    """Log one claimed report: 1 if its case was made, else 0 (failed, or taken over)."""
    with write_transaction():
        claimed = ReportSubmission.objects.filter(pk=pk, state=ReportSubmission.State.LOGGING)
        if connection.features.has_select_for_update:
            claimed = claimed.select_for_update()
        submission = claimed.first()
        if submission is None:  # logged by another worker after this one's lease ran out
            return 0
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
    delay = RETRY_DELAY * 2**submission.attempts  # 30 s, 1 min, 2 min, 4 min
    ReportSubmission.objects.filter(pk=submission.pk).update(
        attempts=F("attempts") + 1,
        last_error=error[:2000],
        state=ReportSubmission.State.FAILED if final else ReportSubmission.State.PENDING,
        next_attempt_at=timezone.now() + delay,
    )


def _log(submission: ReportSubmission) -> ServiceRequest:
    p = submission.payload
    try:
        result = case_create(
            request=_case_request(p),
            actor=None,
            idempotency_key=submission.idempotency_key,
            reference=submission.reference,
            now=submission.received_at,
        )
    except IdempotencyConflict:
        # the journey was logged already, from an earlier send with other answers: that case
        # is the report (the resident was shown it); this copy goes
        logger.warning("Web report %s was a second send of a logged journey", submission.reference)
        return ServiceRequest.objects.get(idempotency_key=submission.idempotency_key)
    case = result.case
    if result.created:
        storage = upload_storage(p["journey_id"])
        for photo in p["photos"]:
            try:
                with storage.open(photo["file"], "rb") as fh:
                    upload = SimpleUploadedFile(photo["name"], fh.read(), photo["type"])
                with transaction.atomic():
                    attachment_add(case=case, upload=upload, actor=None)
            except (FileNotFoundError, ValidationError):
                # gone with its folder, or no longer accepted: the report still counts
                logger.warning("A photo of web report %s could not be added", case.reference)
                CaseEvent.objects.create(
                    case=case,
                    kind=CaseEvent.Kind.INTERNAL_NOTE,
                    message=_("A photo sent with the report (%(name)s) could not be added")
                    % {"name": photo["name"]},
                )
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
    ).update(state=ReportSubmission.State.PENDING, attempts=0, next_attempt_at=None)
    if updated:
        audit_record(
            actor=actor,
            action=AuditAction.WEB_REPORT_RETRIED,
            obj=submission,
            changes={"state": (ReportSubmission.State.FAILED, ReportSubmission.State.PENDING)},
            data={"reference": submission.reference},
        )
        _schedule_logging()
