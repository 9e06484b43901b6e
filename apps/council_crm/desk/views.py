"""Staff desk: case detail, notes, exports and the access log (issue 'who sees what')."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET, require_POST

from apps.council_crm.models import Role, User
from apps.council_crm.permissions import Action, can
from apps.council_crm.selectors.audit import access_log_search
from apps.council_crm.selectors.cases import (
    case_for,
    case_list_for,
    timeline_for,
    web_reports_held_up,
)
from apps.council_crm.services.audit import access_log_record
from apps.council_crm.services.cases import case_add_update

DESK_ROLES = {
    Role.CASE_OFFICER,
    Role.TEAM_LEADER,
    Role.DEPARTMENT_MANAGER,
    Role.SERVICE_ADMIN,
    Role.DPO,
}


def _desk_user(request: HttpRequest) -> User:
    user = request.user
    if not (user.is_superuser or user.role in DESK_ROLES):  # type: ignore[union-attr]
        raise Http404
    return user  # type: ignore[return-value]


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    user = _desk_user(request)
    page = Paginator(case_list_for(user=user), 25).get_page(request.GET.get("page"))
    held_up = web_reports_held_up()
    return render(
        request, "council_crm/desk/case_list.html", {"page": page, "web_reports": held_up}
    )


@login_required
@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    user = _desk_user(request)
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


@login_required
@require_POST
def case_note(request: HttpRequest, reference: str) -> HttpResponse:
    user = _desk_user(request)
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


@login_required
@require_GET
def case_export(request: HttpRequest, reference: str) -> HttpResponse:
    user = _desk_user(request)
    case = case_for(user=user, reference=reference)
    if not can(user, Action.EXPORT, case):
        raise Http404
    access_log_record(user=user, obj=case, via=request.path, action="export")
    return case_csv(case, user)


def case_csv(case, user) -> HttpResponse:  # type: ignore[no-untyped-def]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{case.reference}.csv"'
    writer = csv.writer(response)
    writer.writerow(["reference", "category", "status", "created", "division", "description"])
    writer.writerow(
        [
            case.reference,
            case.category.name,
            case.status.name,
            case.created_at.isoformat(),
            case.division.name if case.division else "",
            case.description,
        ]
    )
    writer.writerow([])
    writer.writerow(["when", "kind", "public", "message"])
    for event in timeline_for(user=user, case=case):
        writer.writerow([event.created_at.isoformat(), event.kind, event.is_public, event.message])
    return response


@login_required
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    user = _desk_user(request)
    citizen = request.GET.get("citizen", "")
    rows = access_log_search(
        user=user,
        who=request.GET.get("who", "").strip(),
        record=request.GET.get("record", "").strip(),
        citizen_id=int(citizen) if citizen.isdigit() else None,
        date_from=parse_date(request.GET.get("from", "") or ""),
        date_to=parse_date(request.GET.get("to", "") or ""),
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "council_crm/desk/access_log.html", {"page": page, "query": request.GET})
