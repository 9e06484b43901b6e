"""Notices of Motion, the CSV import (docs/motions-import.md): a spreadsheet's rows read into
the records services.motions.motions_import brings in, every problem against its column.

Used by the desk's import page and `manage.py import_motions`; the writes are the service's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.council_crm.models import (
    Councillor,
    Department,
    FollowUpAction,
    Motion,
    Team,
    Topic,
    User,
)
from apps.council_crm.services.motions import (
    ActionRecord,
    MeetingRecord,
    MotionRecord,
    ReplyRecord,
    UpsertResult,
    motions_import,
)

M = TypeVar("M")
Status = Motion.Status
ActionStatus = FollowUpAction.Status

CSV_COLUMNS = (
    "reference",
    "title",
    "text",
    "proposer",
    "seconder",
    "submitted_on",
    "meeting_date",
    "meeting_body",
    "status",
    "decision_date",
    "decision_text",
    "topics",
    "reply_date",
    "reply_department",
    "reply_officer",
    "reply_text",
    "action",
    "action_team",
    "action_due",
    "action_status",
    "action_completed",
    "action_note_date",
    "action_note",
)
_STATUS_WORDS = {
    "carried": Status.PASSED,
    "agreed": Status.PASSED,
    "approved": Status.PASSED,
    "carried as amended": Status.PASSED_AMENDED,
    "amended": Status.PASSED_AMENDED,
    "lost": Status.DEFEATED,
    "rejected": Status.DEFEATED,
    "fell": Status.DEFEATED,
    "not moved": Status.WITHDRAWN,
    "out of order": Status.RULED_OUT,
    "ruled out": Status.RULED_OUT,
}
_ACTION_WORDS = {
    "complete": ActionStatus.DONE,
    "completed": ActionStatus.DONE,
    "open": ActionStatus.NOT_STARTED,
    "ongoing": ActionStatus.IN_PROGRESS,
    "on hold": ActionStatus.BLOCKED,
}
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y")


@dataclass
class ImportRow:
    line: int
    reference: str
    outcome: str  # created, updated, unchanged, error
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ImportReport:
    rows: list[ImportRow] = field(default_factory=list)
    dry_run: bool = False

    def total(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def errors(self) -> list[ImportRow]:
        return [r for r in self.rows if r.outcome == "error"]


def parse_date(value: str) -> date | None:
    """A date as councils write them: 2024-03-27, 27/03/2024, 27 March 2024. Raises ValueError."""
    value = " ".join((value or "").split())
    if not value:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a date, no time zone
        except ValueError:
            continue
    raise ValueError(value)


def _choice(
    value: str, choices: type[Status] | type[ActionStatus], words: Mapping[str, str]
) -> str:
    key = " ".join(value.lower().replace("_", " ").split())
    for code, label in choices.choices:
        if key in (code.replace("_", " "), str(label).lower()):
            return code
    if key in words:
        return words[key]
    raise ValueError(value)


class _Lookups:
    """Names as a spreadsheet writes them, resolved once per import."""

    def __init__(self) -> None:
        self.councillors: dict[str, Councillor] = {}
        for c in Councillor.objects.select_related("user"):
            full = c.user.get_full_name().lower()
            for key in (c.user.username.lower(), full, f"{c.title} {full}".lower()):
                self.councillors[key] = c
        self.teams = {t.code.lower(): t for t in Team.objects.all()}
        self.teams.update({t.name.lower(): t for t in Team.objects.all()})
        self.departments = {d.code.lower(): d for d in Department.objects.all()}
        self.departments.update({d.name.lower(): d for d in Department.objects.all()})
        self.topics = {t.slug.lower(): t for t in Topic.objects.all()}
        self.topics.update({t.name.lower(): t for t in Topic.objects.all()})

    @staticmethod
    def find(mapping: dict[str, M], value: str) -> M:
        return mapping[" ".join(value.lower().split())]


def _parse_row(row: dict[str, str], lookups: _Lookups) -> MotionRecord:
    """One CSV row to a record; every problem is reported against its column."""
    get = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}.get
    errors: dict[str, list[str]] = {}

    def a_date(column: str) -> date | None:
        try:
            return parse_date(get(column) or "")
        except ValueError:
            errors[column] = [
                _("“%(value)s” is not a date: write it like 27/03/2024 or 2024-03-27")
                % {"value": get(column)}
            ]
            return None

    def councillor(column: str) -> Councillor | None:
        if not get(column):
            return None
        try:
            return _Lookups.find(lookups.councillors, get(column) or "")
        except KeyError:
            errors[column] = [_("No councillor called “%(name)s”") % {"name": get(column)}]
            return None

    record = MotionRecord(reference=get("reference") or "")
    if not record.reference:
        errors["reference"] = [_("Enter the motion's reference")]
    record.title = get("title") or None
    record.text = get("text") or None
    record.proposer = councillor("proposer")
    record.seconder = councillor("seconder")
    record.submitted_on = a_date("submitted_on")
    record.decision_date = a_date("decision_date")
    record.decision_text = get("decision_text") or None
    if get("status"):
        try:
            record.status = _choice(get("status") or "", Status, _STATUS_WORDS)
        except ValueError:
            errors["status"] = [
                _("“%(value)s” is not a status of a motion") % {"value": get("status")}
            ]
    meeting_date = a_date("meeting_date")
    if meeting_date:
        body = get("meeting_body") or _("Full Council")
        record.meeting = MeetingRecord(body=body, date=meeting_date)
    if get("topics"):
        record.topics = []
        for name in (get("topics") or "").split(";"):
            if not name.strip():
                continue
            try:
                record.topics.append(_Lookups.find(lookups.topics, name))
            except KeyError:
                errors["topics"] = [_("No topic called “%(name)s”") % {"name": name.strip()}]
    if get("reply_text") or get("reply_date"):
        department = None
        if get("reply_department"):
            try:
                department = _Lookups.find(lookups.departments, get("reply_department") or "")
            except KeyError:
                errors["reply_department"] = [
                    _("No department called “%(name)s”") % {"name": get("reply_department")}
                ]
        replied_on = a_date("reply_date")
        if replied_on is None and "reply_date" not in errors:
            errors["reply_date"] = [_("Enter the date of the reply")]
        if not (department or get("reply_officer") or "reply_department" in errors):
            errors["reply_department"] = [_("Enter the department or the officer who replied")]
        if replied_on:
            record.replies.append(
                ReplyRecord(
                    replied_on=replied_on,
                    text=get("reply_text") or "",
                    department=department,
                    officer_name=get("reply_officer") or "",
                )
            )
    if get("action"):
        team = None
        try:
            team = _Lookups.find(lookups.teams, get("action_team") or "")
        except KeyError:
            errors["action_team"] = [
                _("No team called “%(name)s”") % {"name": get("action_team")}
                if get("action_team")
                else _("Enter the team that owns the action")
            ]
        due = a_date("action_due")
        if due is None and "action_due" not in errors:
            errors["action_due"] = [_("Enter the date the action is due")]
        status = ActionStatus.NOT_STARTED
        if get("action_status"):
            try:
                status = ActionStatus(
                    _choice(get("action_status") or "", ActionStatus, _ACTION_WORDS)
                )
            except ValueError:
                errors["action_status"] = [
                    _("“%(value)s” is not a status of an action") % {"value": get("action_status")}
                ]
        completed = a_date("action_completed")
        notes = []
        if get("action_note"):
            noted = a_date("action_note_date")
            if noted is None and "action_note_date" not in errors:
                errors["action_note_date"] = [_("Enter the date of the progress note")]
            if noted:
                notes.append((noted, get("action_note") or ""))
        if team is not None and due is not None:
            record.actions.append(
                ActionRecord(
                    description=get("action") or "",
                    owner_team=team,
                    due_date=due,
                    status=status,
                    completed_on=completed,
                    notes=notes,
                )
            )
    if errors:
        raise ValidationError(errors)
    return record


def import_rows(
    *, rows: Iterable[dict[str, str]], actor: User | None, dry_run: bool = False
) -> ImportReport:
    """Import an earlier register from CSV rows (csv.DictReader), one motion per reference.

    A reference may appear on several rows: the first gives the motion, each row may add a
    reply and an action (or a progress note to an action named again). A row that cannot be
    read, or that breaks the register's rules, is reported and skipped and the others go in. A
    dry run does everything and rolls it all back. Running the same file again changes nothing.
    """
    lookups = _Lookups()
    read: list[tuple[int, str, MotionRecord | ValidationError]] = []
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        reference = (row.get("reference") or "").strip()
        try:
            read.append((line, reference, _parse_row(row, lookups)))
        except ValidationError as exc:
            read.append((line, reference, exc))
    records = [record for _line, _ref, record in read if isinstance(record, MotionRecord)]
    results = iter(motions_import(records=records, actor=actor, dry_run=dry_run))
    report = ImportReport(dry_run=dry_run)
    for line, reference, record in read:
        outcome = record if isinstance(record, ValidationError) else next(results)
        report.rows.append(_import_row(line, reference, outcome))
    return report


def _import_row(line: int, reference: str, outcome: UpsertResult | ValidationError) -> ImportRow:
    if isinstance(outcome, ValidationError):
        errors = (
            outcome.message_dict if hasattr(outcome, "error_dict") else {"row": outcome.messages}
        )
        return ImportRow(line, reference, "error", dict(errors))
    if outcome.created.get("motions"):
        return ImportRow(line, reference, "created")
    return ImportRow(line, reference, "updated" if outcome.changed else "unchanged")
