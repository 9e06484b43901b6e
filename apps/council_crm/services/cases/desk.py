"""Desk writes that had no service before: change priority, link and unlink related cases,
pause and resume the clock with a reason."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.council_crm.models import (
    OPEN_STATES,
    AuditAction,
    CaseEvent,
    CaseStatus,
    Priority,
    ServiceRequest,
    StateCategory,
    User,
)
from apps.council_crm.services.audit import audit_record

from .concurrency import case_lock, seen_check
from .workflow import case_transition


@transaction.atomic
def case_change_priority(
    *,
    case: ServiceRequest,
    priority: str,
    actor: User,
    reason: str = "",
    seen: datetime | None = None,
) -> ServiceRequest:
    """Raise or lower a case's priority; the service standard (its due date) is unchanged."""
    if priority not in Priority.values:
        raise ValidationError({"priority": [_("Choose a priority")]})
    case = case_lock(case=case, seen=seen)
    old = case.priority
    if priority == old:
        raise ValidationError(
            {"priority": [_("The priority is already %(p)s") % {"p": Priority(old).label}]}
        )
    case.priority = priority
    case.save(update_fields=["priority", "updated_at"])
    message = _("Priority changed from %(old)s to %(new)s") % {
        "old": Priority(old).label,
        "new": Priority(priority).label,
    }
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.PRIORITY,
        actor=actor,
        message=message + (f": {reason.strip()}" if reason.strip() else ""),
        data={"from": old, "to": priority},
    )
    audit_record(
        actor=actor,
        action=AuditAction.CASE_PRIORITY_CHANGED,
        obj=case,
        changes={"priority": (old, priority)},
    )
    return case


def _lock_pair(
    case: ServiceRequest, other: ServiceRequest, seen: datetime | None
) -> tuple[ServiceRequest, ServiceRequest]:
    if case.pk == other.pk:
        raise ValidationError({"reference": [_("A case cannot be linked to itself")]})
    locked = {
        c.pk: c
        for c in ServiceRequest.objects.select_for_update(of=("self",)).filter(
            pk__in=[case.pk, other.pk]
        )
    }
    case, other = locked[case.pk], locked[other.pk]
    seen_check(case, seen)
    return case, other


@transaction.atomic
def case_link(
    *,
    case: ServiceRequest,
    other: ServiceRequest,
    actor: User,
    seen: datetime | None = None,
) -> ServiceRequest:
    """Link two related cases (both stay open on their own); on both timelines."""
    case, other = _lock_pair(case, other, seen)
    if case.linked_cases.filter(pk=other.pk).exists():
        raise ValidationError(
            {"reference": [_("%(ref)s is already linked") % {"ref": other.reference}]}
        )
    case.linked_cases.add(other)
    _link_recorded(case, other, actor=actor, added=True)
    return case


def _link_recorded(
    case: ServiceRequest, other: ServiceRequest, *, actor: User, added: bool
) -> None:
    """A link made or undone: both cases' timelines move on, and one audit row."""
    for one, two in ((case, other), (other, case)):
        one.save(update_fields=["updated_at"])
        CaseEvent.objects.create(
            case=one,
            kind=CaseEvent.Kind.LINKED,
            actor=actor,
            message=(_("Linked to %(ref)s") if added else _("No longer linked to %(ref)s"))
            % {"ref": two.reference},
            data={"linked": two.reference, "added": added},
        )
    audit_record(
        actor=actor,
        action=AuditAction.CASE_LINKED,
        obj=case,
        data={"linked": other.pk, "added": added},
    )


@transaction.atomic
def case_unlink(
    *,
    case: ServiceRequest,
    other: ServiceRequest,
    actor: User,
    seen: datetime | None = None,
) -> ServiceRequest:
    """Undo a link between two cases; on both timelines."""
    case, other = _lock_pair(case, other, seen)
    if not case.linked_cases.filter(pk=other.pk).exists():
        raise ValidationError(
            {"reference": [_("%(ref)s is not linked to this case") % {"ref": other.reference}]}
        )
    case.linked_cases.remove(other)
    _link_recorded(case, other, actor=actor, added=False)
    return case


@transaction.atomic
def case_clock(
    *,
    case: ServiceRequest,
    status: CaseStatus | None,
    pause: bool,
    actor: User,
    reason: str,
    seen: datetime | None = None,
) -> ServiceRequest:
    """Pause the service-standard clock (a paused status) or resume it (an open one), with a
    reason on the timeline. The workflow decides which statuses the case may move to."""
    errors: dict[str, list[str]] = {}
    wanted = StateCategory.PAUSED if pause else StateCategory.OPEN
    if status is None or status.state != wanted:
        errors["status"] = [
            _("Choose what the case is waiting for")
            if pause
            else _("Choose the status the case goes back to")
        ]
    if not reason.strip():
        errors["reason"] = [
            _("Say why the clock is paused") if pause else _("Say why the clock restarts")
        ]
    if errors:
        raise ValidationError(errors)
    assert status is not None  # noqa: S101 - checked above
    locked = case_lock(case=case, seen=seen, related=("status",))
    now_paused = locked.status.state == StateCategory.PAUSED
    if pause and locked.status.state not in OPEN_STATES:
        raise ValidationError({"status": [_("A closed case has no clock to pause")]})
    if pause == now_paused:
        raise ValidationError(
            {
                "status": [
                    _("The clock is already paused") if pause else _("The clock is not paused")
                ]
            }
        )
    return case_transition(case=locked, status=status, actor=actor, reason=reason)
