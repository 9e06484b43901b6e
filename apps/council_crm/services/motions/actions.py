"""Notices of Motion, follow-up actions: agree one, move it on, and remind its owners."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.council_crm.links import public_url
from apps.council_crm.models import (
    ActionProgressNote,
    FollowUpAction,
    Motion,
    NotificationEvent,
    OutboxMessage,
    Team,
    TeamMembership,
    User,
)
from apps.council_crm.notifications.outbox import message_queue

from ._common import (
    MAX_TEXT,
    ActionStatus,
    Kind,
    action_line,
    check_due,
    event_add,
    long_date,
    progress_line,
    raise_if,
    required_text,
)

# Owners hear about an action this many days before it is due, and again once it is overdue.
DUE_SOON_DAYS = 7


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
    description = required_text(
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
    check_due(motion, due_date, errors)
    raise_if(errors)
    # narrowed for the type checker: the checks above raised if either was missing
    assert owner_team is not None  # noqa: S101
    assert due_date is not None  # noqa: S101
    action = FollowUpAction.objects.create(
        motion=motion,
        description=description,
        owner_team=owner_team,
        due_date=due_date,
        created_on=timezone.localdate(),
    )
    motion.save(update_fields=["updated_at"])
    event_add(
        motion,
        Kind.ACTION,
        _("Follow-up action agreed: %(line)s") % {"line": action_line(action)},
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
        check_due(motion, new_due, errors)
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
    raise_if(errors)
    lines: list[str] = []
    fields: list[str] = []
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
            % {"old": long_date(action.due_date), "new": long_date(new_due)}
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
        event_add(motion, Kind.ACTION_CHANGED, text, actor=actor, action=action)
    else:
        event_add(
            motion,
            Kind.PROGRESS,
            progress_line(summary, noted_on, note),
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


def action_links(action: FollowUpAction) -> dict[str, str]:
    return {
        "motion_url": public_url(action.motion.get_absolute_url()),
        "desk_url": public_url(reverse("motions_desk:manage", args=[action.motion.reference])),
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
                        **action_links(action),
                    },
                    dedupe_key=keys[user.pk],
                    language=settings.LANGUAGE_CODE,
                    user=user,
                )
                queued += message is not None
    return queued
