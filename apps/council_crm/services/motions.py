"""Notices of Motion writes: record, schedule, decide, reply, follow-up actions and their
progress, import, reminders to action owners and the monthly report.

Every change writes a line on the motion's public timeline (MotionEvent) in the same
transaction; the acting user is kept on it for the council's own records and never shown on
public pages.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.council_crm.models import (
    ActionProgressNote,
    Councillor,
    Department,
    FollowUpAction,
    Meeting,
    Motion,
    MotionEvent,
    MotionReply,
    MotionReport,
    NotificationEvent,
    OutboxMessage,
    ReferenceCounter,
    ServiceCategory,
    Team,
    TeamMembership,
    Topic,
    User,
)
from apps.council_crm.models.motions import motion_search_vector
from apps.council_crm.notifications.outbox import message_queue
from apps.council_crm.selectors.motions import MonthlyReportData, monthly_report_data

M = TypeVar("M")
Status = Motion.Status
ActionStatus = FollowUpAction.Status
Kind = MotionEvent.Kind
OPEN_ACTION = FollowUpAction.OPEN

MAX_TITLE = 300
MAX_TEXT = 20_000
REFERENCE_PREFIX = "NOM"
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.-]{0,31}$")
# Owners hear about an action this many days before it is due, and again once it is overdue.
DUE_SOON_DAYS = 7
# The current month's draft report is regenerated when it is older than this.
DRAFT_REPORT_MAX_AGE = timedelta(hours=1)


def _day(value: date) -> str:
    return date_format(value, "j F Y")  # in the active language: 3 March 2026, 3 Márta 2026


def _at(day: date) -> datetime:
    """Midday on a day, in the council's time zone: when a dated historical change happened
    (or now, for a change dated today before midday)."""
    noon = timezone.make_aware(datetime.combine(day, time(12)), timezone.get_default_timezone())
    return min(noon, timezone.now())


def _event(
    motion: Motion,
    kind: str,
    text: str,
    *,
    actor: User | None,
    action: FollowUpAction | None = None,
    at: datetime | None = None,
) -> MotionEvent:
    return MotionEvent.objects.create(
        motion=motion,
        kind=kind,
        text=text,
        action=action,
        actor=actor,
        created_at=at or timezone.now(),
    )


def search_refresh(motion_ids: Sequence[int] | None = None) -> None:
    """Bring the full-text search column up to date (PostgreSQL only; None: every motion)."""
    if connection.vendor != "postgresql":
        return
    motions = (
        Motion.objects.all() if motion_ids is None else Motion.objects.filter(pk__in=motion_ids)
    )
    motions.update(search_vector=motion_search_vector())


def _fail(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _required_text(
    value: str, *, key: str, missing: str, max_length: int, errors: dict[str, list[str]]
) -> str:
    value = (value or "").strip()
    if not value:
        errors[key] = [missing]
    elif len(value) > max_length:
        errors[key] = [_("This must be %(n)s characters or fewer") % {"n": f"{max_length:,}"}]
    return value


def _not_future(
    value: date | None, *, key: str, missing: str, errors: dict[str, list[str]]
) -> None:
    if value is None:
        errors[key] = [missing]
    elif value > timezone.localdate():
        errors[key] = [_("The date must be today or in the past")]


def _councillor_name(councillor: Councillor | None) -> str:
    return str(councillor) if councillor is not None else ""


# --- references ------------------------------------------------------------------------------


def _next_reference(year: int) -> str:
    """NOM-2026-014: the next number for the year, skipping numbers an import already used."""
    with transaction.atomic():
        counter, _created = ReferenceCounter.objects.select_for_update(of=("self",)).get_or_create(
            prefix=REFERENCE_PREFIX, year=year
        )
        while True:
            counter.last_value += 1
            reference = f"{REFERENCE_PREFIX}-{year}-{counter.last_value:03d}"
            if not Motion.objects.filter(reference=reference).exists():
                break
        counter.save(update_fields=["last_value"])
    return reference


# --- recording a motion ----------------------------------------------------------------------


def _check_motion(
    *,
    title: str,
    text: str,
    proposer: Councillor | None,
    seconder: Councillor | None,
    submitted_on: date | None,
    meeting: Meeting | None,
    errors: dict[str, list[str]],
) -> tuple[str, str]:
    title = _required_text(
        title,
        key="title",
        missing=_("Enter the title of the motion"),
        max_length=MAX_TITLE,
        errors=errors,
    )
    text = _required_text(
        text,
        key="text",
        missing=_("Enter the text of the motion"),
        max_length=MAX_TEXT,
        errors=errors,
    )
    if proposer is None:
        errors["proposer"] = [_("Select the councillor who proposed the motion")]
    if seconder is not None and proposer is not None and seconder.pk == proposer.pk:
        errors["seconder"] = [_("The seconder must be a different councillor from the proposer")]
    _not_future(
        submitted_on,
        key="submitted_on",
        missing=_("Enter the date the motion was submitted"),
        errors=errors,
    )
    if meeting is not None and submitted_on is not None and meeting.date < submitted_on:
        errors["meeting"] = [_("The meeting must be on or after the date the motion was submitted")]
    return title, text


@transaction.atomic
def motion_record(
    *,
    title: str,
    text: str,
    proposer: Councillor | None,
    submitted_on: date | None,
    actor: User | None,
    seconder: Councillor | None = None,
    meeting: Meeting | None = None,
    topics: Iterable[Topic] = (),
    reference: str = "",
) -> Motion:
    """Record a notice of motion as submitted (or on the agenda, when a meeting is given)."""
    errors: dict[str, list[str]] = {}
    title, text = _check_motion(
        title=title,
        text=text,
        proposer=proposer,
        seconder=seconder,
        submitted_on=submitted_on,
        meeting=meeting,
        errors=errors,
    )
    reference = reference.strip()
    if reference and not REFERENCE.match(reference):
        errors["reference"] = [_("A reference is letters, numbers and - / . _ only")]
    elif reference and Motion.objects.filter(reference=reference).exists():
        errors["reference"] = [_("Motion %(ref)s already exists") % {"ref": reference}]
    _fail(errors)
    motion = Motion.objects.create(
        reference=reference or _next_reference(submitted_on.year),
        title=title,
        text=text,
        proposer=proposer,
        seconder=seconder,
        submitted_on=submitted_on,
        meeting=meeting,
        status=Status.ON_AGENDA if meeting else Status.SUBMITTED,
    )
    motion.topics.set(list(topics))
    search_refresh([motion.pk])
    _event(motion, Kind.SUBMITTED, _submitted_text(motion), actor=actor)
    if meeting is not None:
        _event(motion, Kind.SCHEDULED, _scheduled_text(meeting), actor=actor)
    return motion


def _submitted_text(motion: Motion) -> str:
    if motion.seconder_id:
        return _("Submitted on %(date)s by %(proposer)s, seconded by %(seconder)s") % {
            "date": _day(motion.submitted_on),
            "proposer": _councillor_name(motion.proposer),
            "seconder": _councillor_name(motion.seconder),
        }
    return _("Submitted on %(date)s by %(proposer)s") % {
        "date": _day(motion.submitted_on),
        "proposer": _councillor_name(motion.proposer),
    }


def _scheduled_text(meeting: Meeting) -> str:
    return _("On the agenda for %(meeting)s on %(date)s") % {
        "meeting": meeting.title,
        "date": _day(meeting.date),
    }


@transaction.atomic
def motion_edit(
    *,
    motion: Motion,
    title: str,
    text: str,
    seconder: Councillor | None,
    topics: Iterable[Topic],
    actor: User | None,
) -> Motion:
    """Correct the wording, the seconder or the topics. Each change is on the timeline."""
    motion = (
        Motion.objects.select_for_update(of=("self",)).select_related("proposer").get(pk=motion.pk)
    )
    errors: dict[str, list[str]] = {}
    title, text = _check_motion(
        title=title,
        text=text,
        proposer=motion.proposer,
        seconder=seconder,
        submitted_on=motion.submitted_on,
        meeting=None,
        errors=errors,
    )
    _fail(errors)
    changes, fields = [], []
    if title != motion.title:
        changes.append(_("Title changed to “%(title)s”") % {"title": title})
        motion.title = title
        fields.append("title")
    if text != motion.text:
        changes.append(_("Wording of the motion corrected"))
        motion.text = text
        fields.append("text")
    if (seconder.pk if seconder else None) != motion.seconder_id:
        changes.append(
            _("Seconder changed to %(name)s") % {"name": seconder}
            if seconder
            else _("Seconder removed")
        )
        motion.seconder = seconder
        fields.append("seconder")
    wanted = {t.pk: t for t in topics}
    if set(wanted) != set(motion.topics.values_list("pk", flat=True)):
        motion.topics.set(list(wanted.values()))
        names = ", ".join(sorted(t.name for t in wanted.values())) or _("none")
        changes.append(_("Topics changed to: %(names)s") % {"names": names})
        fields.append("updated_at")
    if not changes:
        return motion
    motion.save(update_fields=sorted({*fields, "updated_at"}))
    if {"title", "text"} & set(fields):
        search_refresh([motion.pk])
    _event(motion, Kind.EDITED, "; ".join(changes), actor=actor)
    return motion


@transaction.atomic
def motion_schedule(*, motion: Motion, meeting: Meeting | None, actor: User | None) -> Motion:
    """Put a submitted or deferred motion on a meeting's agenda."""
    motion = Motion.objects.select_for_update(of=("self",)).get(pk=motion.pk)
    if meeting is None:
        raise ValidationError({"meeting": [_("Select the meeting")]})
    if motion.is_decided:
        raise ValidationError(
            {
                "meeting": [
                    _("This motion was already decided (%(status)s)")
                    % {"status": motion.get_status_display()}
                ]
            }
        )
    if meeting.date < motion.submitted_on:
        raise ValidationError(
            {"meeting": [_("The meeting must be on or after the date the motion was submitted")]}
        )
    if motion.status == Status.ON_AGENDA and motion.meeting_id == meeting.pk:
        return motion
    motion.meeting, motion.status = meeting, Status.ON_AGENDA
    motion.save(update_fields=["meeting", "status", "updated_at"])
    _event(motion, Kind.SCHEDULED, _scheduled_text(meeting), actor=actor)
    return motion


