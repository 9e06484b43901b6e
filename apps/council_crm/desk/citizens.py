"""Staff desk: a citizen's page (contact details, consents, every case and contact).

Who may open it is `permissions.can_see_citizens` (ADR 0017); each opening writes an access-log
row. The data protection officer's export and erasure are on the same page (desk/privacy.py).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.council_crm.models import Citizen
from apps.council_crm.permissions import (
    AuthenticatedRequest,
    area_required,
    can_handle_subject_access,
    can_see_citizens,
)
from apps.council_crm.selectors.citizens import citizen_for_staff, citizen_record
from apps.council_crm.services.audit import access_log_record


def citizen_page(
    request: AuthenticatedRequest, citizen: Citizen, *, status: int = 200, **extra: Any
) -> HttpResponse:
    """The page, its access-log row written (also for the DPO's erasure form shown again)."""
    user = request.user
    access_log_record(user=user, obj=citizen, via=request.path)
    return render(
        request,
        "council_crm/desk/citizen.html",
        {
            "citizen": citizen,
            "record": citizen_record(user=user, citizen=citizen),
            "subject_access": can_handle_subject_access(user),
            **extra,
        },
        status=status,
    )


@area_required(can_see_citizens)
@require_GET
def citizen_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return citizen_page(request, citizen_for_staff(user=request.user, pk=pk))
