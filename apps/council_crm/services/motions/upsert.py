"""Notices of Motion from an earlier register (a CSV import, the demo register): the records
it holds and the write that brings each motion in, dated as it happened, idempotently."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.council_crm.models import (
    ActionProgressNote,
    Councillor,
    Department,
    FollowUpAction,
    Meeting,
    Motion,
    MotionReply,
    Team,
    Topic,
    User,
)

from ._common import (
    OUTCOMES,
    REFERENCE,
    ActionStatus,
    Kind,
    Status,
    action_line,
    at_midday,
    check_motion,
    decision_line,
    event_add,
    long_date,
    progress_line,
    raise_if,
    reply_line,
    scheduled_line,
    search_refresh,
    submitted_line,
)


@dataclass
class ReplyRecord:
    replied_on: date
    text: str
    department: Department | None = None
    officer_name: str = ""


@dataclass
class ActionRecord:
    description: str
    owner_team: Team
    due_date: date
    status: str = ActionStatus.NOT_STARTED
    created_on: date | None = None
    completed_on: date | None = None
    notes: list[tuple[date, str]] = field(default_factory=list)


@dataclass(frozen=True)
class MeetingRecord:
    """A meeting named as a spreadsheet names it: found by body and date, or added."""

    body: str
    date: date


@dataclass
class MotionRecord:
    """A motion as an earlier register holds it. None: keep what is recorded (later CSV rows)."""

    reference: str
    title: str | None = None
    text: str | None = None
    proposer: Councillor | None = None
    seconder: Councillor | None = None
    submitted_on: date | None = None
    meeting: Meeting | MeetingRecord | None = None
    status: str | None = None
    decision_date: date | None = None
    decision_text: str | None = None
    topics: list[Topic] | None = None
    replies: list[ReplyRecord] = field(default_factory=list)
    actions: list[ActionRecord] = field(default_factory=list)


@dataclass
class UpsertResult:
    motion: Motion
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, *, created: bool) -> None:
        bucket = self.created if created else self.updated
        bucket[what] = bucket.get(what, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _check_record(record: MotionRecord, motion: Motion | None) -> None:
    """The same rules as the desk: a decided motion has a decision date, actions are not due
    before it, a withdrawn or ruled-out motion has no open actions."""
    errors: dict[str, list[str]] = {}
    if not REFERENCE.match(record.reference or ""):
        errors["reference"] = [_("A reference is letters, numbers and - / . _ only")]
    if motion is None:
        check_motion(
            title=record.title or "",
            text=record.text or "",
            proposer=record.proposer,
            seconder=record.seconder,
            submitted_on=record.submitted_on,
            meeting=None,
            errors=errors,
        )
    status = record.status or (motion.status if motion else Status.SUBMITTED)
    decision_date = record.decision_date or (motion.decision_date if motion else None)
    submitted_on = record.submitted_on or (motion.submitted_on if motion else None)
    if status in OUTCOMES and decision_date is None:
        errors["decision_date"] = [_("Enter the date of the decision")]
    if motion is not None and status in Motion.NO_ACTIONS:
        closing = {
            a.description.strip() for a in record.actions if a.status not in FollowUpAction.OPEN
        }
        still_open = [a for a in motion.actions.all() if a.is_open and a.description not in closing]
        if still_open:
            errors["status"] = [
                _("This motion has open follow-up actions: cancel them before it is %(status)s")
                % {"status": Status(status).label.lower()}
            ]
    if status == Status.PASSED_AMENDED and not (
        record.decision_text or (motion.decision_text if motion else "")
    ):
        errors["decision_text"] = [_("Enter the motion as amended")]
    if decision_date and submitted_on and decision_date < submitted_on:
        errors["decision_date"] = [_("The decision cannot be before the motion was submitted")]
    for reply in record.replies:
        if submitted_on and reply.replied_on < submitted_on:
            errors["reply_date"] = [_("The reply cannot be before the motion was submitted")]
        if not reply.text.strip():
            errors["reply_text"] = [_("Enter the reply")]
    for act in record.actions:
        if status in Motion.NO_ACTIONS and act.status in FollowUpAction.OPEN:
            errors["action"] = [
                _("A %(status)s motion takes no actions") % {"status": Status(status).label.lower()}
            ]
        if decision_date and act.due_date < decision_date:
            errors["action_due"] = [
                _("The due date cannot be before the decision (%(date)s)")
                % {"date": long_date(decision_date)}
            ]
        if act.status == ActionStatus.DONE and act.completed_on is None:
            errors["action_completed"] = [_("Enter the date the action was completed")]
    raise_if(errors)


def _meeting(named: Meeting | MeetingRecord | None) -> Meeting | None:
    if isinstance(named, MeetingRecord):
        meeting, _created = Meeting.objects.get_or_create(
            body=named.body, date=named.date, defaults={"title": named.body}
        )
        return meeting
    return named


def _create_history(record: MotionRecord, meeting: Meeting | None, actor: User | None) -> Motion:
    # narrowed for the type checker: _check_record raised if either was missing
    assert record.proposer is not None  # noqa: S101
    assert record.submitted_on is not None  # noqa: S101
    motion = Motion.objects.create(
        reference=record.reference,
        title=(record.title or "").strip(),
        text=(record.text or "").strip(),
        proposer=record.proposer,
        seconder=record.seconder,
        submitted_on=record.submitted_on,
        meeting=meeting,
        status=record.status or Status.SUBMITTED,
        decision_date=record.decision_date,
        decision_text=(record.decision_text or "").strip(),
    )
    if record.topics:
        motion.topics.set(record.topics)
    submitted_at = at_midday(motion.submitted_on)
    event_add(motion, Kind.SUBMITTED, submitted_line(motion), actor=actor, at=submitted_at)
    if meeting is not None and motion.status == Status.ON_AGENDA:
        event_add(motion, Kind.SCHEDULED, scheduled_line(meeting), actor=actor, at=submitted_at)
    if motion.status in OUTCOMES and motion.decision_date:
        event_add(
            motion,
            Kind.DECISION,
            decision_line(motion, corrected=False),
            actor=actor,
            at=at_midday(motion.decision_date),
        )
    return motion


def _update_motion(
    record: MotionRecord,
    meeting: Meeting | None,
    motion: Motion,
    result: UpsertResult,
    actor: User | None,
) -> None:
    fields: list[str] = []
    for name in ("title", "text", "submitted_on", "decision_date", "decision_text", "status"):
        value = getattr(record, name)
        if isinstance(value, str):
            value = value.strip()
        if value is not None and value != getattr(motion, name):
            setattr(motion, name, value)
            fields.append(name)
    for name, related in (
        ("proposer", record.proposer),
        ("seconder", record.seconder),
        ("meeting", meeting),
    ):
        if related is not None and related.pk != getattr(motion, f"{name}_id"):
            setattr(motion, name, related)
            fields.append(name)
    if record.topics is not None:
        wanted = {t.pk for t in record.topics}
        if wanted != set(motion.topics.values_list("pk", flat=True)):
            motion.topics.set(record.topics)
            fields.append("topics")
    if not fields:
        return
    motion.save(update_fields=sorted({f for f in fields if f != "topics"} | {"updated_at"}))
    result.count("motions", created=False)
    if {"status", "decision_date", "decision_text"} & set(fields) and motion.status in OUTCOMES:
        event_add(motion, Kind.DECISION, decision_line(motion, corrected=True), actor=actor)
    else:
        labels = ", ".join(_verbose_name(f) for f in fields)
        event_add(
            motion,
            Kind.EDITED,
            _("Corrected from the council's earlier register: %(fields)s") % {"fields": labels},
            actor=actor,
        )


def _verbose_name(name: str) -> str:
    # every name here is a concrete field or many-to-many of Motion, which has a verbose name
    return str(getattr(Motion._meta.get_field(name), "verbose_name", name))


def _upsert_reply(
    motion: Motion,
    reply: ReplyRecord,
    result: UpsertResult,
    actor: User | None,
    existing: list[MotionReply],
) -> None:
    text = reply.text.strip()
    if any(r.replied_on == reply.replied_on and r.text == text for r in existing):
        return
    new = MotionReply.objects.create(
        motion=motion,
        department=reply.department,
        officer_name=reply.officer_name.strip(),
        replied_on=reply.replied_on,
        text=text,
    )
    existing.append(new)
    result.count("replies", created=True)
    event_add(
        motion,
        Kind.REPLY,
        reply_line(new.author, new.replied_on),
        actor=actor,
        at=at_midday(new.replied_on),
    )


@dataclass
class _Actions:
    """The motion's actions by description, and the (date, text) of each one's notes."""

    by_description: dict[str, FollowUpAction] = field(default_factory=dict)
    notes: dict[int, set[tuple[date, str]]] = field(default_factory=dict)


def _upsert_action(
    motion: Motion,
    record: ActionRecord,
    result: UpsertResult,
    actor: User | None,
    existing: _Actions,
) -> None:
    description = record.description.strip()
    action = existing.by_description.get(description)
    created_on = record.created_on or motion.decision_date or motion.submitted_on
    if action is None:
        action = FollowUpAction.objects.create(
            motion=motion,
            description=description,
            owner_team=record.owner_team,
            due_date=record.due_date,
            status=record.status,
            created_on=created_on,
            completed_on=record.completed_on if record.status == ActionStatus.DONE else None,
        )
        existing.by_description[description] = action
        existing.notes[action.pk] = set()
        result.count("actions", created=True)
        event_add(
            motion,
            Kind.ACTION,
            _("Follow-up action agreed: %(line)s") % {"line": action_line(action)},
            actor=actor,
            action=action,
            at=at_midday(created_on),
        )
        for day, text in sorted(record.notes):
            _note(motion, action, day, text, result, actor, existing)
        if action.status != ActionStatus.NOT_STARTED:
            when = action.completed_on or max([created_on, *(d for d, _t in record.notes)])
            event_add(
                motion,
                Kind.ACTION_CHANGED,
                _("Action “%(action)s”: status %(status)s")
                % {"action": description[:120], "status": action.get_status_display().lower()},
                actor=actor,
                action=action,
                at=at_midday(when),
            )
        return
    changes = []
    for name in ("owner_team", "due_date", "status", "completed_on"):
        value = getattr(record, name)
        if name == "completed_on" and record.status != ActionStatus.DONE:
            value = None
        if value != getattr(action, name):
            setattr(action, name, value)
            changes.append(name)
    if changes:
        action.save(update_fields=changes)
        result.count("actions", created=False)
        event_add(
            motion,
            Kind.ACTION_CHANGED,
            _("Action “%(action)s” updated from the council's earlier register: %(line)s")
            % {"action": description[:120], "line": action.get_status_display().lower()},
            actor=actor,
            action=action,
        )
    have = set(existing.notes[action.pk])  # as recorded before this record: its notes all count
    for day, text in sorted(record.notes):
        if (day, text.strip()) not in have:
            _note(motion, action, day, text, result, actor, existing)


def _note(
    motion: Motion,
    action: FollowUpAction,
    day: date,
    text: str,
    result: UpsertResult,
    actor: User | None,
    existing: _Actions,
) -> None:
    note = ActionProgressNote.objects.create(action=action, date=day, text=text.strip())
    existing.notes[action.pk].add((note.date, note.text))
    result.count("progress notes", created=True)
    event_add(
        motion,
        Kind.PROGRESS,
        progress_line(action.description[:120], day, note.text),
        actor=actor,
        action=action,
        at=at_midday(day),
    )


@transaction.atomic
def motion_upsert(*, record: MotionRecord, actor: User | None) -> UpsertResult:
    """Bring one motion from an earlier register (CSV import, demo data) into this one.

    Creates what is missing, dated as it happened on the timeline; corrects what differs;
    changes nothing when the register already holds it, so an import can be run again.
    Replies are matched on date and text, actions on their description, notes on date and text.
    A meeting named by body and date is found, or added when the motion goes in.
    """
    motion = (
        Motion.objects.select_for_update(of=("self",))
        .filter(reference=record.reference)
        .prefetch_related("replies", "actions__notes")
        .first()
    )
    _check_record(record, motion)
    meeting = _meeting(record.meeting)
    actions = _Actions()
    if motion is None:
        motion = _create_history(record, meeting, actor)
        result = UpsertResult(motion=motion)
        result.count("motions", created=True)
        replies: list[MotionReply] = []
    else:
        result = UpsertResult(motion=motion)
        _update_motion(record, meeting, motion, result, actor)
        replies = list(motion.replies.all())
        for a in motion.actions.all():
            actions.by_description[a.description] = a
            actions.notes[a.pk] = {(n.date, n.text) for n in a.notes.all()}
    for reply in record.replies:
        _upsert_reply(motion, reply, result, actor, replies)
    for action in record.actions:
        _upsert_action(motion, action, result, actor, actions)
    if result.changed:
        search_refresh([motion.pk])
    return result


def motions_import(
    *, records: Iterable[MotionRecord], actor: User | None, dry_run: bool = False
) -> list[UpsertResult | ValidationError]:
    """Bring several motions in (an import), in one transaction: what each one did, in order.

    A reference may come more than once: the first gives the motion, each later record may add
    a reply, an action or a progress note. Each record goes in in its own savepoint, so a bad
    one is answered with its ValidationError and the others go in. A dry run does everything
    and rolls it all back.
    """
    outcomes: list[UpsertResult | ValidationError] = []
    with transaction.atomic():
        for record in records:
            try:
                outcomes.append(motion_upsert(record=record, actor=actor))  # a savepoint each
            except ValidationError as exc:
                outcomes.append(exc)
        if dry_run:
            transaction.set_rollback(True)
    return outcomes
