"""A resident's account: their requests, consents, update preferences, their data, closing it.

Signing up, signing in, email verification and passwords are django-allauth's (see
`allauth_adapter`); these pages are the portal's own, and only a resident has them.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from allauth.account.decorators import reauthentication_required
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.council_crm.models import Consent, ContactPreference, User
from apps.council_crm.permissions import Action, AuthenticatedRequest, can
from apps.council_crm.portal import track
from apps.council_crm.portal.allauth_adapter import home_url_for
from apps.council_crm.portal.forms import RADIO, PortalForm, ReopenForm
from apps.council_crm.selectors import portal as portal_selectors
from apps.council_crm.selectors.accounts import (
    is_resident,
    resident_citizen,
    resident_consent,
    resident_consents,
    resident_open_cases,
)
from apps.council_crm.selectors.cases import case_for, case_list_for, timeline_for
from apps.council_crm.services.accounts import (
    RESIDENT_CHANNELS,
    citizen_preferences_update,
    resident_account_delete,
)
from apps.council_crm.services.audit import access_log_record
from apps.council_crm.services.consent import consent_withdraw
from apps.council_crm.services.privacy import citizen_export

DELETED_SESSION_KEY = "account_deleted_open_cases"


def _resident(request: HttpRequest) -> User:
    """The signed-in resident; for anyone else these pages do not exist."""
    user = request.user
    if not isinstance(user, User) or not is_resident(user):
        raise Http404
    return user


def _residents_only(view):
    """Answer 404 to anyone but a resident before anything else is asked of them (staff and
    councillors sign in elsewhere and have no password to reauthenticate with here)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _resident(request)
        return view(request, *args, **kwargs)

    return wrapper


@login_required
@require_GET
def home(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if not is_resident(user):
        return redirect(home_url_for(user))
    return render(
        request,
        "council_crm/account/home.html",
        {
            "citizen": resident_citizen(user=user),
            "open_count": resident_open_cases(user=user).count(),
            "consent_count": resident_consents(user=user).filter(withdrawn_at=None).count(),
        },
    )


@login_required
@require_GET
def my_requests(request: HttpRequest) -> HttpResponse:
    user = _resident(request)
    return render(
        request,
        "council_crm/account/requests.html",
        {"cases": case_list_for(user=user)[:100]},
    )


@login_required
@require_GET
def my_request(request: HttpRequest, reference: str) -> HttpResponse:
    user = _resident(request)
    case = case_for(user=user, reference=reference)
    # their own request: the track page's "Not fixed? Reopen it" form works for it too
    track.remember(request, case.reference)
    return render(
        request,
        "council_crm/account/request_detail.html",
        {
            "case": case,
            "timeline": timeline_for(user=user, case=case),
            "tracked": portal_selectors.tracked_case(reference=case.reference),
            "form": ReopenForm(),
        },
    )


# --- consents -----------------------------------------------------------------------------


@login_required
@require_GET
def my_consents(request: HttpRequest) -> HttpResponse:
    user = _resident(request)
    return render(
        request,
        "council_crm/account/consents.html",
        {"consents": resident_consents(user=user)},
    )


@login_required
@require_POST
def consent_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _resident(request)
    consent = resident_consent(user=user, pk=pk)
    if consent.withdrawn_at is None:
        consent_withdraw(consent=consent, actor=user)
        messages.success(
            request,
            _("You have withdrawn your consent: %(what)s") % {"what": _consent_label(consent)},
        )
    return redirect("portal:my-consents")


def _consent_label(consent: Consent) -> str:
    if consent.case_id:
        return _("%(purpose)s, for request %(reference)s") % {
            "purpose": consent.get_purpose_display(),
            "reference": consent.case.reference if consent.case else "",
        }
    return _("%(purpose)s, for all your requests") % {"purpose": consent.get_purpose_display()}


# --- preferences --------------------------------------------------------------------------


class PreferencesForm(PortalForm):
    preferred_channel = forms.ChoiceField(
        label=gettext_lazy("How do you want to get updates about your requests?"),
        choices=[(c.value, c.label) for c in RESIDENT_CHANNELS],
        widget=RADIO,
        error_messages={"required": gettext_lazy("Choose how you want to get updates")},
    )
    phone = forms.CharField(
        label=gettext_lazy("Mobile phone number"),
        help_text=gettext_lazy("Only needed for updates by text message"),
        required=False,
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input govuk-input--width-20",
                "type": "tel",
                "autocomplete": "tel",
            }
        ),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Which language should we write to you in?"),
        choices=settings.LANGUAGES,
        widget=RADIO,
        error_messages={"required": gettext_lazy("Choose a language")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = _resident(request)
    citizen = resident_citizen(user=user)
    if citizen is None:
        raise Http404
    initial = {
        "preferred_channel": citizen.preferred_channel
        if citizen.preferred_channel in RESIDENT_CHANNELS
        else ContactPreference.EMAIL,
        "phone": citizen.phone,
        "language": citizen.preferred_language,
    }
    form = PreferencesForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            citizen_preferences_update(
                citizen=citizen,
                actor=user,
                preferred_channel=form.cleaned_data["preferred_channel"],
                phone=form.cleaned_data["phone"],
                language=form.cleaned_data["language"],
            )
        except ValidationError as exc:
            for field, messages_of_field in exc.message_dict.items():
                for error in messages_of_field:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("Your preferences have been saved"))
            return redirect("portal:account")
    errors = form.error_list() if form.is_bound else []
    return render(
        request,
        "council_crm/account/preferences.html",
        {
            "form": form,
            "errors": errors,
            "several_languages": len(settings.LANGUAGES) > 1,
        },
        status=400 if errors else 200,
    )


