"""Staff desk: one case, what staff see of it and do to it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from apps.council_crm.permissions import (
    Action,
    AuthenticatedRequest,
    area_required,
    can,
    can_use_desk,
)
from apps.council_crm.selectors.cases import case_for, timeline_for
from apps.council_crm.selectors.exports import case_csv_for
from apps.council_crm.services.audit import access_log_record
from apps.council_crm.services.cases import case_add_update


@area_required(can_use_desk)
@require_GET
def case_detail(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    user = request.user
    case = case_for(user=user, reference=reference)
    access_log_record(user=user, obj=case, via=request.path)
    return render(
        request,
        "council_crm/desk/case_detail.html",
        {
            "case": case,
            "timeline": timeline_for(user=user, case=case),
            "attachments": case.attachments.all(),
            "can_note": can(user, Action.ADD_NOTE, case),
            "can_export": can(user, Action.EXPORT, case),
        },
    )


@area_required(can_use_desk)
@require_POST
def case_note(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    user = request.user
    case = case_for(user=user, reference=reference)
    if not can(user, Action.ADD_NOTE, case):
        raise Http404
    public = request.POST.get("visibility") == "public"
    try:
        case_add_update(
            case=case, actor=user, message=request.POST.get("message", ""), public=public
        )
    except ValidationError as exc:
        access_log_record(user=user, obj=case, via=request.path)
        return render(
            request,
            "council_crm/desk/case_detail.html",
            {
                "case": case,
                "timeline": timeline_for(user=user, case=case),
                "attachments": case.attachments.all(),
                "can_note": True,
                "can_export": can(user, Action.EXPORT, case),
                "errors": exc.message_dict,
                "message": request.POST.get("message", ""),
            },
            status=400,
        )
    return redirect("desk:case", reference=case.reference)


@area_required(can_use_desk)
@require_GET
def case_export(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    user = request.user
    case = case_for(user=user, reference=reference)
    if not can(user, Action.EXPORT, case):
        raise Http404
    access_log_record(user=user, obj=case, via=request.path, action="export")
    response = HttpResponse(
        case_csv_for(user=user, case=case), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{case.reference}.csv"'
    return response
