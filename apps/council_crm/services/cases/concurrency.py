"""Two officers on one case: a change made on a stale page is refused, never a silent overwrite.

Every desk form carries the case's `updated_at` as it was when the page was drawn (`seen`).
The service locks the row and compares: if someone changed the case since, it says who and
when instead of writing over their change.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.council_crm.models import CaseEvent, ServiceRequest


def seen_check(case: ServiceRequest, seen: datetime | None) -> None:
    """Raise a ValidationError on `seen` if `case` (locked by the caller) changed since."""
    if seen is None or case.updated_at == seen:
        return
    last = (
        CaseEvent.objects.filter(case=case, actor__isnull=False)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    who = _("Someone")
    if last is not None and last.actor is not None:
        who = last.actor.get_full_name() or last.actor.username
    when = timezone.localtime(case.updated_at)
    raise ValidationError(
        {
            "seen": [
                _(
                    "%(who)s changed this case at %(time)s while you had it open: "
                    "check the timeline and try again"
                )
                % {"who": who, "time": f"{when:%H:%M}"}
            ]
        }
    )


def case_lock(
    *, case: ServiceRequest, seen: datetime | None, related: tuple[str, ...] = ()
) -> ServiceRequest:
    """The case's row, locked for the caller's transaction, checked against `seen`."""
    locked = (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related(*related)
        .get(pk=case.pk)
    )
    seen_check(locked, seen)
    return locked
