"""Report a problem: one question per page, plain forms, the journey kept in the session.

Each journey has its own id (in the URL and as the key of its state in the session), so two
reports in two tabs do not mix. The id is also the report's idempotency key: a double click, a
refresh or the back button after sending returns the same report, and the journey, once sent,
only ever shows its confirmation. Sending receives the report with its reference; the worker
logs it as a case moments later (services/intake.py, ADR 0013).

This module starts a journey, sends each step to its view (portal/report_steps.py) and shows
the confirmation; the journey's state is portal/journey.py.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.council_crm.models import ReportSubmission, ServiceRequest
from apps.council_crm.selectors import portal as selectors
from apps.council_crm.services.intake import report_key

from .journey import STEPS, Journey
from .report_steps import STEP_VIEWS

# --- the journey's pages -------------------------------------------------------------------


@require_http_methods(["GET"])
def start(request: HttpRequest) -> HttpResponse:
    """A new journey each time: its id keys its state and is its idempotency key."""
    journey = Journey.start(request)
    return redirect(journey.url("where"))


@never_cache
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, journey_id: str, step: str) -> HttpResponse:
    try:
        journey = Journey(request, journey_id)
    except Http404:
        return render(request, "council_crm/portal/report/expired.html", status=404)
    if journey.finished:
        return redirect("portal:report-done", journey.id)
    if step not in STEP_VIEWS:
        raise Http404("No such step")
    first = journey.first_incomplete()
    if step != "follow" and STEPS.index(step) > STEPS.index(first):
        return redirect(journey.url(first, change=bool(request.GET.get("change"))))
    return STEP_VIEWS[step](request, journey)


@never_cache
@require_http_methods(["GET"])
def done(request: HttpRequest, journey_id: str) -> HttpResponse:
    try:
        journey = Journey(request, journey_id)
    except Http404:
        return render(request, "council_crm/portal/report/expired.html", status=404)
    case: ServiceRequest | ReportSubmission | None
    if journey.data.get("followed"):
        case = selectors.case_confirmation(reference=journey.data["followed"])
        template = "followed"
    else:
        case = selectors.report_confirmation(idempotency_key=report_key(journey.id))
        if case is None and journey.data.get("case"):  # sent before web reports were queued
            case = selectors.case_confirmation(reference=journey.data["case"])
        template = "done"
        if case is None and not journey.finished:  # not sent
            return redirect(journey.url(journey.first_incomplete()))
        if case is not None and not journey.data.get("sent"):
            journey.data["sent"] = True  # every step now leads here
            journey.save()
    if case is None:  # sent, then erased
        return render(request, "council_crm/portal/report/expired.html", status=404)
    return render(
        request,
        f"council_crm/portal/report/{template}.html",
        {
            "case": case,
            "journey": journey,
            "anonymous": journey.data.get("anonymous"),
            "sent_before": request.GET.get("sent-before") == "1",
        },
    )