# --- download my data ---------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@_residents_only
@reauthentication_required
def download(request: HttpRequest) -> HttpResponse:
    """GET explains what is in the download; POST makes it (the same export a subject access
    request gets from the data protection officer, audited the same way)."""
    user = _resident(request)
    citizen = resident_citizen(user=user)
    if request.method == "GET":
        return render(request, "council_crm/account/download.html", {"citizen": citizen})
    if citizen is None:
        raise Http404
    data = citizen_export(citizen=citizen, actor=user)
    response = HttpResponse(data, content_type="application/zip")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="your-data-{day}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- delete my account --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@_residents_only
@reauthentication_required
def delete(request: HttpRequest) -> HttpResponse:
    user = _resident(request)
    open_cases = list(resident_open_cases(user=user)[:50])
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            errors = [("confirm", _("Confirm that you want to delete your account"))]
        else:
            try:
                resident_account_delete(user=user)
            except ValidationError as exc:
                errors = [("", m) for ms in exc.message_dict.values() for m in ms]
            else:
                logout(request)
                request.session[DELETED_SESSION_KEY] = len(open_cases)
                return redirect("portal:account-deleted")
    return render(
        request,
        "council_crm/account/delete.html",
        {"open_cases": open_cases, "errors": errors},
        status=400 if errors else 200,
    )


@require_GET
def deleted(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"open_count": request.session.pop(DELETED_SESSION_KEY, None)}
    return render(request, "council_crm/account/deleted.html", context)


# --- attachments --------------------------------------------------------------------------


@login_required
@require_GET
def attachment(request: AuthenticatedRequest, reference: str, pk: int) -> FileResponse:
    """Photos are never served from a public URL: only to someone who may see the case."""
    case = case_for(user=request.user, reference=reference)
    if not can(request.user, Action.VIEW, case):
        raise Http404
    item = case.attachments.filter(pk=pk).first()
    if item is None:
        raise Http404
    access_log_record(user=request.user, obj=case, via=request.path)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Content-Disposition"] = f'inline; filename="{item.file.name.rsplit("/", 1)[-1]}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
