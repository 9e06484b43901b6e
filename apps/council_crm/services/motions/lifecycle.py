"""Notices of Motion, their life: record, correct, schedule, decide and reply.

Every change writes a line on the motion's public timeline (MotionEvent) in the same
transaction; the acting user is kept on it for the council's own records and never shown on
public pages.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.council_crm.models import (
    Councillor,
    Department,
    FollowUpAction,
    Meeting,
    Motion,
    MotionReply,
    ReferenceCounter,
    Topic,
    User,
)

from ._common import (
    MAX_TEXT,
    OUTCOMES,
    REFERENCE,
    Kind,
    Status,
    check_motion,
    decision_line,
    event_add,
    long_date,
    not_future,
    raise_if,
    reply_line,
    required_text,
    scheduled_line,
    search_refresh,
    submitted_line,
)

REFERENCE_PREFIX = "NOM"


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
    title, text = check_motion(
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
    raise_if(errors)
    # narrowed for the type checker: the checks above raised if either was missing
    assert proposer is not None  # noqa: S101
    assert submitted_on is not None  # noqa: S101
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
    event_add(motion, Kind.SUBMITTED, submitted_line(motion), actor=actor)
    if meeting is not None:
        event_add(motion, Kind.SCHEDULED, scheduled_line(meeting), actor=actor)
    return motion


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
    title, text = check_motion(
        title=title,
        text=text,
        proposer=motion.proposer,
        seconder=seconder,
        submitted_on=motion.submitted_on,
        meeting=None,
        errors=errors,
    )
    raise_if(errors)
    changes: list[str] = []
    fields: list[str] = []
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
    event_add(motion, Kind.EDITED, "; ".join(changes), actor=actor)
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
    event_add(motion, Kind.SCHEDULED, scheduled_line(meeting), actor=actor)
    return motion


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
    not_future(
        decision_date,
        key="decision_date",
        missing=_("Enter the date of the decision"),
        errors=errors,
    )
    if decision_date and decision_date < motion.submitted_on:
        errors["decision_date"] = [
            _("The decision cannot be before the motion was submitted (%(date)s)")
            % {"date": long_date(motion.submitted_on)}
        ]
    decision_text = (decision_text or "").strip()
    if len(decision_text) > MAX_TEXT:
        errors["decision_text"] = [_("This must be %(n)s characters or fewer") % {"n": MAX_TEXT}]
    if status == Status.PASSED_AMENDED and not decision_text:
        errors["decision_text"] = [_("Enter the motion as amended")]
    if motion.is_decided and status == Status.DEFERRED:
        errors["status"] = [_("A decided motion cannot be deferred")]
    if meeting is not None and decision_date is not None and meeting.date != decision_date:
        errors["meeting"] = [_("The meeting was on %(date)s") % {"date": long_date(meeting.date)}]
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
                % {"due": long_date(early.due_date)}
            ]
    raise_if(errors)
    corrected = motion.is_decided
    before = (motion.status, motion.decision_date, motion.decision_text, motion.meeting_id)
    motion.status, motion.decision_date, motion.decision_text = status, decision_date, decision_text
    if meeting is not None:
        motion.meeting = meeting
    if before == (motion.status, motion.decision_date, motion.decision_text, motion.meeting_id):
        return motion
    motion.save(update_fields=["status", "decision_date", "decision_text", "meeting", "updated_at"])
    event_add(motion, Kind.DECISION, decision_line(motion, corrected=corrected), actor=actor)
    return motion


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
    not_future(
        replied_on, key="replied_on", missing=_("Enter the date of the reply"), errors=errors
    )
    if replied_on and replied_on < motion.submitted_on:
        errors["replied_on"] = [
            _("The reply cannot be before the motion was submitted (%(date)s)")
            % {"date": long_date(motion.submitted_on)}
        ]
    text = required_text(
        text, key="text", missing=_("Enter the reply"), max_length=MAX_TEXT, errors=errors
    )
    raise_if(errors)
    assert replied_on is not None  # noqa: S101 - checked by not_future above
    reply = MotionReply.objects.create(
        motion=motion,
        department=department,
        officer_name=officer_name,
        replied_on=replied_on,
        text=text,
    )
    Motion.objects.filter(pk=motion.pk).update(updated_at=timezone.now())
    event_add(motion, Kind.REPLY, reply_line(reply.author, replied_on), actor=actor)
    return reply
