"""Transactional outbox: a message is written with the change it reports and sent by the worker.

Writing. `message_queue()` runs inside the caller's transaction, so a message exists if and only
if the change it reports was committed. `dedupe_key` is unique: queueing the same key twice
(a retried request, two workers racing) gives one message. A task to send it is written in the
same transaction (`outbox_send`); the periodic run (`crm_scheduler`) picks up anything that task
missed.

Sending. `outbox_dispatch()` claims due messages in a short transaction, marking them
"sending" with a lease (`next_attempt_at` is the lease's expiry while a message is sending) and
incrementing `attempts`. The new value of `attempts` is the claim's fencing token: before each
send the worker renews the lease only if status and `attempts` still match its claim, so a
worker whose lease ran out, and whose messages another worker recovered, skips them instead of
sending them a second time. Each message is then sent outside any transaction and marked sent
(with a case timeline event) or failed/retried (exponential backoff with jitter; permanent
errors fail at once).

Recovery. A worker can die between the provider accepting a message and the database
recording it (SIGKILL, power cut). Every attempt after the first (a lease that expired while
"sending", or a retry after a timeout or 5xx that the provider may in fact have accepted) first
asks the provider whether it already has the message, looked up by a reference that is
deterministic per outbox row, and marks it sent if so.

What is guaranteed, per channel:

* GOV.UK Notify (SMS; and email if CRM_NOTIFY_EMAIL_TEMPLATE_ID is set): at least once and
  never twice. Notify stores our `reference` and `GET /v2/notifications?reference=` finds it, so
  a recovery never re-sends what Notify accepted. Conditions: the lookup happens within Notify's
  data retention (7 days by default; our retries give up within a day) and no single request
  outlives the lease (the lease is kept above twice the client timeout; a process frozen for
  longer than the lease, then resumed mid-request, is the one case left).
* Email through Django's EMAIL_BACKEND over SMTP: at least once, and at most one duplicate per
  crash, only when the worker dies in the milliseconds between the SMTP server's "250 OK" for
  the message and our database commit. An SMTP server cannot be asked afterwards what it
  accepted, so the recovery sends again, with the same Message-ID; receiving systems that
  de-duplicate on Message-ID drop the copy, others show it twice. We do not claim more. For
  never-twice email, send it through Notify. The locmem (tests) and file (capture) email
  backends can be read back, and there the recovery checks for the Message-ID like it does
  with Notify.
* SMS capture (no Notify key, development): at least once; it keeps no record across
  processes, so a crash can repeat a captured text.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django_tasks import task

from apps.council_crm.models import (
    CaseEvent,
    Citizen,
    NotificationChannel,
    NotificationEvent,
    OutboxMessage,
    ServiceRequest,
    User,
)

from .backends import (
    ChannelBackend,
    DeliveryError,
    PermanentError,
    backend_for,
    provider_timeout,
)
from .rendering import message_render

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)
Status = OutboxMessage.Status


def message_queue(
    *,
    event: str,
    channel: str,
    recipient: str,
    context: dict[str, object],
    dedupe_key: str,
    language: str = "en",
    case: ServiceRequest | None = None,
    citizen: Citizen | None = None,
    user: User | None = None,
) -> OutboxMessage | None:
    """Queue one message in the caller's transaction; None when there is nothing to send.

    Renders the active template for (event, channel, language), falling back to the site's
    first language and then English. Returns the existing message when `dedupe_key` was
    queued before, also when another transaction queues it at the same moment.
    """
    if not recipient.strip():
        logger.warning("No %s address for %s (%s): nothing queued", channel, event, dedupe_key)
        return None
    full_context = dict(context)
    for name, value in (("case", case), ("citizen", citizen), ("user", user)):
        if value is not None:
            full_context.setdefault(name, value)
    rendered = message_render(event=event, channel=channel, language=language, context=full_context)
    if rendered is None:
        return None

    message = OutboxMessage(
        event=event,
        channel=channel,
        recipient=recipient.strip(),
        case=case,
        citizen=citizen,
        user=user,
        subject=rendered.subject,
        body=rendered.body,
        dedupe_key=dedupe_key,
    )
    # No look-up first: the unique key decides, in one statement that cannot fail on it, so
    # the caller's transaction needs no savepoint (a message queued twice is the rare case).
    message.pk = _insert_unless_queued(message)
    if message.pk is None:
        # Queued before, or a concurrent transaction committed the same key first.
        existing = OutboxMessage.objects.filter(dedupe_key=dedupe_key).first()
        if existing is None:
            raise IntegrityError(f"outbox message {dedupe_key!r} neither inserted nor found")
        return existing
    message._state.adding = False
    _schedule_send()
    return message


_INSERT_COLUMNS = (
    "event",
    "channel",
    "recipient",
    "citizen_id",
    "user_id",
    "case_id",
    "subject",
    "body",
    "dedupe_key",
    "status",
    "attempts",
    "next_attempt_at",
    "sent_at",
    "provider_reference",
    "last_error",
    "created_at",
)


def _insert_unless_queued(message: OutboxMessage) -> int | None:
    """INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING id: the new id, or None."""
    table = connection.ops.quote_name(OutboxMessage._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _INSERT_COLUMNS)
    fields = {f.attname: f for f in OutboxMessage._meta.concrete_fields}
    values = [
        fields[c].get_db_prep_save(getattr(message, c), connection=connection)
        for c in _INSERT_COLUMNS
    ]
    marks = ", ".join(["%s"] * len(values))
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({marks}) "  # noqa: S608 - names from the model
        f"ON CONFLICT ({connection.ops.quote_name('dedupe_key')}) DO NOTHING RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    return row[0] if row else None


def _schedule_send() -> None:
    """One send task per transaction, however many messages it queued.

    With the database task backend, inside a transaction the task is written in it (one commit
    for the change, its messages and the task that sends them; a rollback drops all three); a
    marker on the commit hooks stops a second task for the same transaction. With another
    backend it is enqueued after the commit. Outside a transaction it is enqueued at once.
    """
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        _send_soon()
    elif not tasks_in_this_database():
        # another queue (Redis): it would run the task before the commit, and an outage of it
        # must not undo the change, so enqueue after the commit and never fail the caller
        if not any(entry[1] is _send_soon for entry in conn.run_on_commit):
            transaction.on_commit(_send_soon, robust=True)
    elif not any(entry[1] is _task_written for entry in conn.run_on_commit):
        transaction.on_commit(_task_written)
        _send_soon()


def tasks_in_this_database() -> bool:
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    return backend == "django_tasks_db.DatabaseBackend"


def _task_written() -> None:
    """Marks a transaction whose send task is already written (nothing to do at commit)."""


def _send_soon() -> None:
    outbox_send.enqueue()


@dataclass(frozen=True)
class _Claim:
    id: int
    attempt: int  # the value of `attempts` this claim set: its fencing token
    earlier_attempt: bool  # an earlier attempt started, so the provider may already have it
    channel: str


def outbox_dispatch(*, limit: int = 50, now: datetime | None = None) -> int:
    """Send the due messages (and recover expired leases); returns how many were claimed."""
    clock: Callable[[], datetime] = (lambda: now) if now is not None else timezone.now
    claims = _claim(limit=limit, now=clock())
    backends: dict[str, ChannelBackend] = {}  # per run: the Notify client is not thread-safe
    for claim in claims:
        _deliver(claim, backends=backends, clock=clock)
    return len(claims)


# One task sends at most this many batches, so that other tasks get a turn; the next task or
# periodic run carries on.
OUTBOX_SEND_BATCHES = 20


def outbox_drain() -> int:
    """Send what is due, batch after batch, up to OUTBOX_SEND_BATCHES; returns how many."""
    sent = 0
    for _ in range(OUTBOX_SEND_BATCHES):
        claimed = outbox_dispatch()
        sent += claimed
        if not claimed:
            break
    return sent


@task()
def outbox_send() -> int:
    """Send what is due in the outbox. Enqueued after each commit that queued a message."""
    return outbox_drain()


def max_attempts() -> int:
    return int(getattr(settings, "CRM_OUTBOX_MAX_ATTEMPTS", 8))


def lease_duration(channel: str) -> timedelta:
    """How long a worker holds a message: longer than a lookup plus a send can take."""
    configured = float(getattr(settings, "CRM_OUTBOX_LEASE_SECONDS", 300))
    return timedelta(seconds=max(configured, 2 * provider_timeout(channel) + 1))


def retry_delay(attempt: int) -> timedelta:
    """1 min, 5, 25, 125 ... capped at 6 h (with the default base), each ±20 % jitter."""
    base = float(getattr(settings, "CRM_OUTBOX_BACKOFF_SECONDS", 60))
    delay = min(base * 5 ** max(attempt - 1, 0), MAX_BACKOFF.total_seconds())
    jitter = random.uniform(0.8, 1.2)  # noqa: S311 - spreads retries out; not a secret
    return min(timedelta(seconds=delay * jitter), MAX_BACKOFF)


@contextmanager
def write_transaction() -> Iterator[None]:
    """A transaction that takes SQLite's write lock at BEGIN, so concurrent claims queue."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()  # connecting would reset transaction_mode
    sqlite_mode = getattr(connection, "transaction_mode", None)
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        connection.transaction_mode = "IMMEDIATE"  # type: ignore[attr-defined]  # SQLite only
    try:
        with transaction.atomic():
            yield
    finally:
        if connection.vendor == "sqlite":
            connection.transaction_mode = sqlite_mode  # type: ignore[attr-defined]  # SQLite only


