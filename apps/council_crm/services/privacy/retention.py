"""Personal data: retention, anonymising closed cases once their category's period has passed."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from apps.council_crm.models import (
    AuditAction,
    AuditEvent,
    CaseFollower,
    Citizen,
    Consent,
    Interaction,
    OutboxMessage,
    ServiceRequest,
)
from apps.council_crm.personal_data import PERSONAL_DATA
from apps.council_crm.selectors.privacy import case_rows, citizen_has_data, retention_due
from apps.council_crm.services.audit import audit_record
from apps.council_crm.services.privacy.erasure import citizen_scrub
from apps.council_crm.services.privacy.scrub import SCRUB, ScrubRun, files_delete_on_commit

RETENTION_BATCH = 500


def _people_of(case: ServiceRequest) -> set[int]:
    """Citizens tied to a case: its reporter, followers, and whoever it messaged or noted."""
    ids = {case.citizen_id} if case.citizen_id else set()
    for model in (CaseFollower, Interaction, Consent, OutboxMessage):
        ids |= set(
            model._base_manager.filter(case=case, citizen__isnull=False).values_list(
                "citizen_id", flat=True
            )
        )
    return ids


@transaction.atomic
def case_retention_anonymise(*, case_id: int, now: datetime | None = None) -> AuditEvent | None:
    """Anonymise one closed case whose retention period has passed; None if it is not due.

    The case keeps its category, status, dates, division and a location rounded to about 100
    metres; its citizen link, free text, attachments, followers, contacts, case consents and
    messages go, in its history too. A citizen (reporter or follower) left with nothing
    linked to them is anonymised as well.
    """
    now = now or timezone.now()
    case = (
        retention_due(now=now)
        .select_for_update(of=("self",))
        .select_related("category")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        return None
    people = _people_of(case)
    s = ScrubRun(now=now, actor=None, retention=True)
    for h in PERSONAL_DATA:
        if h.case_links:
            n = SCRUB[h.model](case_rows(case_ids=[case.pk], of=h), s)
            if n:
                s.counts[h.model] += n
    files_delete_on_commit(s.files)
    assert case.closed_at is not None  # noqa: S101 - retention_due only finds closed cases
    tombstone = audit_record(
        actor=None,
        action=AuditAction.CASE_RETENTION_ANONYMISED,
        obj=case,
        data={
            "reference": case.reference,
            "category": case.category.code,
            "closed": timezone.localtime(case.closed_at).date().isoformat(),
            "retention_days": case.category.retention_days,
            "counts": dict(sorted(s.counts.items())),
        },
        now=now,
    )
    for citizen in Citizen.objects.select_for_update().filter(
        pk__in=people, anonymised_at__isnull=True
    ):
        if not citizen_has_data(citizen=citizen):
            citizen_scrub(
                citizen,
                actor=None,
                reason="Retention: nothing linked to this record any more",
                now=now,
                sweep=False,  # structure only: a full-text sweep per citizen is for erasure
            )
    return tombstone


def cases_retention_run(*, now: datetime | None = None) -> int:
    """Anonymise closed cases past their category's retention period, one transaction each.
    Returns how many; safe to run again at any time (a periodic job)."""
    now = now or timezone.now()
    ids = list(retention_due(now=now).values_list("pk", flat=True)[:RETENTION_BATCH])
    return sum(case_retention_anonymise(case_id=pk, now=now) is not None for pk in ids)
