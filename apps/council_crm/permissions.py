"""The one visibility policy. (Issue 'who sees what' grows this into can() and the SQL filters.)"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from apps.council_crm.models import Consent, Councillor, ServiceRequest


def consent_covers(*, case: ServiceRequest, councillor: Councillor) -> bool:
    """An active 'share with my councillor' consent covers this case and this councillor."""
    if case.citizen_id is None:
        return False
    now = timezone.now()
    in_division = (
        case.division_id is not None and councillor.divisions.filter(pk=case.division_id).exists()
    )
    who = Q(councillor=councillor)
    if in_division:
        who |= Q(councillor__isnull=True)
    return (
        Consent.objects.active()
        .filter(
            who,
            Q(scope=Consent.Scope.ALL_CASES) | Q(scope=Consent.Scope.CASE, case=case),
            citizen_id=case.citizen_id,
            purpose=Consent.Purpose.SHARE_WITH_COUNCILLOR,
            granted_at__lte=now,
        )
        .exists()
    )
