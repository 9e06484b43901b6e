"""A case's life after logging: reassign, recategorise, change status, update, reopen, follow."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from apps.council_crm import sla
from apps.council_crm.models import (
    AuditAction,
    CaseEvent,
    CaseFollower,
    CaseStatus,
    NotificationEvent,
    SatisfactionSurvey,
    ServiceCategory,
    ServiceRequest,
    StateCategory,
    Team,
    TeamMembership,
    User,
)
from apps.council_crm.services.audit import audit_record
from apps.council_crm.services.citizens import (
    ContactDetails,
    citizen_match_or_create,
    validate_contact,
)
from apps.council_crm.services.notify import (
    notify_members,
    notify_residents,
    notify_staff,
    team_leaders,
)

from .assignment import routing_apply
from .checks import MAX_DESCRIPTION, answers_clean
from .concurrency import case_lock

# --- assignment and category ----------------------------------------------------------------


@transaction.atomic
def case_assign(
    *,
    case: ServiceRequest,
    team: Team,
    assignee: User | None,
    actor: User,
    reason: str = "",
    reason_required: bool = False,
    seen: datetime | None = None,
) -> ServiceRequest:
    """Reassign by hand: the assignee must be in the team. `seen`: see `concurrency`."""
    case = case_lock(case=case, seen=seen)
    reason = reason.strip()
    if reason_required and not reason:
        raise ValidationError({"reason": [_("Say why the case is reassigned")]})
    if (
        assignee is not None
        and not TeamMembership.objects.filter(team=team, staff__user=assignee).exists()
    ):
        raise ValidationError(
            {"assignee": [_("%(name)s is not in %(team)s") % {"name": assignee, "team": team}]}
        )
    if assignee is not None and not assignee.is_active:
        raise ValidationError(
            {"assignee": [_("%(name)s can no longer sign in") % {"name": assignee}]}
        )
    if not team.active:
        raise ValidationError({"team": [_("%(team)s is not active") % {"team": team}]})
    old_team, old_assignee = case.team_id, case.assignee_id
    case.team, case.assignee = team, assignee
    case.save(update_fields=["team", "assignee", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CASE_REASSIGNED,
        obj=case,
        changes={
            "team": (old_team, team.pk),
            "assignee": (old_assignee, assignee.pk if assignee else None),
        },
    )
    who = assignee.get_full_name() if assignee else _("the team queue")
    event = CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.ASSIGNED,
        actor=actor,
        message=_("Reassigned to %(team)s, %(who)s") % {"team": team.name, "who": who}
        + (f": {reason}" if reason else ""),
        data={"team": team.code, "assignee": assignee.pk if assignee else None},
    )
    if assignee is not None and assignee != actor:
        notify_staff(
            case=case, event=NotificationEvent.ASSIGNED, occurrence=str(event.pk), users=[assignee]
        )
    if team.pk != old_team:  # the point of contact changed: the case's councillors are told
        notify_members(
            case=case, event=NotificationEvent.MEMBER_ASSIGNED, occurrence=f"assigned:{event.pk}"
        )
    return case


@transaction.atomic
def case_change_category(
    *, case: ServiceRequest, category: ServiceCategory, actor: User
) -> ServiceRequest:
    """Recategorise: the standard is recalculated from the logging time; routing runs again."""
    case = (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("category", "division")
        .get(pk=case.pk)
    )
    if category.pk == case.category_id:
        return case
    old = case.category
    _answers, errors = answers_clean(category, {})
    case.category = category
    case.answers = {
        k: v for k, v in case.answers.items() if category.questions.filter(code=k).exists()
    }
    calendar = sla.site_calendar()
    case.sla_due_at = sla.due_at(
        created=case.created_at, kind=category.sla_kind, value=category.sla_value, calendar=calendar
    )
    old_promise = case.promised_date
    case.promised_date = case.sla_due_at.astimezone(calendar.tzinfo).date()
    case.priority = category.priority
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.CATEGORY,
        actor=actor,
        is_public=True,
        message=_("Changed from %(old)s to %(new)s") % {"old": old.name, "new": category.name},
        data={"from": old.code, "to": category.code, "missing_answers": sorted(errors)},
    )
    routing_apply(case, actor=actor, now=timezone.now())
    case.save(
        update_fields=[
            "category",
            "answers",
            "sla_due_at",
            "promised_date",
            "priority",
            "team",
            "assignee",
            "updated_at",
        ]
    )
    if case.promised_date != old_promise:
        notify_residents(
            case=case, event=NotificationEvent.DELAY, occurrence=f"promise:{case.promised_date}"
        )
    return case


# --- statuses -------------------------------------------------------------------------------


def _allowed(case: ServiceRequest, status: CaseStatus) -> bool:
    if not case.status.allowed_next.filter(pk=status.pk).exists():
        return False
    limited = case.category.statuses.all()
    return not limited.exists() or limited.filter(pk=status.pk).exists()


@transaction.atomic
def case_transition(
    *,
    case: ServiceRequest,
    status: CaseStatus,
    actor: User | None,
    public_message: str = "",
    now: datetime | None = None,
    enforce_workflow: bool = True,
    reason: str = "",
    seen: datetime | None = None,
) -> ServiceRequest:
    """Move a case to another status, running the clock and telling the resident as needed.

    `reason` (staff only) goes on the timeline as an internal line; `seen`: see `concurrency`.
    """
    now = now or timezone.now()
    case = case_lock(case=case, seen=seen, related=("status", "category"))
    old = case.status
    if status.pk == old.pk:
        if seen is not None:
            raise ValidationError(
                {"status": [_("The case is already %(status)s") % {"status": status.name}]}
            )
        return case
    if enforce_workflow and not _allowed(case, status):
        raise ValidationError(
            {
                "status": [
                    _("A case that is %(old)s cannot become %(new)s")
                    % {"old": old.name, "new": status.name}
                ]
            }
        )
    if status.state == StateCategory.RESOLVED and not public_message.strip():
        raise ValidationError({"public_message": [_("Tell the resident what was done")]})
    calendar = sla.site_calendar()
    fields = ["status", "updated_at"]
    old_promise = case.promised_date
    if (
        old.state == StateCategory.PAUSED
        and status.state != StateCategory.PAUSED
        and case.sla_paused_at
    ):
        # every case is given a due time when it is logged; only its clock can pause
        assert case.sla_due_at is not None  # noqa: S101
        case.sla_due_at = sla.due_after_pause(
            due=case.sla_due_at, paused_from=case.sla_paused_at, resumed_at=now, calendar=calendar
        )
        case.promised_date = case.sla_due_at.astimezone(calendar.tzinfo).date()
        case.sla_paused_at = None
        if case.sla_breached_at and case.sla_due_at > now:
            case.sla_breached_at = None  # the clock stopped long enough: a new breach would be new
            fields.append("sla_breached_at")
        fields += ["sla_due_at", "promised_date", "sla_paused_at"]
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.SLA,
            actor=actor,
            created_at=now,
            message=_("Clock restarted; now due %(due)s")
            % {"due": f"{case.sla_due_at.astimezone(calendar.tzinfo):%d %B %Y %H:%M}"},
        )
    if status.state == StateCategory.PAUSED and old.state != StateCategory.PAUSED:
        case.sla_paused_at = now
        fields.append("sla_paused_at")
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.SLA,
            actor=actor,
            created_at=now,
            message=_("Clock paused"),
        )
    if status.state == StateCategory.RESOLVED:
        case.resolved_at = now
        fields.append("resolved_at")
    elif status.state == StateCategory.CLOSED:
        case.closed_at = now
        case.resolved_at = case.resolved_at or now
        fields += ["closed_at", "resolved_at"]
    elif old.state in (StateCategory.RESOLVED, StateCategory.CLOSED):
        case.resolved_at = case.closed_at = None
        fields += ["resolved_at", "closed_at"]
    case.status = status
    case.save(update_fields=sorted(set(fields)))
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.STATUS,
        actor=actor,
        is_public=status.public,
        created_at=now,
        message=public_message.strip()
        or _("Status changed from %(old)s to %(new)s") % {"old": old.name, "new": status.name},
        data={"from": old.code, "to": status.code},
    )
    if reason.strip():
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.STATUS,
            actor=actor,
            created_at=now,
            message=_("Reason for %(new)s: %(reason)s")
            % {"new": status.name, "reason": reason.strip()},
            data={"from": old.code, "to": status.code, "reason": True},
        )
    audit_record(
        actor=actor,
        action=AuditAction.CASE_STATUS_CHANGED,
        obj=case,
        changes={"status": (old.code, status.code)},
        now=now,
    )
    if status.state == StateCategory.RESOLVED:
        survey, _created = SatisfactionSurvey.objects.get_or_create(
            case=case, defaults={"token": get_random_string(40)}
        )
        case.survey = survey
        notify_residents(
            case=case,
            event=NotificationEvent.COMPLETION,
            occurrence=f"resolved:{now.isoformat()}",
            message=public_message.strip(),
            survey_token=survey.token,
        )
    elif public_message.strip() and status.public:
        notify_residents(
            case=case,
            event=NotificationEvent.PUBLIC_UPDATE,
            occurrence=f"status:{now.isoformat()}",
            message=public_message.strip(),
        )
    if case.promised_date != old_promise and status.state not in (
        StateCategory.RESOLVED,
        StateCategory.CLOSED,
    ):
        notify_residents(
            case=case, event=NotificationEvent.DELAY, occurrence=f"promise:{case.promised_date}"
        )
    return case


@transaction.atomic
def case_add_update(
    *,
    case: ServiceRequest,
    actor: User,
    message: str,
    public: bool,
    seen: datetime | None = None,
) -> CaseEvent:
    """A public update (the resident is told) or an internal note (staff only).

    The case's `updated_at` moves on, so an officer working from an older page is told.
    """
    case = case_lock(case=case, seen=seen, related=("category", "citizen"))
    if not message.strip():
        raise ValidationError({"message": [_("Enter the update")]})
    if len(message) > MAX_DESCRIPTION:
        raise ValidationError(
            {
                "message": [
                    _("The update must be %(n)s characters or fewer") % {"n": MAX_DESCRIPTION}
                ]
            }
        )
    event = CaseEvent.objects.create(
        case=case,
        actor=actor,
        is_public=public,
        message=message.strip(),
        kind=CaseEvent.Kind.PUBLIC_UPDATE if public else CaseEvent.Kind.INTERNAL_NOTE,
    )
    case.save(update_fields=["updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CASE_UPDATED,
        obj=case,
        data={"public": public, "event": event.pk},
    )
    if public:
        notify_residents(
            case=case,
            event=NotificationEvent.PUBLIC_UPDATE,
            occurrence=f"update:{event.pk}",
            message=event.message,
        )
    return event


def _reopen_status(case: ServiceRequest) -> CaseStatus:
    options = case.status.allowed_next.filter(state=StateCategory.OPEN).order_by("order")
    status = (
        options.first()
        or CaseStatus.objects.filter(state=StateCategory.OPEN).order_by("order").first()
    )
    if status is None:
        raise ValidationError({"status": [_("No open status to reopen the case into")]})
    return status


@transaction.atomic
def case_reopen(
    *,
    case: ServiceRequest,
    actor: User | None,
    reason: str,
    by_resident: bool,
    now: datetime | None = None,
    seen: datetime | None = None,
) -> ServiceRequest:
    """'Not fixed': the resident (within the window) or staff reopen a resolved or closed case."""
    now = now or timezone.now()
    case = case_lock(case=case, seen=seen, related=("status",))
    if case.status.state not in (StateCategory.RESOLVED, StateCategory.CLOSED):
        raise ValidationError({"status": [_("This request is still open")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Tell us what is still wrong")]})
    window = timedelta(days=settings.CRM_SITE.reopen_window_days)
    if by_resident and case.resolved_at and now - case.resolved_at > window:
        raise ValidationError(
            {
                "reason": [
                    _("This request was resolved more than %(n)s days ago: please report it again")
                    % {"n": window.days}
                ]
            }
        )
    target = _reopen_status(case)
    calendar = sla.site_calendar()
    case = case_transition(
        case=case,
        status=target,
        actor=actor,
        now=now,
        enforce_workflow=False,
        public_message=_("Reopened: %(reason)s") % {"reason": reason.strip()},
    )
    case.sla_due_at = sla.due_at(
        created=now, kind=case.category.sla_kind, value=case.category.sla_value, calendar=calendar
    )
    case.promised_date = case.sla_due_at.astimezone(calendar.tzinfo).date()
    case.sla_breached_at = None
    case.save(update_fields=["sla_due_at", "promised_date", "sla_breached_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CASE_REOPENED,
        obj=case,
        data={"by_resident": by_resident},
        now=now,
    )
    leaders = team_leaders(case)
    assignee = [case.assignee] if case.assignee else []
    notify_staff(
        case=case,
        event=NotificationEvent.ASSIGNED,
        occurrence=f"reopened:{now.isoformat()}",
        users=assignee or leaders,
    )
    return case


@transaction.atomic
def case_follow(
    *, case: ServiceRequest, contact: ContactDetails | None = None, user: User | None = None
) -> CaseFollower:
    """Someone chooses to get a case's updates ('Is it one of these? Follow it instead')."""
    if contact is None and user is None:
        raise ValidationError({"contact": [_("Enter your email address or phone number")]})
    if contact is not None:
        errors = validate_contact(contact)
        if contact.is_empty or not (contact.email or contact.phone):
            errors["contact"] = [_("Enter your email address or phone number")]
        if errors:
            raise ValidationError(errors)
        citizen = citizen_match_or_create(details=contact)
        follower, created = CaseFollower.objects.get_or_create(
            case=case, citizen=citizen, defaults={"reason": CaseFollower.Reason.FOLLOWED}
        )
    else:
        reason = (
            CaseFollower.Reason.COUNCILLOR
            if hasattr(user, "councillor")
            else CaseFollower.Reason.FOLLOWED
        )
        follower, created = CaseFollower.objects.get_or_create(
            case=case, user=user, defaults={"reason": reason}
        )
    if created:
        ServiceRequest.objects.filter(pk=case.pk).update(
            demand_count=F("demand_count") + (1 if contact else 0)
        )
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.INTERNAL_NOTE,
            message=_("Someone else reported this and now follows it")
            if contact
            else _("%(user)s follows this case") % {"user": user},
        )
    return follower