def _claim(*, limit: int, now: datetime) -> list[_Claim]:
    with write_transaction():
        due = OutboxMessage.objects.filter(
            status__in=[Status.PENDING, Status.SENDING], next_attempt_at__lte=now
        ).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        rows = list(due.values_list("id", "attempts", "channel")[:limit])
        for channel in {channel for _, _, channel in rows}:
            OutboxMessage.objects.filter(id__in=[pk for pk, _, c in rows if c == channel]).update(
                status=Status.SENDING,
                attempts=F("attempts") + 1,
                next_attempt_at=now + lease_duration(channel),
            )
    return [
        _Claim(id=pk, attempt=attempts + 1, earlier_attempt=attempts > 0, channel=channel)
        for pk, attempts, channel in rows
    ]


def _still_ours(claim: _Claim) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(pk=claim.id, status=Status.SENDING, attempts=claim.attempt)


def _deliver(
    claim: _Claim, *, backends: dict[str, ChannelBackend], clock: Callable[[], datetime]
) -> None:
    if not _still_ours(claim).update(next_attempt_at=clock() + lease_duration(claim.channel)):
        logger.info("Outbox message %s was taken over by another worker; skipped", claim.id)
        return
    message = OutboxMessage.objects.select_related("user").filter(pk=claim.id).first()
    if message is None:  # deleted with its case meanwhile
        return
    try:
        if message.channel not in backends:
            backends[message.channel] = backend_for(message.channel)
        backend = backends[message.channel]
        provider_id = None
        if claim.earlier_attempt:
            if backend.can_confirm:
                provider_id = backend.find_sent(message)
                if provider_id:
                    logger.info(
                        "Outbox message %s was accepted before the last attempt ended; "
                        "recorded as sent, not sent again",
                        message.pk,
                    )
            else:
                logger.warning(
                    "Outbox message %s may have been delivered by an earlier attempt, and %s "
                    "cannot be asked: sending again with the same reference",
                    message.pk,
                    type(backend).__name__,
                )
        if provider_id is None and claim.attempt > max_attempts():
            # Only reached when workers died on every attempt: stop rather than loop forever.
            raise PermanentError(f"gave up after {claim.attempt - 1} attempts")
        if provider_id is None:
            provider_id = backend.send(message)
    except PermanentError as exc:
        _record_failure(claim, message, str(exc), permanent=True, now=clock())
        return
    except DeliveryError as exc:
        _record_failure(claim, message, str(exc), permanent=False, now=clock())
        return
    except Exception as exc:  # a bug or a misconfiguration: keep the message, try again later
        logger.exception("Outbox message %s: unexpected error", message.pk)
        _record_failure(
            claim, message, f"{type(exc).__name__}: {exc}", permanent=False, now=clock()
        )
        return
    _record_sent(message, provider_id, now=clock())


