"""Scheduled case work (the periodic run, tasks.py): escalate breaches, close resolved cases."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.council_crm import sla
from apps.council_crm.models import (
    CaseEvent,
    CaseStatus,
    NotificationEvent,
    ServiceRequest,
    StateCategory,
)
from apps.council_crm.services.notify import notify_residents, notify_staff, team_leaders

from .workflow import case_transition


def _when(instant: datetime) -> str:
    return f"{instant.astimezone(sla.site_calendar().tzinfo):%d %B %Y %H:%M}"


def cases_escalate(*, now: datetime | None = None) -> int:
    """Mark newly breached cases and tell their team leaders and residents, once per breach."""
    now = now or timezone.now()
    ids = list(
        ServiceRequest.objects.filter(
            status__state__in=(StateCategory.NEW, StateCategory.OPEN),
            sla_paused_at__isnull=True,
            sla_breached_at__isnull=True,
            sla_due_at__lte=now,
        ).values_list("pk", flat=True)[:1000]
    )
    done = 0
    for pk in ids:
        with transaction.atomic():
            case = (
                ServiceRequest.objects.select_for_update(of=("self",))
                .filter(pk=pk, sla_breached_at__isnull=True)
                .first()
            )
            if (
                case is None
                or case.sla_due_at is None
                or case.sla_due_at > now
                or case.sla_paused_at
            ):
                continue
            case.sla_breached_at = now
            case.save(update_fields=["sla_breached_at", "updated_at"])
            due = case.sla_due_at.isoformat()
            CaseEvent.objects.create(
                case=case,
                kind=CaseEvent.Kind.SLA,
                created_at=now,
                message=_("Service standard breached: it was due %(due)s")
                % {"due": _when(case.sla_due_at)},
            )
            notify_staff(
                case=case, event=NotificationEvent.BREACH, occurrence=due, users=team_leaders(case)
            )
            notify_residents(case=case, event=NotificationEvent.DELAY, occurrence=f"breach:{due}")
            done += 1
    return done


def cases_autoclose(*, now: datetime | None = None) -> int:
    """Close resolved cases the resident has not reopened within the site's auto-close period."""
    now = now or timezone.now()
    closed = CaseStatus.objects.filter(state=StateCategory.CLOSED).order_by("order").first()
    if closed is None:
        return 0
    cutoff = now - timedelta(days=settings.CRM_SITE.auto_close_days)
    ids = list(
        ServiceRequest.objects.filter(
            status__state=StateCategory.RESOLVED, resolved_at__lte=cutoff
        ).values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        case_transition(
            case=ServiceRequest(pk=pk),
            status=closed,
            actor=None,
            now=now,
            enforce_workflow=False,
            public_message="",
        )
    return len(ids)
