"""The data protection officer's desk: a citizen's subject access export and erasure.

The citizen's page itself is desk/citizens.py, open to staff (ADR 0017).
"""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.council_crm.models import Citizen
from apps.council_crm.permissions import (
    AuthenticatedRequest,
    area_required,
    can_handle_subject_access,
)
from apps.council_crm.services.audit import access_log_record
from apps.council_crm.services.privacy import citizen_anonymise, citizen_export

from .citizens import citizen_page


# Both ask for the password again (a second factor counts too) unless it was given in the last
# five minutes (ACCOUNT_REAUTHENTICATION_TIMEOUT); allauth then replays the POST.
@area_required(can_handle_subject_access)
@require_http_methods(["POST"])
@reauthentication_required
def citizen_export_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    citizen = get_object_or_404(Citizen, pk=pk)
    access_log_record(user=user, obj=citizen, via=request.path, action="export")
    response = HttpResponse(
        citizen_export(citizen=citizen, actor=user), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="subject-access-{citizen.pk}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


@area_required(can_handle_subject_access)
@require_http_methods(["POST"])
@reauthentication_required
def citizen_erase(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    citizen = get_object_or_404(Citizen, pk=pk)
    reason = request.POST.get("reason", "").strip()
    errors: dict[str, list[str]] = {}
    if request.POST.get("confirm") != "yes":
        errors["confirm"] = [_("Confirm that this person's data should be erased")]
    if not reason:
        errors["reason"] = [_("Enter the reason for erasure, for example the request's reference")]
    if not errors:
        try:
            citizen_anonymise(citizen=citizen, actor=user, reason=reason)
        except ValidationError as exc:
            errors = exc.message_dict
    if errors:
        return citizen_page(request, citizen, status=400, errors=errors, reason=reason)
    return redirect("desk:citizen", pk=citizen.pk)
