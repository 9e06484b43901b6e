"""Log a case (/member/log/): for a constituent, with their consent, or as an individual.

Two pages that work without JavaScript: what the problem is and whom it is for, then one form
with the category's own questions, where, what, the constituent's details and their consent
(the wording shown, how they gave it). The checks are the portal's and the desk's
(`case_check` through `member_case_log` and `case_create`); the form's key (made when the form
is first shown) is the idempotency key, so a double submit logs one case.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.council_crm.contacts import ContactDetails
from apps.council_crm.models import GazetteerEntry, ServiceRequest
from apps.council_crm.permissions import AuthenticatedRequest, area_required, can_use_member_area
from apps.council_crm.selectors import portal as catalogue
from apps.council_crm.selectors.catalogue import question_field
from apps.council_crm.services.cases import IdempotencyConflict, gazetteer_find
from apps.council_crm.services.cases.request import CaseRequest
from apps.council_crm.services.consent import CURRENT_WORDING
from apps.council_crm.services.member import CONSENT_CHANNELS, member_case_log

from .views import acting_or_404, page

FOR_OPTIONS = [
    (
        "constituent",
        gettext_lazy("A constituent"),
        gettext_lazy("You log it as their councillor, with their consent"),
    ),
    (
        "individual",
        gettext_lazy("Myself, as an individual"),
        gettext_lazy("A problem you report as a resident, not in your role"),
    ),
]
HOW_LABELS = {
    "in_person": gettext_lazy("In person"),
    "phone": gettext_lazy("By phone"),
    "email": gettext_lazy("By email"),
    "letter": gettext_lazy("By letter"),
}
CONTACT_FIELDS = ["first_name", "last_name", "email", "phone", "address", "postcode"]


@area_required(can_use_member_area)
@never_cache
@require_http_methods(["GET", "POST"])
def log_start(request: AuthenticatedRequest) -> HttpResponse:
    councillor = acting_or_404(request)
    code = request.POST.get("category", "")
    for_whom = request.POST.get("for", "constituent")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if catalogue.portal_category(code=code) is None:
            errors["category"] = [_("Select what the problem is")]
        if for_whom not in dict((k, v) for k, v, _h in FOR_OPTIONS):
            errors["for"] = [_("Select whom the case is for")]
        if not errors:
            return redirect(reverse("member:log-case", args=[code]) + f"?for={for_whom}")
    groups = [(g, catalogue.portal_categories(group=g)) for g in catalogue.portal_groups()]
    return page(
        request,
        "council_crm/member/log_start.html",
        {
            "councillor": councillor,
            "groups": groups,
            "category": code,
            "for_whom": for_whom,
            "for_options": FOR_OPTIONS,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _place(request: AuthenticatedRequest, q: str) -> tuple[GazetteerEntry | None, list[Any]]:
    entry = (
        catalogue.gazetteer_entry(pk=request.POST.get("place", ""))
        if "place" in (request.POST)
        else None
    )
    if entry is None and q:
        entry = gazetteer_find(q)
    places: list[Any] = []
    if entry is None and q:
        places = catalogue.gazetteer_search(text=q)
        if len(places) == 1:
            entry = places[0]
    return entry, places


@area_required(can_use_member_area)
@never_cache
@require_http_methods(["GET", "POST"])
def log_case(request: AuthenticatedRequest, code: str) -> HttpResponse:
    councillor = acting_or_404(request)
    category = catalogue.portal_category(code=code)
    if category is None:
        raise Http404("No such category")
    data = request.POST if request.method == "POST" else request.GET
    for_whom = data.get("for", "constituent")
    if for_whom not in ("constituent", "individual"):
        for_whom = "constituent"
    questions = list(category.questions.all())
    answers = {
        q.code: request.POST.get(f"answers.{q.code}", "").strip()
        for q in questions
        if request.POST.get(f"answers.{q.code}", "").strip()
    }
    contact = {f: request.POST.get(f, "").strip() for f in CONTACT_FIELDS}
    where = request.POST.get("where", "").strip()
    description = request.POST.get("description", "").strip()
    how = request.POST.get("consent_how", "")
    evidence = request.POST.get("consent_evidence", "").strip()
    key = request.POST.get("key", "") or secrets.token_urlsafe(16)
    errors: dict[str, list[str]] = {}
    places: list[Any] = []
    if request.method == "POST":
        entry, places = _place(request, where)
        location: dict[str, Any] = {}
        if entry is not None:
            location = {"address": str(entry)}
            if entry.division_id is not None:
                location.update(latitude=entry.latitude, longitude=entry.longitude)
        elif not where:
            errors["where"] = [_("Enter the street or place where the problem is")]
        elif not places:
            errors["where"] = [
                _("We could not find a street or place called ‘%(q)s’. Check the spelling")
                % {"q": where}
            ]
        else:
            errors["place"] = [_("Select the street or place where the problem is")]
        user = request.user
        if for_whom == "individual":
            details = ContactDetails(
                first_name=councillor.user.first_name,
                last_name=councillor.user.last_name,
                email=councillor.user.email,
            )
            raised_as = ServiceRequest.RaisedAs.INDIVIDUAL
        else:
            details = ContactDetails(**contact)
            raised_as = ServiceRequest.RaisedAs.COUNCILLOR
        case_request = CaseRequest(
            channel="web",
            category=category,
            description=description,
            answers=answers,
            latitude=location.get("latitude"),
            longitude=location.get("longitude"),
            address=location.get("address", ""),
            contact=details,
            on_behalf_of=councillor,
            raised_as=raised_as,
        )
        if not description:
            errors["description"] = [_("Describe the problem")]
        if not errors:
            try:
                made = member_case_log(
                    request=case_request,
                    councillor=councillor,
                    actor=user,
                    key=f"member-log-{key}",
                    consent_how=how,
                    consent_evidence=evidence,
                )
            except IdempotencyConflict:
                errors = {"": [_("This form was already sent with other answers")]}
            except ValidationError as exc:
                errors = {
                    ("where" if k in ("location", "address") else k): v
                    for k, v in (exc.message_dict.items())
                }
            else:
                return redirect(reverse("member:case", args=[made.case.reference]) + "?logged=1")
        elif for_whom == "constituent":  # list the consent's mistakes with the others
            if how not in CONSENT_CHANNELS:
                errors["consent_how"] = [_("Select how the constituent gave their consent")]
            if not evidence:
                errors["consent_evidence"] = [
                    _("Say when the constituent agreed, for example the date of their email")
                ]
            if not (contact["first_name"] or contact["last_name"]):
                errors["first_name"] = [_("Enter the constituent's name")]
    return page(
        request,
        "council_crm/member/log_case.html",
        {
            "councillor": councillor,
            "category": category,
            "for_whom": for_whom,
            "fields": [question_field(q, answers, errors) for q in questions],
            "contact": contact,
            "where": where,
            "places": [(str(p.pk), str(p), "") for p in places],
            "description": description,
            "how": how,
            "how_options": [(k, v, "") for k, v in HOW_LABELS.items()],
            "evidence": evidence,
            "key": key,
            "wording_version": CURRENT_WORDING,
            "errors": errors,
        },
        status=400 if errors else 200,
    )
