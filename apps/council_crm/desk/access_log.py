"""Staff desk: the access log (issue 'who sees what')."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET

from apps.council_crm.params import id_param
from apps.council_crm.permissions import AuthenticatedRequest, area_required, can_read_access_log
from apps.council_crm.selectors.audit import access_log_search


@area_required(can_read_access_log)
@require_GET
def access_log(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    citizen = request.GET.get("citizen", "")
    rows = access_log_search(
        user=user,
        who=request.GET.get("who", "").strip(),
        record=request.GET.get("record", "").strip(),
        citizen_id=id_param(citizen),
        date_from=parse_date(request.GET.get("from", "") or ""),
        date_to=parse_date(request.GET.get("to", "") or ""),
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "council_crm/desk/access_log.html", {"page": page, "query": request.GET})
