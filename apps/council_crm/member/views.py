"""Member area (/member/): a councillor's cases, divisions and notices of motion.

Case pages follow the desk's pattern: every read through selectors/cases.py and the one policy
in permissions.py; a case the member may not see is a 404, as if it did not exist.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from apps.council_crm.desk.views import case_csv
from apps.council_crm.models import Division, Role, User
from apps.council_crm.permissions import Action, can, member_divisions
from apps.council_crm.selectors.cases import (
    anonymised_summaries,
    case_for,
    case_list_for,
    division_summary,
    timeline_for,
)
from apps.council_crm.selectors.motions import councillor_motions
from apps.council_crm.services.audit import access_log_record

MEMBER_ROLES = {Role.COUNCILLOR, Role.SUPPORT_OFFICER}


def _member(request: HttpRequest) -> User:
    user = request.user
    if user.role not in MEMBER_ROLES:  # type: ignore[union-attr]
        raise Http404
    return user  # type: ignore[return-value]


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = _member(request)
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


@login_required
@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    user = _member(request)
    case = case_for(user=user, reference=reference)
    access_log_record(user=user, obj=case, via=request.path)
    return render(
        request,
        "council_crm/member/case_detail.html",
        {"case": case, "timeline": timeline_for(user=user, case=case)},
    )


@login_required
@require_GET
def case_export(request: HttpRequest, reference: str) -> HttpResponse:
    user = _member(request)
    case = case_for(user=user, reference=reference)
    if not can(user, Action.EXPORT, case):
        raise Http404
    access_log_record(user=user, obj=case, via=request.path, action="export")
    return case_csv(case, user)


@login_required
@require_GET
def division(request: HttpRequest, code: str) -> HttpResponse:
    user = _member(request)
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


@login_required
@require_GET
def motions(request: HttpRequest) -> HttpResponse:
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
