"""Track a request by its reference and the email or phone given; reopen it; the survey.

Finding a case proves nothing beyond "this browser knew the reference and the contact": the
reference is remembered in the session, and the case page and the reopen form ask for it.
"""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.council_crm.selectors import portal as selectors
from apps.council_crm.services.cases import case_reopen, survey_answer

from . import forms

SESSION_KEY = "portal_tracked"
MAX_TRACKED = 20
# References are sequential, so guessing is limited: this many failed look-ups per address
# in the window, then none until it passes (per process: the cache is local unless configured).
MAX_FAILURES = 20
FAILURE_WINDOW = 15 * 60


def _failures_key(request: HttpRequest) -> str:
    return f"portal-track-failures:{request.META.get('REMOTE_ADDR', '')}"


def _tracked(request: HttpRequest) -> list[str]:
    return list(request.session.get(SESSION_KEY, []))


def remember(request: HttpRequest, reference: str) -> None:
    """This browser may see the case's page and reopen it (it proved it is the resident's)."""
    tracked = [r for r in _tracked(request) if r != reference][-(MAX_TRACKED - 1) :]
    request.session[SESSION_KEY] = [*tracked, reference]


@never_cache
@require_http_methods(["GET", "POST"])
def find(request: HttpRequest) -> HttpResponse:
    form = forms.TrackForm(forms.posted(request))
    errors = form.error_list() if form.is_bound else []
    if request.method == "POST" and cache.get(_failures_key(request), 0) >= MAX_FAILURES:
        errors = [("reference", _("You have tried too many times. Try again in 15 minutes"))]
        return render(
            request,
            "council_crm/portal/track/find.html",
            {"form": form, "errors": errors},
            status=429,
        )
    if request.method == "POST" and form.is_valid():
        case = selectors.case_for_tracking(
            reference=form.cleaned_data["reference"], contact=form.cleaned_data["contact"]
        )
        if case is not None:
            remember(request, case.reference)
            return redirect("portal:track-detail", case.reference)
        key = _failures_key(request)
        cache.add(key, 0, FAILURE_WINDOW)
        cache.incr(key)
        # the same message whether the reference or the contact was wrong
        errors = [
            (
                "reference",
                _(
                    "We could not find a request with that reference and email address or "
                    "phone number. Check them and try again"
                ),
            )
        ]
    return render(request, "council_crm/portal/track/find.html", {"form": form, "errors": errors})


def _detail_page(
    request: HttpRequest,
    reference: str,
    *,
    form: forms.ReopenForm | None = None,
    errors: list[tuple[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    case = selectors.tracked_case(reference=reference)
    if case is None or reference not in _tracked(request):
        return redirect("portal:track")
    return render(
        request,
        "council_crm/portal/track/detail.html",
        {
            "case": case,
            "form": form or forms.ReopenForm(),
            "errors": errors or [],
            "reopened": request.GET.get("reopened"),
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET"])
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _detail_page(request, reference)


@never_cache
@require_http_methods(["POST"])
def reopen(request: HttpRequest, reference: str) -> HttpResponse:
    case = selectors.case_by_reference(reference=reference)
    if case is None or reference not in _tracked(request):
        return redirect("portal:track")
    form = forms.ReopenForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, reference, form=form, errors=form.error_list())
    try:
        case_reopen(case=case, actor=None, reason=form.cleaned_data["reason"], by_resident=True)
    except ValidationError as exc:
        errors = [("reason", m) for messages in exc.message_dict.values() for m in messages]
        return _detail_page(request, reference, form=form, errors=errors)
    return redirect(f"{request.path.removesuffix('reopen/')}?reopened=1")


@never_cache
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    found = selectors.survey_for(token=token)
    if found is None:
        return render(request, "council_crm/portal/track/survey_invalid.html", status=404)
    if found.answered_at:
        return render(request, "council_crm/portal/track/survey_thanks.html", {"survey": found})
    form = forms.SurveyForm(forms.posted(request))
    errors = form.error_list() if form.is_bound else []
    if request.method == "POST" and form.is_valid():
        try:
            survey_answer(
                token=token,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            errors = [
                (k if k in form.fields else "score_0", m)
                for k, v in exc.message_dict.items()
                for m in v
            ]
        else:
            return redirect("portal:survey", token)
    return render(
        request,
        "council_crm/portal/track/survey.html",
        {"form": form, "errors": errors, "survey": found},
    )