OUTCOMES = (*Motion.DECIDED, Status.DEFERRED)


def _decision_text(motion: Motion, *, corrected: bool) -> str:
    values = {
        "status": motion.get_status_display(),
        "date": _day(motion.decision_date) if motion.decision_date else "",
        "meeting": motion.meeting.title if motion.meeting_id else "",
    }
    if motion.meeting_id:
        line = _("%(status)s at %(meeting)s on %(date)s") % values
    else:
        line = _("%(status)s on %(date)s") % values
    if corrected:
        line = _("Decision corrected: %(line)s") % {"line": line}
    if motion.decision_text:
        line += f". {motion.decision_text}"
    return line


@transaction.atomic
def motion_record_decision(
    *,
    motion: Motion,
    status: str,
    decision_date: date | None,
    actor: User | None,
    decision_text: str = "",
    meeting: Meeting | None = None,
) -> Motion:
    """Record the outcome: passed (as amended), defeated, withdrawn, ruled out or deferred.

    A decided motion needs its decision date. A decision already recorded can be corrected
    (the correction is on the timeline); a decided motion cannot be deferred.
    """
    motion = (
        Motion.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=motion.pk)
    )
    errors: dict[str, list[str]] = {}
    if status not in OUTCOMES:
        errors["status"] = [_("Select the outcome")]
    _not_future(
        decision_date,
        key="decision_date",
        missing=_("Enter the date of the decision"),
        errors=errors,
    )
    if decision_date and decision_date < motion.submitted_on:
        errors["decision_date"] = [
            _("The decision cannot be before the motion was submitted (%(date)s)")
            % {"date": _day(motion.submitted_on)}
        ]
    decision_text = (decision_text or "").strip()
    if len(decision_text) > MAX_TEXT:
        errors["decision_text"] = [_("This must be %(n)s characters or fewer") % {"n": MAX_TEXT}]
    if status == Status.PASSED_AMENDED and not decision_text:
        errors["decision_text"] = [_("Enter the motion as amended")]
    if motion.is_decided and status == Status.DEFERRED:
        errors["status"] = [_("A decided motion cannot be deferred")]
    if meeting is not None and decision_date is not None and meeting.date != decision_date:
        errors["meeting"] = [_("The meeting was on %(date)s") % {"date": _day(meeting.date)}]
    actions = motion.actions.all()
    if status in Motion.NO_ACTIONS and actions.filter(status__in=FollowUpAction.OPEN).exists():
        errors["status"] = [
            _("This motion has open follow-up actions: cancel them before it is %(status)s")
            % {"status": Status(status).label.lower()}
        ]
    if decision_date:
        early = actions.filter(due_date__lt=decision_date).order_by("due_date").first()
        if early is not None:
            errors["decision_date"] = [
                _("A follow-up action is due on %(due)s, before this date")
                % {"due": _day(early.due_date)}
            ]
    _fail(errors)
    corrected = motion.is_decided
    before = (motion.status, motion.decision_date, motion.decision_text, motion.meeting_id)
    motion.status, motion.decision_date, motion.decision_text = status, decision_date, decision_text
    if meeting is not None:
        motion.meeting = meeting
    if before == (motion.status, motion.decision_date, motion.decision_text, motion.meeting_id):
        return motion
    motion.save(update_fields=["status", "decision_date", "decision_text", "meeting", "updated_at"])
    _event(motion, Kind.DECISION, _decision_text(motion, corrected=corrected), actor=actor)
    return motion


