"""Staff desk: the queues of cases to work."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.council_crm.permissions import AuthenticatedRequest, area_required, can_use_desk
from apps.council_crm.selectors.cases import case_list_for, web_reports_held_up


@area_required(can_use_desk)
@require_GET
def case_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    page = Paginator(case_list_for(user=user), 25).get_page(request.GET.get("page"))
    held_up = web_reports_held_up()
    return render(
        request, "council_crm/desk/case_list.html", {"page": page, "web_reports": held_up}
    )
