"""Personal data: the scrub functions, one per `personal_data.Scrub` rule, that erasure and
retention apply to a registered model's rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat

from apps.council_crm.models import (
    Attachment,
    CategoryQuestion,
    Citizen,
    OutboxMessage,
    ServiceCategory,
    User,
)
from apps.council_crm.personal_data import PERSONAL_DATA, Scrub
from apps.council_crm.services.intake import uploads_discard

REMOVED = "[removed]"
# Keys of a timeline event's `data` that the system writes (codes and ids, never free text);
# erasure and retention keep these, so the case's statistics survive, and drop the rest.
SAFE_EVENT_DATA = frozenset(
    {"from", "to", "team", "rule", "assignee", "channel", "event", "missing_answers"}
)
ANONYMISED_USERNAME = "anonymised-"
NOT_SENT = "Not sent: the recipient's personal data was erased"


@dataclass
class ScrubRun:
    """One erasure (of a citizen) or one retention run (of a case), while it happens."""

    now: datetime
    actor: User | None
    retention: bool
    citizen: Citizen | None = None
    counts: Counter[str] = field(default_factory=Counter)
    files: list[str] = field(default_factory=list)


def _set(qs: QuerySet[Any], **values: Any) -> int:
    """Give these values to the rows that do not already have them all; how many changed."""
    return qs.exclude(**values).update(**values)


def _is_history(row: models.Model) -> bool:
    return hasattr(row, "history_id")


# --- scrubbing, model by model ------------------------------------------------------------

_BLANK_PERSON = {
    "first_name": "",
    "last_name": "",
    "email": "",
    "phone": "",
    "address": "",
    "postcode": "",
}


def _citizen(qs: QuerySet[Any], s: ScrubRun) -> int:
    changed = set(qs.exclude(**_BLANK_PERSON, anonymised_at__isnull=False).values_list("pk"))
    qs.update(**_BLANK_PERSON)
    qs.filter(anonymised_at__isnull=True).update(anonymised_at=s.now)
    return len(changed)


def _historical_citizen(qs: QuerySet[Any], s: ScrubRun) -> int:
    return _set(qs, **_BLANK_PERSON)


def _anonymised_username() -> Concat:
    return Concat(Value(ANONYMISED_USERNAME), Cast("id", CharField()))


_ACCOUNT_DONE = {"first_name": "", "last_name": "", "email": ""}


def _user(qs: QuerySet[Any], s: ScrubRun) -> int:
    n = 0
    todo = qs.exclude(**_ACCOUNT_DONE, is_active=False, username__startswith=ANONYMISED_USERNAME)
    for pk in todo.values_list("pk", flat=True):
        User.objects.filter(pk=pk).update(
            username=f"{ANONYMISED_USERNAME}{pk}",
            is_active=False,
            password=make_password(None),
            **_ACCOUNT_DONE,
        )
        n += 1
    return n


def _historical_user(qs: QuerySet[Any], s: ScrubRun) -> int:
    todo = qs.exclude(**_ACCOUNT_DONE, username__startswith=ANONYMISED_USERNAME)
    return todo.update(username=_anonymised_username(), **_ACCOUNT_DONE)


def _delete(qs: QuerySet[Any], s: ScrubRun) -> int:
    model = qs.model
    return qs.delete()[1].get(model._meta.label, 0)


def _safe_answer_codes() -> set[tuple[int, str]]:
    """(category, question) pairs whose answers are chosen, counted or yes/no: kept."""
    return set(
        CategoryQuestion.objects.exclude(kind=CategoryQuestion.Kind.TEXT).values_list(
            "category_id", "code"
        )
    )


def _case_changes(
    row: models.Model, safe: set[tuple[int, str]], sensitive: set[int], s: ScrubRun
) -> dict[str, Any]:
    """What anonymising one case, or one past version of it, changes."""
    changes: dict[str, Any] = {}
    for name in ("description", "address"):
        if getattr(row, name):
            changes[name] = ""
    answers = getattr(row, "answers", None) or {}
    category_id = row.category_id  # type: ignore[attr-defined]  # a case or its history row
    scrubbed = {
        code: value if (category_id, code) in safe or value in ("", None) else REMOVED
        for code, value in answers.items()
    }
    if scrubbed != answers:
        changes["answers"] = scrubbed
    for name in ("latitude", "longitude"):
        value = getattr(row, name)
        if value is None:
            continue
        if category_id in sensitive:
            changes[name] = None  # a home repair or a complaint: even the street says too much
        elif round(value, 3) != value:
            changes[name] = round(value, 3)  # about 100 metres: the street, not the house
    if getattr(row, "payload_hash", ""):
        changes["payload_hash"] = ""  # a hash of what they sent, contact details included
    if getattr(row, "idempotency_key", None):
        changes["idempotency_key"] = None  # chosen by the client: could be anything
    if s.retention:
        if row.citizen_id is not None:  # type: ignore[attr-defined]  # case or history row
            changes["citizen"] = None
        if not _is_history(row) and row.anonymised_at is None:  # type: ignore[attr-defined]  # as above
            changes["anonymised_at"] = s.now
    return changes


def _cases(qs: QuerySet[Any], s: ScrubRun) -> int:
    safe = _safe_answer_codes()
    sensitive = set(ServiceCategory.objects.filter(is_sensitive=True).values_list("pk", flat=True))
    n = 0
    for row in qs:
        changes = _case_changes(row, safe, sensitive, s)
        if changes:
            type(row)._base_manager.filter(pk=row.pk).update(**changes)
            n += 1
    return n


def _events(qs: QuerySet[Any], s: ScrubRun) -> int:
    n = 0
    for pk, message, data in qs.values_list("pk", "message", "data"):
        changes: dict[str, Any] = {}
        if message and message != REMOVED:
            changes["message"] = REMOVED
        kept = {k: v for k, v in (data or {}).items() if k in SAFE_EVENT_DATA}
        if kept != (data or {}):
            changes["data"] = kept
        if changes:
            qs.model._base_manager.filter(pk=pk).update(**changes)
            n += 1
    return n


def _attachments(qs: QuerySet[Any], s: ScrubRun) -> int:
    s.files += [name for name in qs.values_list("file", flat=True) if name]
    return _delete(qs, s)


def _interactions(qs: QuerySet[Any], s: ScrubRun) -> int:
    # Retention deletes the contacts about an expired case: a scrubbed contact dated like the
    # case would still tie the citizen to it.
    if s.retention:
        return _delete(qs, s)
    return _set(qs, summary=REMOVED)


def _consents(qs: QuerySet[Any], s: ScrubRun) -> int:
    if s.retention:  # consents for one case end with it
        return _delete(qs, s)
    n = _set(qs, evidence="")
    withdrawn = qs.filter(withdrawn_at__isnull=True).update(
        withdrawn_at=s.now, withdrawn_by=s.actor
    )
    if withdrawn:
        s.counts["consents withdrawn"] += withdrawn
    return n


def _historical_consents(qs: QuerySet[Any], s: ScrubRun) -> int:
    return _delete(qs, s) if s.retention else _set(qs, evidence="")


def _surveys(qs: QuerySet[Any], s: ScrubRun) -> int:
    return _set(qs, comment="")


def _outbox(qs: QuerySet[Any], s: ScrubRun) -> int:
    if s.citizen is not None:
        # Erasure also clears what followers and staff were sent about the citizen's cases.
        qs = OutboxMessage.objects.filter(Q(pk__in=qs.values("pk")) | Q(case__citizen=s.citizen))
    done = Q(
        recipient=REMOVED,
        subject="",
        body=REMOVED,
        dedupe_key__startswith="anonymised:",
    )
    if s.retention:
        done &= Q(citizen__isnull=True)
    todo = qs.exclude(done)
    unsent = list(
        todo.filter(
            status__in=(OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING)
        ).values_list("pk", flat=True)
    )
    values: dict[str, Any] = {
        "recipient": REMOVED,
        "subject": "",
        "body": REMOVED,
        "last_error": "",
        # the key holds the address (event:case:occurrence:channel:address)
        "dedupe_key": Concat(Value("anonymised:"), Cast("id", CharField())),
    }
    if s.retention:
        values["citizen"] = None
    n = todo.update(**values)
    if unsent:
        OutboxMessage.objects.filter(pk__in=unsent).update(
            status=OutboxMessage.Status.FAILED, last_error=NOT_SENT
        )
    return n


def _access_log(qs: QuerySet[Any], s: ScrubRun) -> int:
    """Keep who looked (that record is about staff) but drop query strings: a search may have
    been for the citizen's name. Retention keeps who looked at the case but no longer says
    whose case it was."""
    if s.retention:
        return qs.filter(citizen_id__isnull=False).update(citizen_id=None)
    n = 0
    for pk, via in qs.filter(via__contains="?").values_list("pk", "via"):
        qs.model._base_manager.filter(pk=pk).update(via=via.split("?", 1)[0])
        n += 1
    return n


def _kept(qs: QuerySet[Any], s: ScrubRun) -> int:
    """Audit events are the tombstones: they hold ids and counts, never personal details."""
    return 0


def _admin_log(qs: QuerySet[Any], s: ScrubRun) -> int:
    return _set(qs, object_repr=REMOVED, change_message="")


def _web_reports(qs: QuerySet[Any], s: ScrubRun) -> int:
    """Not logged yet, so nothing to keep for statistics: the report and its photos go."""

    waiting = list(qs.values_list("payload", flat=True))
    deleted = _delete(qs, s)
    for payload in waiting:
        journey_id, photos = payload.get("journey_id"), payload.get("photos", [])
        if journey_id:
            transaction.on_commit(partial(uploads_discard, journey_id, photos))
    return deleted


Scrubber = Callable[[QuerySet[Any], ScrubRun], int]

# What each rule does; the registry (personal_data.PERSONAL_DATA) says which rule a model gets.
SCRUBBERS: dict[Scrub, Scrubber] = {
    Scrub.CITIZEN: _citizen,
    Scrub.CITIZEN_HISTORY: _historical_citizen,
    Scrub.ACCOUNT: _user,
    Scrub.ACCOUNT_HISTORY: _historical_user,
    Scrub.DELETE: _delete,
    Scrub.CASE: _cases,
    Scrub.TIMELINE: _events,
    Scrub.FILES: _attachments,
    Scrub.CONTACTS: _interactions,
    Scrub.CONSENTS: _consents,
    Scrub.CONSENT_HISTORY: _historical_consents,
    Scrub.SURVEYS: _surveys,
    Scrub.MESSAGES: _outbox,
    Scrub.WEB_REPORTS: _web_reports,
    Scrub.ACCESS_LOG: _access_log,
    Scrub.KEEP: _kept,
    Scrub.ADMIN_LOG: _admin_log,
}

# How erasure treats each registered model (a test checks that every one has an entry).
SCRUB: dict[str, Scrubber] = {h.model: SCRUBBERS[h.scrub] for h in PERSONAL_DATA}


def files_delete_on_commit(names: list[str]) -> None:
    """Files go only once the rows are gone for good: a rolled-back erasure keeps both."""
    if not names:
        return
    storage = Attachment._meta.get_field("file").storage

    def delete() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)
