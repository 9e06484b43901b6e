"""Notices of Motion: what every motions write shares (the rules on input, the public
timeline's wording and the search column)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.council_crm.models import Councillor, FollowUpAction, Meeting, Motion, MotionEvent, User
from apps.council_crm.models.motions import motion_search_vector

Status = Motion.Status
ActionStatus = FollowUpAction.Status
Kind = MotionEvent.Kind

MAX_TITLE = 300
MAX_TEXT = 20_000
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.-]{0,31}$")
OUTCOMES = (*Motion.DECIDED, Status.DEFERRED)


def long_date(value: date) -> str:
    return date_format(value, "j F Y")  # in the active language: 3 March 2026, 3 Márta 2026


def at_midday(day: date) -> datetime:
    """Midday on a day, in the council's time zone: when a dated historical change happened
    (or now, for a change dated today before midday)."""
    noon = timezone.make_aware(datetime.combine(day, time(12)), timezone.get_default_timezone())
    return min(noon, timezone.now())


def event_add(
    motion: Motion,
    kind: str,
    text: str,
    *,
    actor: User | None,
    action: FollowUpAction | None = None,
    at: datetime | None = None,
) -> MotionEvent:
    """A line on the motion's public timeline (the actor is kept, never shown)."""
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


# --- checks: each adds its message to `errors`, against the field it is about -----------------


def raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def required_text(
    value: str, *, key: str, missing: str, max_length: int, errors: dict[str, list[str]]
) -> str:
    value = (value or "").strip()
    if not value:
        errors[key] = [missing]
    elif len(value) > max_length:
        errors[key] = [_("This must be %(n)s characters or fewer") % {"n": f"{max_length:,}"}]
    return value


def not_future(value: date | None, *, key: str, missing: str, errors: dict[str, list[str]]) -> None:
    if value is None:
        errors[key] = [missing]
    elif value > timezone.localdate():
        errors[key] = [_("The date must be today or in the past")]


def check_motion(
    *,
    title: str,
    text: str,
    proposer: Councillor | None,
    seconder: Councillor | None,
    submitted_on: date | None,
    meeting: Meeting | None,
    errors: dict[str, list[str]],
) -> tuple[str, str]:
    """The rules for a motion as recorded; returns the title and text, stripped."""
    title = required_text(
        title,
        key="title",
        missing=_("Enter the title of the motion"),
        max_length=MAX_TITLE,
        errors=errors,
    )
    text = required_text(
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
    not_future(
        submitted_on,
        key="submitted_on",
        missing=_("Enter the date the motion was submitted"),
        errors=errors,
    )
    if meeting is not None and submitted_on is not None and meeting.date < submitted_on:
        errors["meeting"] = [_("The meeting must be on or after the date the motion was submitted")]
    return title, text


def check_due(
    motion: Motion, due_date: date | None, errors: dict[str, list[str]], key: str = "due_date"
) -> None:
    """An action is due on a date, not before the decision nor the motion."""
    if due_date is None:
        errors[key] = [_("Enter the date the action is due")]
    elif motion.decision_date and due_date < motion.decision_date:
        errors[key] = [
            _("The due date cannot be before the decision (%(date)s)")
            % {"date": long_date(motion.decision_date)}
        ]
    elif due_date < motion.submitted_on:
        errors[key] = [
            _("The due date cannot be before the motion was submitted (%(date)s)")
            % {"date": long_date(motion.submitted_on)}
        ]


# --- the timeline's wording -------------------------------------------------------------------


def _councillor_name(councillor: Councillor | None) -> str:
    return str(councillor) if councillor is not None else ""


def submitted_line(motion: Motion) -> str:
    if motion.seconder_id:
        return _("Submitted on %(date)s by %(proposer)s, seconded by %(seconder)s") % {
            "date": long_date(motion.submitted_on),
            "proposer": _councillor_name(motion.proposer),
            "seconder": _councillor_name(motion.seconder),
        }
    return _("Submitted on %(date)s by %(proposer)s") % {
        "date": long_date(motion.submitted_on),
        "proposer": _councillor_name(motion.proposer),
    }


def scheduled_line(meeting: Meeting) -> str:
    return _("On the agenda for %(meeting)s on %(date)s") % {
        "meeting": meeting.title,
        "date": long_date(meeting.date),
    }


def decision_line(motion: Motion, *, corrected: bool) -> str:
    values = {
        "status": motion.get_status_display(),
        "date": long_date(motion.decision_date) if motion.decision_date else "",
        "meeting": motion.meeting.title if motion.meeting is not None else "",
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


def action_line(action: FollowUpAction) -> str:
    return _("%(action)s (%(team)s, due %(due)s)") % {
        "action": action.description,
        "team": action.owner_team.name,
        "due": long_date(action.due_date),
    }


def reply_line(author: str, replied_on: date) -> str:
    return _("Reply from %(author)s, dated %(date)s") % {
        "author": author,
        "date": long_date(replied_on),
    }


def progress_line(summary: str, day: date, note: str) -> str:
    return _("Progress on “%(action)s” (%(date)s): %(note)s") % {
        "action": summary,
        "date": long_date(day),
        "note": note,
    }
