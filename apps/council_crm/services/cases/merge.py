"""Merging a duplicate report into the case it repeats."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.council_crm.models import (
    OPEN_STATES,
    AuditAction,
    CaseEvent,
    CaseFollower,
    CaseStatus,
    NotificationEvent,
    ServiceRequest,
    StateCategory,
    User,
)
from apps.council_crm.services.audit import audit_record
from apps.council_crm.services.notify import notify_residents

from .concurrency import seen_check


@transaction.atomic
def case_merge(
    *,
    duplicate: ServiceRequest,
    master: ServiceRequest,
    actor: User,
    seen: datetime | None = None,
) -> ServiceRequest:
    """The duplicate closes into the master; its reporter follows the master and is told.

    `seen` is the duplicate's `updated_at` on the officer's page (see `concurrency`)."""
    if duplicate.pk == master.pk:
        raise ValidationError({"master": [_("A case cannot be merged into itself")]})
    locked = {
        c.pk: c
        for c in ServiceRequest.objects.select_for_update(of=("self",))
        .filter(pk__in=[duplicate.pk, master.pk])
        .select_related("status")
    }
    duplicate, master = locked[duplicate.pk], locked[master.pk]
    seen_check(duplicate, seen)
    if duplicate.duplicate_of_id:
        raise ValidationError(
            {"duplicate": [_("%(ref)s is already merged") % {"ref": duplicate.reference}]}
        )
    if master.duplicate_of is not None:
        raise ValidationError(
            {
                "master": [
                    _("%(ref)s was itself merged; merge into %(other)s")
                    % {"ref": master.reference, "other": master.duplicate_of.reference}
                ]
            }
        )
    if duplicate.category_id != master.category_id:
        raise ValidationError(
            {"master": [_("Only reports of the same kind of problem can be merged")]}
        )
    duplicate.duplicate_of = master
    duplicate.save(update_fields=["duplicate_of", "updated_at"])
    master.demand_count += duplicate.demand_count  # both rows are locked above
    master.save(update_fields=["demand_count", "updated_at"])
    if duplicate.citizen_id and duplicate.citizen_id != master.citizen_id:
        CaseFollower.objects.get_or_create(
            case=master,
            citizen_id=duplicate.citizen_id,
            defaults={"reason": CaseFollower.Reason.MERGED},
        )
    for follower in duplicate.followers.all():
        CaseFollower.objects.get_or_create(
            case=master,
            citizen_id=follower.citizen_id,
            user_id=follower.user_id,
            defaults={"reason": CaseFollower.Reason.MERGED},
        )
    CaseEvent.objects.create(
        case=master,
        kind=CaseEvent.Kind.MERGED,
        actor=actor,
        message=_("%(dup)s merged into this case (now reported %(n)s times)")
        % {"dup": duplicate.reference, "n": master.demand_count},
    )
    told = _("This is the same problem as %(ref)s; you will get its updates") % {
        "ref": master.reference
    }
    merged_event = CaseEvent.objects.create(
        case=duplicate, kind=CaseEvent.Kind.MERGED, actor=actor, is_public=True, message=told
    )
    # The resident of the merged report hears it once, on the report they know the reference of;
    # from now on the master's updates reach them as a follower.
    notify_residents(
        case=duplicate,
        event=NotificationEvent.PUBLIC_UPDATE,
        occurrence=f"merged:{merged_event.pk}",
        message=told,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CASE_MERGED,
        obj=duplicate,
        changes={"duplicate_of": (None, master.pk)},
        data={"master": master.reference, "duplicate": duplicate.reference},
    )
    closed = CaseStatus.objects.filter(state=StateCategory.CLOSED).order_by("order").first()
    if closed and duplicate.status.state in OPEN_STATES:
        duplicate.status = closed
        duplicate.closed_at = timezone.now()
        duplicate.save(update_fields=["status", "closed_at", "updated_at"])
    return master
