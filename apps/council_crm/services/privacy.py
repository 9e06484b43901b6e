"""Personal-data rights: subject access export, erasure by anonymisation, and retention.

All three work from the registry in `selectors.privacy` (PERSONAL_DATA): the export writes every
registered model's rows linked to the citizen; erasure applies `SCRUB[model]` to those rows;
retention applies it to the rows of one closed case whose period has passed. Cases themselves
are kept for statistics (category, status, dates, division, location to about 100 metres, or
none for sensitive categories, as in the councillors' anonymised view).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from apps.council_crm.models import (
    Attachment,
    AuditEvent,
    CaseFollower,
    CategoryQuestion,
    Citizen,
    Consent,
    Interaction,
    OutboxMessage,
    Role,
    ServiceCategory,
    ServiceRequest,
    User,
)
from apps.council_crm.selectors.privacy import (
    PERSONAL_DATA,
    Holder,
    case_rows,
    citizen_has_data,
    holder,
    personal_rows,
    retention_due,
    subject_access_summary,
)
from apps.council_crm.services.citizens import normalise_phone

REMOVED = "[removed]"
# Keys of a timeline event's `data` that the system writes (codes and ids, never free text);
# erasure and retention keep these, so the case's statistics survive, and drop the rest.
SAFE_EVENT_DATA = frozenset(
    {"from", "to", "team", "rule", "assignee", "channel", "event", "missing_answers"}
)
RETENTION_BATCH = 500
ANONYMISED_USERNAME = "anonymised-"
NOT_SENT = "Not sent: the recipient's personal data was erased"


@dataclass
class _Scrub:
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


def _citizen(qs: QuerySet[Any], s: _Scrub) -> int:
    changed = set(qs.exclude(**_BLANK_PERSON, anonymised_at__isnull=False).values_list("pk"))
    qs.update(**_BLANK_PERSON)
    qs.filter(anonymised_at__isnull=True).update(anonymised_at=s.now)
    return len(changed)


def _historical_citizen(qs: QuerySet[Any], s: _Scrub) -> int:
    return _set(qs, **_BLANK_PERSON)


def _anonymised_username() -> Concat:
    return Concat(Value(ANONYMISED_USERNAME), Cast("id", CharField()))


_ACCOUNT_DONE = {"first_name": "", "last_name": "", "email": ""}


def _user(qs: QuerySet[Any], s: _Scrub) -> int:
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


def _historical_user(qs: QuerySet[Any], s: _Scrub) -> int:
    todo = qs.exclude(**_ACCOUNT_DONE, username__startswith=ANONYMISED_USERNAME)
    return todo.update(username=_anonymised_username(), **_ACCOUNT_DONE)


def _delete(qs: QuerySet[Any], s: _Scrub) -> int:
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
    row: models.Model, safe: set[tuple[int, str]], sensitive: set[int], s: _Scrub
) -> dict[str, Any]:
    """What anonymising one case, or one past version of it, changes."""
    changes: dict[str, Any] = {}
    for name in ("description", "address"):
        if getattr(row, name):
            changes[name] = ""
    answers = getattr(row, "answers", None) or {}
    category_id = row.category_id  # type: ignore[attr-defined]
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
        if row.citizen_id is not None:  # type: ignore[attr-defined]
            changes["citizen"] = None
        if not _is_history(row) and row.anonymised_at is None:  # type: ignore[attr-defined]
            changes["anonymised_at"] = s.now
    return changes


def _cases(qs: QuerySet[Any], s: _Scrub) -> int:
    safe = _safe_answer_codes()
    sensitive = set(ServiceCategory.objects.filter(is_sensitive=True).values_list("pk", flat=True))
    n = 0
    for row in qs:
        changes = _case_changes(row, safe, sensitive, s)
        if changes:
            type(row)._base_manager.filter(pk=row.pk).update(**changes)
            n += 1
    return n


def _events(qs: QuerySet[Any], s: _Scrub) -> int:
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


def _attachments(qs: QuerySet[Any], s: _Scrub) -> int:
    s.files += [name for name in qs.values_list("file", flat=True) if name]
    return _delete(qs, s)


def _interactions(qs: QuerySet[Any], s: _Scrub) -> int:
    # Retention deletes the contacts about an expired case: a scrubbed contact dated like the
    # case would still tie the citizen to it.
    if s.retention:
        return _delete(qs, s)
    return _set(qs, summary=REMOVED)


def _consents(qs: QuerySet[Any], s: _Scrub) -> int:
    if s.retention:  # consents for one case end with it
        return _delete(qs, s)
    n = _set(qs, evidence="")
    withdrawn = qs.filter(withdrawn_at__isnull=True).update(
        withdrawn_at=s.now, withdrawn_by=s.actor
    )
    if withdrawn:
        s.counts["consents withdrawn"] += withdrawn
    return n


def _historical_consents(qs: QuerySet[Any], s: _Scrub) -> int:
    return _delete(qs, s) if s.retention else _set(qs, evidence="")


def _surveys(qs: QuerySet[Any], s: _Scrub) -> int:
    return _set(qs, comment="")


def _outbox(qs: QuerySet[Any], s: _Scrub) -> int:
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


def _access_log(qs: QuerySet[Any], s: _Scrub) -> int:
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


def _kept(qs: QuerySet[Any], s: _Scrub) -> int:
    """Audit events are the tombstones: they hold ids and counts, never personal details."""
    return 0


def _admin_log(qs: QuerySet[Any], s: _Scrub) -> int:
    return _set(qs, object_repr=REMOVED, change_message="")


def _web_reports(qs: QuerySet[Any], s: _Scrub) -> int:
    """Not logged yet, so nothing to keep for statistics: the report and its photos go."""
    from apps.council_crm.services.intake import uploads_discard

    waiting = list(qs.values_list("payload", flat=True))
    deleted = _delete(qs, s)
    for payload in waiting:
        journey_id, photos = payload.get("journey_id"), payload.get("photos", [])
        if journey_id:
            transaction.on_commit(lambda j=journey_id, p=photos: uploads_discard(j, p))
    return deleted


Scrubber = Callable[[QuerySet[Any], _Scrub], int]

# How erasure treats each registered model (a test checks that every one has an entry).
SCRUB: dict[str, Scrubber] = {
    "council_crm.Citizen": _citizen,
    "council_crm.HistoricalCitizen": _historical_citizen,
    "council_crm.User": _user,
    "council_crm.HistoricalUser": _historical_user,
    "account.EmailAddress": _delete,  # the address is freed for a new account
    "council_crm.User_groups": _delete,
    "council_crm.User_user_permissions": _delete,
    "council_crm.ServiceRequest": _cases,
    "council_crm.HistoricalServiceRequest": _cases,
    "council_crm.CaseEvent": _events,
    "council_crm.Attachment": _attachments,
    "council_crm.CaseFollower": _delete,
    "council_crm.Interaction": _interactions,
    "council_crm.HistoricalInteraction": _interactions,
    "council_crm.Consent": _consents,
    "council_crm.HistoricalConsent": _historical_consents,
    "council_crm.SatisfactionSurvey": _surveys,
    "council_crm.HistoricalSatisfactionSurvey": _surveys,
    "council_crm.OutboxMessage": _outbox,
    "council_crm.ReportSubmission": _web_reports,
    "council_crm.AccessLog": _access_log,
    "council_crm.AuditEvent": _kept,
    "admin.LogEntry": _admin_log,
}


def _files_delete_on_commit(names: list[str]) -> None:
    """Files go only once the rows are gone for good: a rolled-back erasure keeps both."""
    if not names:
        return
    storage = Attachment._meta.get_field("file").storage  # type: ignore[attr-defined]

    def delete() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


# --- mentions of the person in other people's records -------------------------------------


@dataclass(frozen=True)
class _Identifiers:
    """How the person may be written in free text: full name, email address, phone number."""

    patterns: tuple[re.Pattern[str], ...]
    hints: tuple[str, ...]  # substrings every match contains (a cheap database pre-filter)

    def found_in(self, text: str) -> bool:
        return any(p.search(text) for p in self.patterns)

    def remove_from(self, text: str) -> str:
        for pattern in self.patterns:
            text = pattern.sub(REMOVED, text)
        return text


_SEP = r"[\s.()-]*"


def _identifiers(citizen: Citizen, *, with_name: bool = True) -> _Identifiers:
    patterns: list[re.Pattern[str]] = []
    hints: list[str] = []
    first, last = citizen.first_name.strip(), citizen.last_name.strip()
    if with_name and first and last:  # a first name alone would match other people
        words = [re.escape(w) for w in f"{first} {last}".split()]
        patterns.append(re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE))
        hints.append(last.split()[-1])
    if citizen.email.strip():
        patterns.append(re.compile(re.escape(citizen.email.strip()), re.IGNORECASE))
        hints.append(citizen.email.strip())
    digits = re.sub(r"\D", "", normalise_phone(citizen.phone))
    if len(digits) >= 9:
        if normalise_phone(citizen.phone).startswith("0"):
            prefix = r"(?:\+" + _SEP + r"(?:44|353)" + _SEP + r"(?:\(0\))?|0)" + _SEP
            body = _SEP.join(digits[1:])
        else:
            prefix, body = r"\+?" + _SEP, _SEP.join(digits)
        patterns.append(re.compile(r"(?<!\d)" + prefix + body + r"(?!\d)"))
        hints.append(digits[-3:])  # the last group of a number is never split
    return _Identifiers(tuple(patterns), tuple(hints))


def _mentions_scrub(found: _Identifiers, s: _Scrub) -> int:
    """Replace the person's name, email or phone wherever someone typed it, in any row."""
    n = 0
    for h in PERSONAL_DATA:
        model = h.model_class
        for name in h.free_text:
            hint = Q()
            for text in found.hints:
                hint |= Q(**{f"{name}__icontains": text})
            limit = model._meta.get_field(name).max_length
            rows = model._base_manager.filter(hint).values_list("pk", name)
            for pk, value in rows.iterator():
                if value and found.found_in(value):
                    cleaned = found.remove_from(value)[:limit]
                    model._base_manager.filter(pk=pk).update(**{name: cleaned})
                    n += 1
    return n


