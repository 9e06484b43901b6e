"""Signing in, a resident's own requests, and permission-checked attachments."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.council_crm.models import Role
from apps.council_crm.permissions import Action, can
from apps.council_crm.selectors.cases import case_for, case_list_for, timeline_for
from apps.council_crm.services.audit import access_log_record


@login_required
@require_GET
def my_requests(request: HttpRequest) -> HttpResponse:
    if request.user.role != Role.RESIDENT:  # type: ignore[union-attr]
        raise Http404
    return render(
        request,
        "council_crm/account/requests.html",
        {"cases": case_list_for(user=request.user)[:100]},  # type: ignore[arg-type]
    )


@login_required
@require_GET
def my_request(request: HttpRequest, reference: str) -> HttpResponse:
    if request.user.role != Role.RESIDENT:  # type: ignore[union-attr]
        raise Http404
    case = case_for(user=request.user, reference=reference)  # type: ignore[arg-type]
    return render(
        request,
        "council_crm/account/request_detail.html",
        {"case": case, "timeline": timeline_for(user=request.user, case=case)},  # type: ignore[arg-type]
    )


@login_required
@require_GET
def attachment(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    """Photos are never served from a public URL: only to someone who may see the case."""
    case = case_for(user=request.user, reference=reference)  # type: ignore[arg-type]
    if not can(request.user, Action.VIEW, case):  # type: ignore[arg-type]
        raise Http404
    item = case.attachments.filter(pk=pk).first()
    if item is None:
        raise Http404
    access_log_record(user=request.user, obj=case, via=request.path)  # type: ignore[arg-type]
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Content-Disposition"] = f'inline; filename="{item.file.name.rsplit("/", 1)[-1]}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
