"""Member area (/member/): a councillor's casework, divisions, emails and notices of motion.

Councillors, and the support officers acting for them: a support officer picks the councillor
they act for (kept in the session, checked against the delegations in force on every request;
"Acting for Cllr X" is on every page). Case pages follow the desk's pattern: every read through
selectors and the one policy in permissions.py; a case the member may not see is a 404.
"""

from __future__ import annotations

from typing import Any

from allauth.account.decorators import reauthentication_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.council_crm.models import Councillor, Division, Role, ServiceRequest
from apps.council_crm.models.member import PREFERENCE_FIELDS, MemberPreferences
from apps.council_crm.permissions import (
    Action,
    AuthenticatedRequest,
    area_required,
    can,
    can_use_member_area,
)
from apps.council_crm.selectors.cases import case_for
from apps.council_crm.selectors.desk_queues import sla_state, status_states
from apps.council_crm.selectors.exports import case_csv_for
from apps.council_crm.selectors.member import (
    ACTING_SESSION_KEY,
    SLA_CHOICES,
    STATE_OPTIONS,
    acting_councillor,
    casework_page,
    category_options,
    councillors_supported,
    division_listing,
    division_query_parse,
    is_following,
    member_division,
    member_timeline,
)
from apps.council_crm.selectors.motions import councillor_motions
from apps.council_crm.services.audit import access_log_record
from apps.council_crm.services.member import (
    member_case_add_information,
    member_case_follow,
    member_preferences_update,
)


def acting(request: AuthenticatedRequest) -> Councillor | None:
    """The councillor this request acts for (a delegation in force today), or None."""
    return acting_councillor(user=request.user, chosen=request.session.get(ACTING_SESSION_KEY))


def acting_or_404(request: AuthenticatedRequest) -> Councillor:
    councillor = acting(request)
    if councillor is None:
        raise Http404("Not acting for a councillor")
    return councillor


def mi_url() -> str:
    """The management information pages, where this build has them."""
    try:
        return reverse("member:mi")
    except NoReverseMatch:
        return ""


