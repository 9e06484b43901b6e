"""Staff desk search: citizens by name, email, phone or postcode, and a case by its reference.

Any other words search the case queue (`/desk/?q=...&view=teams`), which has the filters.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from apps.council_crm.permissions import AuthenticatedRequest, area_required, can_see_citizens
from apps.council_crm.selectors.citizens import case_by_reference_for, citizens_matching

from .contact import log_shown


@area_required(can_see_citizens)
@require_GET
def search(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    q = request.GET.get("q", "").strip()
    case = case_by_reference_for(user=user, text=q) if q else None
    if case is not None and request.GET.get("go") != "0":
        return redirect("desk:case", reference=case.reference)
    too_short = "q" in request.GET and len(q) < 2
    matches = [] if too_short else citizens_matching(user=user, text=q)
    log_shown(request, matches)
    return render(
        request,
        "council_crm/desk/search.html",
        {
            "q": q,
            "searched": bool(q) and not too_short,
            "matches": matches,
            "queue_url": f"{reverse('desk:cases')}?{urlencode({'q': q, 'view': 'teams'})}",
            "errors": {"q": [_("Enter at least 2 characters to search")]} if too_short else {},
        },
        status=400 if too_short else 200,
    )