def _recipient_label(message: OutboxMessage) -> str:
    return str(message.user) if message.user_id else "the resident"


def _record_sent(message: OutboxMessage, provider_id: str, *, now: datetime) -> None:
    # Not fenced: it was sent, whoever asked. Excluding SENT keeps the timeline to one line
    # when two workers both learn that the provider has it.
    with transaction.atomic():
        updated = (
            OutboxMessage.objects.filter(pk=message.pk)
            .exclude(status=Status.SENT)
            .update(
                status=Status.SENT,
                sent_at=now,
                provider_reference=provider_id[:100],
                next_attempt_at=now,
            )
        )
        if updated and message.case_id:
            CaseEvent.objects.create(
                case_id=message.case_id,
                kind=CaseEvent.Kind.NOTIFICATION,
                is_public=False,
                message=(
                    f"{NotificationChannel(message.channel).label} sent to "
                    f"{_recipient_label(message)}: {NotificationEvent(message.event).label}"
                ),
                data={
                    "outbox_message": message.pk,
                    "channel": message.channel,
                    "event": message.event,
                    "provider_reference": provider_id,
                },
                created_at=now,
            )


def _record_failure(
    claim: _Claim, message: OutboxMessage, error: str, *, permanent: bool, now: datetime
) -> None:
    give_up = permanent or claim.attempt >= max_attempts()
    fields: dict[str, object] = {"last_error": error[:2000]}
    if give_up:
        fields.update(status=Status.FAILED, next_attempt_at=now)
    else:
        fields.update(status=Status.PENDING, next_attempt_at=now + retry_delay(claim.attempt))
    with transaction.atomic():
        if not _still_ours(claim).update(**fields):
            return  # another worker took the message over; its outcome stands
        if give_up and message.case_id:
            CaseEvent.objects.create(
                case_id=message.case_id,
                kind=CaseEvent.Kind.NOTIFICATION,
                is_public=False,
                message=(
                    f"{NotificationChannel(message.channel).label} to "
                    f"{_recipient_label(message)} could not be sent: "
                    f"{NotificationEvent(message.event).label} ({error[:200]})"
                ),
                data={"outbox_message": message.pk, "channel": message.channel, "error": error},
                created_at=now,
            )
    if give_up:
        logger.error(
            "Outbox message %s failed after %s attempts: %s", message.pk, claim.attempt, error
        )
    else:
        logger.warning("Outbox message %s attempt %s failed: %s", message.pk, claim.attempt, error)
