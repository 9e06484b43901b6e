"""Member area (/member/): a councillor's cases, divisions and notices of motion.

Case pages follow the desk's pattern: every read through selectors/cases.py and the one policy
in permissions.py; a case the member may not see is a 404, as if it did not exist.
"""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from apps.council_crm.models import Division, ServiceRequest
from apps.council_crm.permissions import (
    Action,
    AuthenticatedRequest,
    area_required,
    can,
    can_use_member_area,
    member_divisions,
)
from apps.council_crm.selectors.cases import (
    anonymised_summaries,
    case_for,
    case_list_for,
    division_summary,
    timeline_for,
)
from apps.council_crm.selectors.exports import case_csv_for
from apps.council_crm.selectors.motions import councillor_motions
from apps.council_crm.services.audit import access_log_record


@area_required(can_use_member_area)
@require_GET
def home(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    page = Paginator(case_list_for(user=user), 25).get_page(request.GET.get("page"))
    divisions = Division.objects.filter(pk__in=member_divisions(user)).order_by("name")
    return render(
        request,
        "council_crm/member/home.html",
        {
            "page": page,
            "divisions": divisions,
            "is_councillor": getattr(user, "councillor", None) is not None,
        },
    )


@area_required(can_use_member_area)
@require_GET
def case_detail(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    user = request.user
    case = case_for(user=user, reference=reference)
    access_log_record(user=user, obj=case, via=request.path)
    return render(
        request,
        "council_crm/member/case_detail.html",
        {"case": case, "timeline": timeline_for(user=user, case=case)},
    )


@area_required(can_use_member_area)
@require_GET
def case_export(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    user = request.user
    case = case_for(user=user, reference=reference)
    if not can(user, Action.EXPORT, case):
        raise Http404
    return _case_csv(request, case)


@reauthentication_required  # asked once the case is known to be theirs to export
def _case_csv(request: AuthenticatedRequest, case: ServiceRequest) -> HttpResponse:
    user = request.user
    access_log_record(user=user, obj=case, via=request.path, action="export")
    response = HttpResponse(
        case_csv_for(user=user, case=case), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{case.reference}.csv"'
    return response


@area_required(can_use_member_area)
@require_GET
def division(request: AuthenticatedRequest, code: str) -> HttpResponse:
    user = request.user
    found = get_object_or_404(Division, code=code)
    return render(
        request,
        "council_crm/member/division.html",
        {
            "division": found,
            "table": division_summary(user=user, division=found),
            "summaries": anonymised_summaries(user=user, division=found),
        },
    )


@area_required(can_use_member_area)
@require_GET
def motions(request: AuthenticatedRequest) -> HttpResponse:
    """The councillor's own notices of motion and where their follow-up actions stand."""
    councillor = getattr(request.user, "councillor", None)
    if councillor is None:
        raise Http404  # councillors only
    own = list(councillor_motions(councillor=councillor))
    today = timezone.localdate()
    open_actions = [a for m in own for a in m.actions.all() if a.is_open]
    return render(
        request,
        "council_crm/member/motions.html",
        {
            "councillor": councillor,
            "motions": own,
            "open_count": len(open_actions),
            "overdue_count": sum(1 for a in open_actions if a.due_date < today),
        },
    )