# --- replies ---------------------------------------------------------------------------------


@transaction.atomic
def motion_reply_add(
    *,
    motion: Motion,
    replied_on: date | None,
    text: str,
    actor: User | None,
    department: Department | None = None,
    officer_name: str = "",
) -> MotionReply:
    """A reply to the motion from a department or officer."""
    errors: dict[str, list[str]] = {}
    officer_name = (officer_name or "").strip()
    if department is None and not officer_name:
        errors["department"] = [_("Select the department or enter the officer who replied")]
    if len(officer_name) > 200:
        errors["officer_name"] = [_("This must be %(n)s characters or fewer") % {"n": 200}]
    _not_future(
        replied_on, key="replied_on", missing=_("Enter the date of the reply"), errors=errors
    )
    if replied_on and replied_on < motion.submitted_on:
        errors["replied_on"] = [
            _("The reply cannot be before the motion was submitted (%(date)s)")
            % {"date": _day(motion.submitted_on)}
        ]
    text = _required_text(
        text, key="text", missing=_("Enter the reply"), max_length=MAX_TEXT, errors=errors
    )
    _fail(errors)
    reply = MotionReply.objects.create(
        motion=motion,
        department=department,
        officer_name=officer_name,
        replied_on=replied_on,
        text=text,
    )
    Motion.objects.filter(pk=motion.pk).update(updated_at=timezone.now())
    _event(
        motion,
        Kind.REPLY,
        _("Reply from %(author)s, dated %(date)s")
        % {"author": reply.author, "date": _day(replied_on)},
        actor=actor,
    )
    return reply