def page(
    request: AuthenticatedRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render a member page with who it acts for (the header's 'Acting for' and switcher)."""
    supported = councillors_supported(user=request.user)
    return render(
        request,
        template,
        {
            "member_banner": can_use_member_area(request.user),
            "acting": acting(request),
            "supported": supported,
            "is_support_officer": request.user.role == Role.SUPPORT_OFFICER,
            "mi_url": mi_url(),
            **context,
        },
        status=status,
    )


@area_required(can_use_member_area)
@require_GET
def home(request: AuthenticatedRequest) -> HttpResponse:
    """My casework: the cases raised for the councillor and those they follow."""
    councillor = acting(request)
    if councillor is None:
        return page(request, "council_crm/member/home.html", {"paged": None, "rows": []})
    paged, rows = casework_page(
        user=request.user, councillor=councillor, page=request.GET.get("page")
    )
    return page(
        request,
        "council_crm/member/home.html",
        {
            "paged": paged,
            "rows": rows,
            "divisions": councillor.divisions.order_by("name"),
            "is_councillor": request.user.role == Role.COUNCILLOR,
        },
    )


@area_required(can_use_member_area)
@require_POST
def switch(request: AuthenticatedRequest) -> HttpResponse:
    """A support officer chooses whom they act for; only a councillor they support today."""
    chosen = request.POST.get("councillor", "")
    councillor = acting_councillor(user=request.user, chosen=chosen)
    if councillor is None or str(councillor.pk) != chosen.strip():
        raise Http404("Not a councillor you support")
    request.session[ACTING_SESSION_KEY] = councillor.pk
    return redirect("member:home")


def _case_context(request: AuthenticatedRequest, case: Any) -> dict[str, Any]:
    councillor = acting(request)
    user = request.user
    return {
        "case": case,
        "timeline": member_timeline(user=user, case=case),
        "following": is_following(councillor=councillor, case=case) if councillor else False,
        "may_add": councillor is not None
        and case.on_behalf_of_id == councillor.pk
        and can(user, Action.ADD_NOTE, case),
        "sla": sla_state(case, statuses=status_states(), now=timezone.now()),
        "raised_for_us": councillor is not None and case.on_behalf_of_id == councillor.pk,
        "logged": request.GET.get("logged") == "1",
        "errors": {},
        "information": "",
    }


@area_required(can_use_member_area)
@require_GET
def case_detail(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    user = request.user
    case = case_for(user=user, reference=reference)
    access_log_record(user=user, obj=case, via=request.path)
    return page(request, "council_crm/member/case_detail.html", _case_context(request, case))


@area_required(can_use_member_area)
@require_POST
def case_follow(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    case = case_for(user=request.user, reference=reference)
    councillor = acting_or_404(request)
    follow = request.POST.get("follow") == "1"
    try:
        member_case_follow(case=case, councillor=councillor, actor=request.user, follow=follow)
    except ValidationError as exc:  # the councillor acted for may not see it themselves
        raise Http404("No such case") from exc
    return redirect("member:case", case.reference)


@area_required(can_use_member_area)
@require_http_methods(["POST"])
def case_add_information(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    user = request.user
    case = case_for(user=user, reference=reference)
    councillor = acting_or_404(request)
    text = request.POST.get("information", "")
    try:
        member_case_add_information(case=case, councillor=councillor, actor=user, message=text)
    except ValidationError as exc:
        context = _case_context(request, case)
        context["errors"] = {
            "information": [m for ms in exc.message_dict.values() for m in ms],
        }
        context["information"] = text
        return page(request, "council_crm/member/case_detail.html", context, status=400)
    return redirect(reverse("member:case", args=[case.reference]) + "#timeline")


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
def divisions(request: AuthenticatedRequest) -> HttpResponse:
    """The divisions of the councillor acted for (straight to it when there is one)."""
    councillor = acting_or_404(request)
    found = list(councillor.divisions.order_by("name"))
    if len(found) == 1:
        return redirect("member:division", found[0].code)
    return page(request, "council_crm/member/divisions.html", {"divisions": found})


@area_required(can_use_member_area)
@require_GET
def division(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """Every case in the division: in full where the member may see it, else in outline."""
    user = request.user
    found: Division = member_division(user=user, code=code)
    query = division_query_parse(data=request.GET)
    listing = division_listing(user=user, division=found, query=query, page=request.GET.get("page"))
    return page(
        request,
        "council_crm/member/division.html",
        {
            "division": found,
            "listing": listing,
            "table": listing.table,
            "query": query,
            "errors": query.errors,
            "page_query": query.as_query(),
            "categories": category_options(),
            "states": STATE_OPTIONS,
            "slas": SLA_CHOICES,
        },
        status=400 if query.errors else 200,
    )


@area_required(can_use_member_area)
@require_http_methods(["GET", "POST"])
def preferences(request: AuthenticatedRequest) -> HttpResponse:
    """Which emails the councillor acted for gets about their casework, and the digest."""
    councillor = acting_or_404(request)
    target = councillor.user
    if request.method == "POST":
        choices = {f: request.POST.get(f) == "1" for f in PREFERENCE_FIELDS}
        member_preferences_update(user=target, actor=request.user, choices=choices)
        return redirect(reverse("member:preferences") + "?saved=1")
    prefs = MemberPreferences.objects.filter(user=target).first() or MemberPreferences()
    fields = [
        (f, getattr(MemberPreferences._meta.get_field(f), "verbose_name", f), getattr(prefs, f))
        for f in PREFERENCE_FIELDS
    ]
    return page(
        request,
        "council_crm/member/preferences.html",
        {
            "case_fields": fields[:-1],
            "digest": fields[-1],
            "saved": request.GET.get("saved") == "1",
            "email": target.email,
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
    return page(
        request,
        "council_crm/member/motions.html",
        {
            "councillor": councillor,
            "motions": own,
            "open_count": len(open_actions),
            "overdue_count": sum(1 for a in open_actions if a.due_date < today),
        },
    )