# --- erasure ------------------------------------------------------------------------------


def _keep_staff_account(citizen: Citizen, s: _Scrub) -> None:
    """An officer or councillor who also reported as a resident keeps their work account:
    it is unlinked from the citizen record, not erased with it."""
    user = citizen.user
    if user is None:
        return
    if user.role != Role.RESIDENT or user.is_staff or user.is_superuser:
        Citizen.objects.filter(pk=citizen.pk).update(user=None)
        citizen.user = None
        s.counts["work account unlinked"] += 1


def _citizen_tombstone(citizen: Citizen) -> AuditEvent | None:
    return (
        AuditEvent.objects.filter(
            action="citizen_anonymised", object_type="citizen", object_id=str(citizen.pk)
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def _staff_share_the_name(citizen: Citizen) -> bool:
    """Sweeping a name that an officer or councillor also has would take theirs out of every
    timeline they work on (the records linked to the citizen are scrubbed all the same)."""
    first, last = citizen.first_name.strip(), citizen.last_name.strip()
    if not (first and last):
        return False
    staff = User.objects.exclude(role=Role.RESIDENT).filter(
        first_name__iexact=first, last_name__iexact=last
    )
    return staff.exists()


def _anonymise(
    citizen: Citizen, *, actor: User | None, reason: str, now: datetime, sweep: bool
) -> AuditEvent:
    s = _Scrub(now=now, actor=actor, retention=False, citizen=citizen)
    name_shared = sweep and _staff_share_the_name(citizen)
    found = _identifiers(citizen, with_name=not name_shared)
    already = citizen.anonymised_at is not None
    same_contact = _same_contact(citizen)
    _keep_staff_account(citizen, s)
    for h in PERSONAL_DATA:
        n = SCRUB[h.model](personal_rows(citizen=citizen, of=h), s)
        if n:
            s.counts[h.model] += n
    if sweep and found.patterns:
        n = _mentions_scrub(found, s)
        if n:
            s.counts["mentions in other records"] += n
    _files_delete_on_commit(s.files)
    if already and not s.counts:
        existing = _citizen_tombstone(citizen)
        if existing is not None:
            return existing
    data: dict[str, Any] = {"reason": reason, "counts": dict(sorted(s.counts.items()))}
    if not s.counts:
        data["nothing_left"] = True
    if name_shared:
        data["name_not_swept"] = "a member of staff has the same name"
    if same_contact:
        # Other records with the same email or phone: the DPO decides whether they are the
        # same person (ids only, no details).
        data["same_contact_citizen_ids"] = same_contact
    return AuditEvent.objects.create(
        actor=actor,
        action="citizen_anonymised",
        object_type="citizen",
        object_id=str(citizen.pk),
        data=data,
        created_at=now,
    )


def _same_contact(citizen: Citizen) -> list[int]:
    same = Q(pk__in=[])
    if citizen.email:
        same |= Q(email__iexact=citizen.email)
    if citizen.phone:
        same |= Q(phone=citizen.phone)
    return list(
        Citizen.objects.active().filter(same).exclude(pk=citizen.pk).values_list("pk", flat=True)
    )


@transaction.atomic
def citizen_anonymise(
    *, citizen: Citizen, actor: User | None, reason: str, now: datetime | None = None
) -> AuditEvent:
    """Erase a citizen's personal data and keep their cases for statistics. Returns the
    tombstone. Running it again changes nothing and returns the same tombstone (or, if data
    was linked to them since, scrubs that too and writes a new one)."""
    citizen = (
        Citizen.objects.select_for_update(of=("self",)).select_related("user").get(pk=citizen.pk)
    )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the erasure")]})
    if len(reason) > 500:
        raise ValidationError({"reason": [_("The reason must be 500 characters or fewer")]})
    if _identifiers(citizen).found_in(reason):
        raise ValidationError(
            {
                "reason": [
                    _(
                        "The reason is kept after the erasure: leave out the person's name, "
                        "email address and phone number"
                    )
                ]
            }
        )
    return _anonymise(citizen, actor=actor, reason=reason, now=now or timezone.now(), sweep=True)


# --- retention ----------------------------------------------------------------------------


def _people_of(case: ServiceRequest) -> set[int]:
    """Citizens tied to a case: its reporter, followers, and whoever it messaged or noted."""
    ids = {case.citizen_id} if case.citizen_id else set()
    for model in (CaseFollower, Interaction, Consent, OutboxMessage):
        ids |= set(
            model._base_manager.filter(case=case, citizen__isnull=False).values_list(
                "citizen_id", flat=True
            )
        )
    return ids


@transaction.atomic
def case_retention_anonymise(*, case_id: int, now: datetime | None = None) -> AuditEvent | None:
    """Anonymise one closed case whose retention period has passed; None if it is not due.

    The case keeps its category, status, dates, division and a location rounded to about 100
    metres; its citizen link, free text, attachments, followers, contacts, case consents and
    messages go, in its history too. A citizen (reporter or follower) left with nothing
    linked to them is anonymised as well.
    """
    now = now or timezone.now()
    case = (
        retention_due(now=now)
        .select_for_update(of=("self",))
        .select_related("category")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        return None
    people = _people_of(case)
    s = _Scrub(now=now, actor=None, retention=True)
    for h in PERSONAL_DATA:
        if h.case_links:
            n = SCRUB[h.model](case_rows(case_ids=[case.pk], of=h), s)
            if n:
                s.counts[h.model] += n
    _files_delete_on_commit(s.files)
    assert case.closed_at is not None  # noqa: S101 - retention_due only finds closed cases
    tombstone = AuditEvent.objects.create(
        action="case_retention_anonymised",
        object_type="service_request",
        object_id=str(case.pk),
        data={
            "reference": case.reference,
            "category": case.category.code,
            "closed": timezone.localtime(case.closed_at).date().isoformat(),
            "retention_days": case.category.retention_days,
            "counts": dict(sorted(s.counts.items())),
        },
        created_at=now,
    )
    for citizen in Citizen.objects.select_for_update().filter(
        pk__in=people, anonymised_at__isnull=True
    ):
        if not citizen_has_data(citizen=citizen):
            _anonymise(
                citizen,
                actor=None,
                reason="Retention: nothing linked to this record any more",
                now=now,
                sweep=False,  # structure only: a full-text sweep per citizen is for erasure
            )
    return tombstone


def cases_retention_run(*, now: datetime | None = None) -> int:
    """Anonymise closed cases past their category's retention period, one transaction each.
    Returns how many; safe to run again at any time (a periodic job)."""
    now = now or timezone.now()
    ids = list(retention_due(now=now).values_list("pk", flat=True)[:RETENTION_BATCH])
    return sum(case_retention_anonymise(case_id=pk, now=now) is not None for pk in ids)


# --- subject access export ----------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


def _export_rows(h: Holder, qs: QuerySet[Any]) -> tuple[list[str], list[dict[str, Any]]]:
    fields = [f for f in h.model_class._meta.concrete_fields if f.name not in h.export_exclude]
    columns = [f.attname for f in fields]
    rows = [{c: _plain(getattr(obj, c)) for c in columns} for obj in qs]
    return columns, rows


def _csv(columns: list[str], rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
                for k, v in row.items()
            }
        )
    return out.getvalue()


README = """\
Your personal data held by {council}
{underline}

Prepared on {date} in answer to a subject access request (UK GDPR / GDPR Article 15).

summary.html
    A readable page with your details, your cases and their timelines (updates shown to
    you and internal notes by staff, labelled), your contacts with us, your consents and
    their history, messages we sent you, surveys and who looked at your record.
    Open it in any web browser.

data/
    Every record we hold that is linked to you, one pair of files per kind of record:
    NAME.json (for computers) and NAME.csv (opens in a spreadsheet). Both hold the same
    rows and every column. Columns ending in _id refer to another record by its number.
    "Historical" files are earlier versions of a record, with history_date (when it
    changed), history_type (+ created, ~ changed, - deleted) and history_user_id (who
    changed it). A file with no rows means we hold nothing of that kind about you.

{files}
attachments/
    Files added to your cases, named by record number and their original name.
{missing}
Questions: contact {council}'s data protection officer.
"""


def _rows(n: int) -> str:
    return "1 row" if n == 1 else f"{n} rows"


def _readme(counts: dict[str, int], missing: list[str], now: datetime) -> str:
    council = settings.CRM_SITE.name
    files = "\n".join(
        f"    {h.model}.json / .csv ({_rows(counts[h.model])})\n        {h.about}"
        for h in PERSONAL_DATA
    )
    gone = (
        "    These files are listed in Attachment but could not be found: "
        + ", ".join(missing)
        + "\n"
        if missing
        else ""
    )
    title = f"Your personal data held by {council}"
    return README.format(
        council=council,
        underline="=" * len(title),
        date=f"{timezone.localtime(now):%d %B %Y}",
        files=files,
        missing=gone,
    )


@transaction.atomic
def citizen_export(*, citizen: Citizen, actor: User | None) -> bytes:
    """A subject access export: a zip with every registered model's rows linked to the
    citizen (JSON and CSV), their attachments, summary.html and README.txt. Writes an audit
    event (who, which citizen, how many rows of each) in the same transaction."""
    citizen = Citizen.objects.select_related("user").get(pk=citizen.pk)
    now = timezone.now()
    buffer = io.BytesIO()
    counts: dict[str, int] = {}
    missing: list[str] = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for h in PERSONAL_DATA:
            columns, rows = _export_rows(h, personal_rows(citizen=citizen, of=h))
            counts[h.model] = len(rows)
            archive.writestr(
                f"data/{h.model}.json",
                json.dumps(rows, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            )
            archive.writestr(f"data/{h.model}.csv", _csv(columns, rows))
        attachments = personal_rows(citizen=citizen, of=holder("council_crm.Attachment"))
        for attachment in attachments:
            name = get_valid_filename(os.path.basename(attachment.original_name)) or "file"
            try:
                with attachment.file.open("rb") as f:
                    archive.writestr(f"attachments/{attachment.pk}-{name}", f.read())
            except (FileNotFoundError, ValueError):
                missing.append(f"{attachment.pk}-{name}")
        summary = subject_access_summary(citizen=citizen)
        archive.writestr(
            "summary.html",
            render_to_string(
                "council_crm/privacy/summary.html",
                {
                    **summary,
                    "council": settings.CRM_SITE,
                    "generated_at": now,
                    "language": settings.LANGUAGE_CODE,
                },
            ),
        )
        archive.writestr("README.txt", _readme(counts, missing, now))
    AuditEvent.objects.create(
        actor=actor,
        action="subject_access_export",
        object_type="citizen",
        object_id=str(citizen.pk),
        data={
            "by": actor.get_username() if actor else "system",
            "counts": counts,
            "attachments_missing": len(missing),
        },
        created_at=now,
    )
    return buffer.getvalue()