# --- follow-up actions -----------------------------------------------------------------------


def _check_due(
    motion: Motion, due_date: date | None, errors: dict[str, list[str]], key: str = "due_date"
) -> None:
    if due_date is None:
        errors[key] = [_("Enter the date the action is due")]
    elif motion.decision_date and due_date < motion.decision_date:
        errors[key] = [
            _("The due date cannot be before the decision (%(date)s)")
            % {"date": _day(motion.decision_date)}
        ]
    elif due_date < motion.submitted_on:
        errors[key] = [
            _("The due date cannot be before the motion was submitted (%(date)s)")
            % {"date": _day(motion.submitted_on)}
        ]


def _action_line(action: FollowUpAction) -> str:
    return _("%(action)s (%(team)s, due %(due)s)") % {
        "action": action.description,
        "team": action.owner_team.name,
        "due": _day(action.due_date),
    }


@transaction.atomic
def motion_action_add(
    *,
    motion: Motion,
    description: str,
    owner_team: Team | None,
    due_date: date | None,
    actor: User | None,
) -> FollowUpAction:
    """Agree a follow-up action, owned by a team, due on a date not before the decision."""
    motion = Motion.objects.select_for_update(of=("self",)).get(pk=motion.pk)
    errors: dict[str, list[str]] = {}
    if motion.status in Motion.NO_ACTIONS:
        errors[NON_FIELD_ERRORS] = [
            _("This motion was %(status)s: it takes no new actions")
            % {"status": motion.get_status_display().lower()}
        ]
    description = _required_text(
        description,
        key="description",
        missing=_("Describe the action"),
        max_length=MAX_TEXT,
        errors=errors,
    )
    if owner_team is None:
        errors["owner_team"] = [_("Select the team that owns the action")]
    elif not owner_team.active:
        errors["owner_team"] = [_("%(team)s is not active") % {"team": owner_team}]
    _check_due(motion, due_date, errors)
    _fail(errors)
    action = FollowUpAction.objects.create(
        motion=motion,
        description=description,
        owner_team=owner_team,
        due_date=due_date,
        created_on=timezone.localdate(),
    )
    motion.save(update_fields=["updated_at"])
    _event(
        motion,
        Kind.ACTION,
        _("Follow-up action agreed: %(line)s") % {"line": _action_line(action)},
        actor=actor,
        action=action,
    )
    return action


@transaction.atomic
def motion_action_update(
    *,
    action: FollowUpAction,
    actor: User | None,
    status: str | None = None,
    due_date: date | None = None,
    note: str = "",
    noted_on: date | None = None,
) -> FollowUpAction:
    """Move an action on: a new status, a new due date and/or a dated progress note.

    Done records the completion date (the note's date, else today); a blocked or cancelled
    action needs a note saying why.
    """
    action = (
        FollowUpAction.objects.select_for_update(of=("self",))
        .select_related("motion", "owner_team")
        .get(pk=action.pk)
    )
    motion = action.motion
    errors: dict[str, list[str]] = {}
    note = (note or "").strip()
    today = timezone.localdate()
    noted_on = noted_on or today
    if noted_on > today:
        errors["noted_on"] = [_("The date must be today or in the past")]
    if status is not None and status not in ActionStatus.values:
        errors["status"] = [_("Select the status of the action")]
    new_status = status if status and status != action.status else None
    new_due = due_date if due_date and due_date != action.due_date else None
    if new_due is not None:
        _check_due(motion, new_due, errors)
    if new_status in (ActionStatus.BLOCKED, ActionStatus.CANCELLED) and not note:
        errors["note"] = [
            _("Say why the action is %(status)s")
            % {"status": ActionStatus(new_status).label.lower()}
        ]
    if len(note) > MAX_TEXT:
        errors["note"] = [_("This must be %(n)s characters or fewer") % {"n": MAX_TEXT}]
    if not (new_status or new_due or note) and not errors:
        errors[NON_FIELD_ERRORS] = [_("Change the status or the due date, or add a progress note")]
    if new_status and new_status in FollowUpAction.OPEN and motion.status in Motion.NO_ACTIONS:
        errors["status"] = [
            _("This motion was %(status)s: its actions cannot be reopened")
            % {"status": motion.get_status_display().lower()}
        ]
    _fail(errors)
    lines = []
    fields = []
    if new_status:
        lines.append(
            _("status changed from %(old)s to %(new)s")
            % {"old": action.get_status_display(), "new": ActionStatus(new_status).label}
        )
        if new_status == ActionStatus.DONE:
            action.completed_on = noted_on
        elif action.status == ActionStatus.DONE:
            action.completed_on = None
        action.status = new_status
        fields += ["status", "completed_on"]
    if new_due:
        lines.append(
            _("due date moved from %(old)s to %(new)s")
            % {"old": _day(action.due_date), "new": _day(new_due)}
        )
        action.due_date = new_due
        fields.append("due_date")
    if fields:
        action.save(update_fields=fields)
    if note:
        ActionProgressNote.objects.create(action=action, date=noted_on, text=note)
    motion.save(update_fields=["updated_at"])
    summary = (
        action.description if len(action.description) <= 120 else action.description[:117] + "…"
    )
    if lines:
        text = _("Action “%(action)s”: %(changes)s") % {
            "action": summary,
            "changes": "; ".join(lines),
        }
        if note:
            text += f". {note}"
        _event(motion, Kind.ACTION_CHANGED, text, actor=actor, action=action)
    else:
        _event(
            motion,
            Kind.PROGRESS,
            _("Progress on “%(action)s” (%(date)s): %(note)s")
            % {"action": summary, "date": _day(noted_on), "note": note},
            actor=actor,
            action=action,
        )
    return action


# --- reminders to action owners ---------------------------------------------------------------


def _action_owners(team_id: int) -> list[User]:
    return [
        m.staff.user
        for m in TeamMembership.objects.filter(
            team_id=team_id, role=TeamMembership.TeamRole.LEADER
        ).select_related("staff__user")
        if m.staff.user.is_active and m.staff.user.email
    ]


def _links(action: FollowUpAction) -> dict[str, str]:
    base = getattr(settings, "CRM_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
    return {
        "motion_url": f"{base}{action.motion.get_absolute_url()}",
        "desk_url": f"{base}/desk/motions/{action.motion.reference}/",
    }


def motion_actions_remind(*, now: datetime | None = None) -> int:
    """Tell the owner team's leaders about actions due within a week, and again once overdue.

    Each message is sent once per action, due date and leader (the outbox's dedupe key), so
    running this again, or moving the due date, does the right thing. Returns how many were
    queued.
    """
    today = timezone.localdate(now)
    due = (
        FollowUpAction.objects.open()
        .filter(due_date__lte=today + timedelta(days=DUE_SOON_DAYS))
        .select_related("motion", "owner_team")
        .order_by("due_date", "pk")
    )
    queued = 0
    for action in due[:2000]:
        event = (
            NotificationEvent.MOTION_ACTION_OVERDUE
            if action.due_date < today
            else NotificationEvent.MOTION_ACTION_DUE
        )
        owners = _action_owners(action.owner_team_id)
        keys = {u.pk: f"{event}:{action.pk}:{action.due_date.isoformat()}:{u.pk}" for u in owners}
        sent = set(
            OutboxMessage.objects.filter(dedupe_key__in=keys.values()).values_list(
                "dedupe_key", flat=True
            )
        )
        with transaction.atomic():
            for user in owners:
                if keys[user.pk] in sent:
                    continue
                message = message_queue(
                    event=event,
                    channel="email",
                    recipient=user.email,
                    context={
                        "action": action,
                        "motion": action.motion,
                        "user": user,
                        "days_overdue": (today - action.due_date).days,
                        **_links(action),
                    },
                    dedupe_key=keys[user.pk],
                    language=settings.LANGUAGE_CODE,
                    user=user,
                )
                queued += message is not None
    return queued


# --- import (CSV) and the demo register --------------------------------------------------------


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


@dataclass
class MotionRecord:
    """A motion as an earlier register holds it. None: keep what is recorded (later CSV rows)."""

    reference: str
    title: str | None = None
    text: str | None = None
    proposer: Councillor | None = None
    seconder: Councillor | None = None
    submitted_on: date | None = None
    meeting: Meeting | None = None
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
        _check_motion(
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
        closing = {a.description.strip() for a in record.actions if a.status not in OPEN_ACTION}
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
                % {"date": _day(decision_date)}
            ]
        if act.status == ActionStatus.DONE and act.completed_on is None:
            errors["action_completed"] = [_("Enter the date the action was completed")]
    _fail(errors)


def _create_history(record: MotionRecord, result: UpsertResult, actor: User | None) -> Motion:
    motion = Motion.objects.create(
        reference=record.reference,
        title=(record.title or "").strip(),
        text=(record.text or "").strip(),
        proposer=record.proposer,
        seconder=record.seconder,
        submitted_on=record.submitted_on,
        meeting=record.meeting,
        status=record.status or Status.SUBMITTED,
        decision_date=record.decision_date,
        decision_text=(record.decision_text or "").strip(),
    )
    if record.topics:
        motion.topics.set(record.topics)
    result.motion = motion
    result.count("motions", created=True)
    _event(
        motion, Kind.SUBMITTED, _submitted_text(motion), actor=actor, at=_at(motion.submitted_on)
    )
    if motion.meeting and motion.status == Status.ON_AGENDA:
        _event(
            motion,
            Kind.SCHEDULED,
            _scheduled_text(motion.meeting),
            actor=actor,
            at=_at(motion.submitted_on),
        )
    if motion.status in OUTCOMES and motion.decision_date:
        _event(
            motion,
            Kind.DECISION,
            _decision_text(motion, corrected=False),
            actor=actor,
            at=_at(motion.decision_date),
        )
    return motion


def _update_motion(
    record: MotionRecord, motion: Motion, result: UpsertResult, actor: User | None
) -> None:
    fields = []
    for name in ("title", "text", "submitted_on", "decision_date", "decision_text", "status"):
        value = getattr(record, name)
        if isinstance(value, str):
            value = value.strip()
        if value is not None and value != getattr(motion, name):
            setattr(motion, name, value)
            fields.append(name)
    for name in ("proposer", "seconder", "meeting"):
        value = getattr(record, name)
        if value is not None and value.pk != getattr(motion, f"{name}_id"):
            setattr(motion, name, value)
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
        _event(motion, Kind.DECISION, _decision_text(motion, corrected=True), actor=actor)
    else:
        labels = ", ".join(str(Motion._meta.get_field(f).verbose_name) for f in fields)
        _event(
            motion,
            Kind.EDITED,
            _("Corrected from the council's earlier register: %(fields)s") % {"fields": labels},
            actor=actor,
        )


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
    _event(
        motion,
        Kind.REPLY,
        _("Reply from %(author)s, dated %(date)s")
        % {"author": new.author, "date": _day(new.replied_on)},
        actor=actor,
        at=_at(new.replied_on),
    )


def _upsert_action(
    motion: Motion,
    record: ActionRecord,
    result: UpsertResult,
    actor: User | None,
    existing: dict[str, FollowUpAction],
) -> None:
    description = record.description.strip()
    action = existing.get(description)
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
        action.prefetched_notes = []  # type: ignore[attr-defined]
        existing[description] = action
        result.count("actions", created=True)
        _event(
            motion,
            Kind.ACTION,
            _("Follow-up action agreed: %(line)s") % {"line": _action_line(action)},
            actor=actor,
            action=action,
            at=_at(created_on),
        )
        for day, text in sorted(record.notes):
            _note(motion, action, day, text, result, actor)
        if action.status != ActionStatus.NOT_STARTED:
            when = action.completed_on or max([created_on, *(d for d, _t in record.notes)])
            _event(
                motion,
                Kind.ACTION_CHANGED,
                _("Action “%(action)s”: status %(status)s")
                % {"action": description[:120], "status": action.get_status_display().lower()},
                actor=actor,
                action=action,
                at=_at(when),
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
        _event(
            motion,
            Kind.ACTION_CHANGED,
            _("Action “%(action)s” updated from the council's earlier register: %(line)s")
            % {"action": description[:120], "line": action.get_status_display().lower()},
            actor=actor,
            action=action,
        )
    have = {(n.date, n.text) for n in action.prefetched_notes}  # type: ignore[attr-defined]
    for day, text in sorted(record.notes):
        if (day, text.strip()) not in have:
            _note(motion, action, day, text, result, actor)


def _note(
    motion: Motion,
    action: FollowUpAction,
    day: date,
    text: str,
    result: UpsertResult,
    actor: User | None,
) -> None:
    note = ActionProgressNote.objects.create(action=action, date=day, text=text.strip())
    action.prefetched_notes.append(note)  # type: ignore[attr-defined]
    result.count("progress notes", created=True)
    _event(
        motion,
        Kind.PROGRESS,
        _("Progress on “%(action)s” (%(date)s): %(note)s")
        % {"action": action.description[:120], "date": _day(day), "note": note.text},
        actor=actor,
        action=action,
        at=_at(day),
    )


@transaction.atomic
def motion_upsert(*, record: MotionRecord, actor: User | None) -> UpsertResult:
    """Bring one motion from an earlier register (CSV import, demo data) into this one.

    Creates what is missing, dated as it happened on the timeline; corrects what differs;
    changes nothing when the register already holds it, so an import can be run again.
    Replies are matched on date and text, actions on their description, notes on date and text.
    """
    motion = (
        Motion.objects.select_for_update(of=("self",))
        .filter(reference=record.reference)
        .prefetch_related("replies", "actions__notes")
        .first()
    )
    _check_record(record, motion)
    result = UpsertResult(motion=motion)  # type: ignore[arg-type]
    if motion is None:
        motion = _create_history(record, result, actor)
        replies: list[MotionReply] = []
        actions: dict[str, FollowUpAction] = {}
    else:
        _update_motion(record, motion, result, actor)
        replies = list(motion.replies.all())
        actions = {}
        for a in motion.actions.all():
            a.prefetched_notes = list(a.notes.all())  # type: ignore[attr-defined]
            actions[a.description] = a
    for reply in record.replies:
        _upsert_reply(motion, reply, result, actor, replies)
    for action in record.actions:
        _upsert_action(motion, action, result, actor, actions)
    if result.changed:
        search_refresh([motion.pk])
    return result


# --- CSV import ---------------------------------------------------------------------------------

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


def _choice(value: str, choices: type[Status] | type[ActionStatus], words: dict[str, str]) -> str:
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
        record.meeting, _created = Meeting.objects.get_or_create(
            body=body, date=meeting_date, defaults={"title": body}
        )
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
    _fail(errors)
    return record


def motions_import(
    *, rows: Iterable[dict[str, str]], actor: User | None, dry_run: bool = False
) -> ImportReport:
    """Import an earlier register from CSV rows (csv.DictReader), one motion per reference.

    A reference may appear on several rows: the first gives the motion, each row may add a
    reply and an action (or a progress note to an action named again). Each row is applied in
    its own savepoint, so a bad row is reported and skipped and the others go in. A dry run does
    everything and rolls it all back. Running the same file again changes nothing.
    """
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        lookups = _Lookups()
        for line, row in enumerate(rows, start=2):  # line 1 is the header
            reference = (row.get("reference") or "").strip()
            try:
                with transaction.atomic():
                    record = _parse_row(row, lookups)
                    result = motion_upsert(record=record, actor=actor)
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {"row": exc.messages}
                report.rows.append(ImportRow(line, reference, "error", dict(errors)))
                continue
            outcome = (
                "created"
                if result.created.get("motions")
                else "updated"
                if result.changed
                else "unchanged"
            )
            report.rows.append(ImportRow(line, reference, outcome))
        if dry_run:
            transaction.set_rollback(True)
    return report


# --- the demo register ---------------------------------------------------------------------------


def motions_register_load(
    *, data: dict[str, Any], actor: User | None = None
) -> tuple[dict[str, int], dict[str, int]]:
    """Load a register held as JSON (fixtures/<site>/motions.json): topics, meetings, motions
    with their replies, actions and progress notes. Idempotent. Returns (created, updated)
    counts by kind."""
    created: dict[str, int] = {}
    updated: dict[str, int] = {}

    def count(bucket: dict[str, int], what: str, n: int = 1) -> None:
        bucket[what] = bucket.get(what, 0) + n

    categories = {c.code: c for c in ServiceCategory.objects.all()}
    topics: dict[str, Topic] = {}
    for row in data.get("topics", []):
        topic = Topic.objects.filter(slug=row["slug"]).first()
        values = {"name": row["name"], "description": row.get("description", "")}
        if topic is None:
            topic = Topic.objects.create(slug=row["slug"], **values)
            count(created, "topics")
        elif any(getattr(topic, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(topic, k, v)
            topic.save(update_fields=list(values))
            count(updated, "topics")
        wanted = {
            _known(categories, code, "category", row["slug"]).pk
            for code in row.get("categories", [])
        }
        if wanted != set(topic.categories.values_list("pk", flat=True)):
            topic.categories.set(wanted)
            count(updated, "links")
        topics[row["slug"]] = topic
    meetings: dict[str, Meeting] = {}
    for row in data.get("meetings", []):
        day = date.fromisoformat(row["date"])
        body = row.get("body", "Full Council")
        meeting = Meeting.objects.filter(body=body, date=day).first()
        if meeting is None:
            meeting = Meeting.objects.create(body=body, date=day, title=row["title"])
            count(created, "meetings")
        elif meeting.title != row["title"]:
            meeting.title = row["title"]
            meeting.save(update_fields=["title"])
            count(updated, "meetings")
        meetings[row["date"]] = meeting
    councillors = {c.user.username: c for c in Councillor.objects.select_related("user")}
    teams = {t.code: t for t in Team.objects.all()}
    departments = {d.code: d for d in Department.objects.all()}
    recorded = {
        m.reference: m
        for m in Motion.objects.filter(
            reference__in=[row["reference"] for row in data.get("motions", [])]
        ).prefetch_related("topics", "replies", "actions__notes")
    }
    for row in data.get("motions", []):
        ref = row["reference"]

        def opt_date(value: str | None) -> date | None:
            return date.fromisoformat(value) if value else None

        record = MotionRecord(
            reference=ref,
            title=row["title"],
            text=row["text"],
            proposer=_known(councillors, row["proposer"], "councillor", ref),
            seconder=_known(councillors, row["seconder"], "councillor", ref)
            if row.get("seconder")
            else None,
            submitted_on=date.fromisoformat(row["submitted_on"]),
            meeting=_known(meetings, row["meeting"], "meeting", ref)
            if row.get("meeting")
            else None,
            status=row["status"],
            decision_date=opt_date(row.get("decision_date")),
            decision_text=row.get("decision_text", ""),
            topics=[_known(topics, slug, "topic", ref) for slug in row.get("topics", [])],
            replies=[
                ReplyRecord(
                    replied_on=date.fromisoformat(r["date"]),
                    text=r["text"],
                    department=_known(departments, r["department"], "department", ref)
                    if r.get("department")
                    else None,
                    officer_name=r.get("officer", ""),
                )
                for r in row.get("replies", [])
            ],
            actions=[
                ActionRecord(
                    description=a["description"],
                    owner_team=_known(teams, a["team"], "team", ref),
                    due_date=date.fromisoformat(a["due"]),
                    status=a["status"],
                    created_on=opt_date(a.get("agreed")),
                    completed_on=opt_date(a.get("completed")),
                    notes=[(date.fromisoformat(n["date"]), n["text"]) for n in a.get("notes", [])],
                )
                for a in row.get("actions", [])
            ],
        )
        if _holds(recorded.get(ref), record):
            continue  # the usual case on a reload: nothing to lock or compare row by row
        result = motion_upsert(record=record, actor=actor)
        for what, n in result.created.items():
            count(created, what, n)
        for what, n in result.updated.items():
            count(updated, what, n)
    return created, updated


def _holds(motion: Motion | None, record: MotionRecord) -> bool:
    """Whether the register already holds everything in the record (then upsert is a no-op)."""
    if motion is None:
        return False
    for name in ("title", "text", "submitted_on", "status", "decision_date", "decision_text"):
        value = getattr(record, name)
        if value is not None and (value.strip() if isinstance(value, str) else value) != getattr(
            motion, name
        ):
            return False
    for name in ("proposer", "seconder", "meeting"):
        value = getattr(record, name)
        if value is not None and value.pk != getattr(motion, f"{name}_id"):
            return False
    if record.topics is not None and {t.pk for t in record.topics} != {
        t.pk for t in motion.topics.all()
    }:
        return False
    replies = {(r.replied_on, r.text) for r in motion.replies.all()}
    if any((r.replied_on, r.text.strip()) not in replies for r in record.replies):
        return False
    actions = {a.description: a for a in motion.actions.all()}
    for want in record.actions:
        have = actions.get(want.description.strip())
        completed = want.completed_on if want.status == ActionStatus.DONE else None
        if have is None or (have.owner_team_id, have.due_date, have.status, have.completed_on) != (
            want.owner_team.pk,
            want.due_date,
            want.status,
            completed,
        ):
            return False
        notes = {(n.date, n.text) for n in have.notes.all()}
        if any((day, text.strip()) not in notes for day, text in want.notes):
            return False
    return True


def _known(mapping: dict[str, M], key: str, what: str, where: str) -> M:
    try:
        return mapping[key]
    except KeyError:
        raise ValueError(f"motions register: {where} refers to unknown {what} {key!r}") from None


# --- the monthly report -------------------------------------------------------------------------


def _month_start(value: date) -> date:
    return value.replace(day=1)


REPORT_CSV_COLUMNS = (
    "section",
    "motion_reference",
    "motion_title",
    "proposer",
    "motion_status",
    "submitted_on",
    "decision_date",
    "detail",
    "owner_team",
    "due_date",
    "action_status",
    "completed_on",
    "overdue",
    "latest_progress",
)


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _report_csv(data: MonthlyReportData) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(REPORT_CSV_COLUMNS)

    def motion_cells(m: Motion) -> list[object]:
        return [
            m.reference,
            m.title,
            m.proposer,
            m.get_status_display(),
            m.submitted_on,
            m.decision_date or "",
        ]

    blank_action = ["", "", "", "", ""]
    for m in data.submitted:
        writer.writerow(map(_cell, ["submitted", *motion_cells(m), "", *blank_action, ""]))
    for m in data.decided:
        writer.writerow(
            map(_cell, ["decided", *motion_cells(m), m.decision_text, *blank_action, ""])
        )
    for r in data.replies:
        writer.writerow(
            map(
                _cell,
                [
                    "reply",
                    *motion_cells(r.motion),
                    f"{r.author} ({r.replied_on})",
                    *blank_action,
                    r.text,
                ],
            )
        )
    for a in data.completed:
        writer.writerow(
            map(
                _cell,
                [
                    "action_completed",
                    *motion_cells(a.motion),
                    a.description,
                    a.owner_team.name,
                    a.due_date,
                    a.get_status_display(),
                    a.completed_on,
                    "no",
                    "",
                ],
            )
        )
    for item in data.outstanding:
        a = item.action
        writer.writerow(
            map(
                _cell,
                [
                    "action_outstanding",
                    *motion_cells(a.motion),
                    a.description,
                    a.owner_team.name,
                    a.due_date,
                    item.status,
                    "",
                    "yes" if item.overdue else "no",
                    f"{item.latest.date}: {item.latest.text}" if item.latest else "",
                ],
            )
        )
    return out.getvalue()


@transaction.atomic
def motions_monthly_report_generate(*, month: date, now: datetime | None = None) -> MotionReport:
    """Generate (or regenerate) the report for a month and keep it: HTML and CSV.

    A report generated after its month has ended is final and shows where things stood at the
    month's end; during the month it is a draft as at today.
    """
    now = now or timezone.now()
    data = monthly_report_data(month=month, today=timezone.localdate(now))
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(
            "council_crm/motions/report_body.html",
            {"data": data, "council": settings.CRM_SITE, "generated_at": now},
        )
    report, _created = MotionReport.objects.update_or_create(
        month=data.month,
        defaults={
            "html": html,
            "csv": _report_csv(data),
            "generated_at": now,
            "final": data.final,
        },
    )
    return report


def motions_monthly_reports_run(*, now: datetime | None = None) -> int:
    """The periodic job: last month's report once final, this month's draft at most hourly.

    Idempotent: running it again within the hour changes nothing. Returns reports generated.
    """
    now = now or timezone.now()
    if not Motion.objects.exists():
        return 0
    this_month = _month_start(timezone.localdate(now))
    last_month = _month_start(this_month - timedelta(days=1))
    done = 0
    last = MotionReport.objects.filter(month=last_month).first()
    if last is None or not last.final:
        motions_monthly_report_generate(month=last_month, now=now)
        done += 1
    draft = MotionReport.objects.filter(month=this_month).first()
    if draft is None or draft.generated_at < now - DRAFT_REPORT_MAX_AGE:
        motions_monthly_report_generate(month=this_month, now=now)
        done += 1
    return done
