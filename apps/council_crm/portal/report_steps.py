"""Report a problem: the step pages, one question per page, plain forms.

Each step reads and writes the journey (portal/journey.py); ``STEP_VIEWS`` maps a step's slug
to its view, which portal/report.py dispatches to.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.council_crm import duplicates
from apps.council_crm.models import GazetteerEntry
from apps.council_crm.selectors import portal as selectors
from apps.council_crm.selectors.accounts import is_resident
from apps.council_crm.services.cases import IdempotencyConflict, case_follow
from apps.council_crm.services.citizens import ContactDetails
from apps.council_crm.services.intake import (
    report_key,
    report_receive,
    upload_storage,
    uploads_discard,
)

from . import forms
from .journey import STEPS, TITLES, Journey


def _page(
    request: HttpRequest,
    journey: Journey,
    step: str,
    template: str,
    context: dict[str, Any],
    *,
    errors: list[tuple[str, str]] | None = None,
) -> HttpResponse:
    index = STEPS.index(step) if step in STEPS else STEPS.index("duplicates")
    back = None
    if request.GET.get("change"):
        back = journey.url("check")
    elif step == "follow":
        back = journey.url("duplicates")
    elif index > 0:
        previous = STEPS[index - 1]
        if previous == "consent" and journey.data.get("anonymous"):
            previous = "about-you"
        if previous == "duplicates" and not journey.data.get("had_duplicates"):
            previous = "questions"
        back = journey.url(previous)
    else:
        back = reverse("portal:home")
    return render(
        request,
        f"council_crm/portal/report/{template}.html",
        {
            "journey": journey,
            "step": step,
            "title": TITLES[step],
            "errors": errors or [],
            "back_url": back,
            "change": bool(request.GET.get("change")),
            **context,
        },
        status=200,
    )


def _next(request: HttpRequest, journey: Journey, step: str) -> HttpResponseRedirect:
    if request.GET.get("change"):
        return redirect(journey.url(journey.first_incomplete(), change=True))
    return redirect(journey.url(STEPS[STEPS.index(step) + 1]))


def _where(request: HttpRequest, journey: Journey) -> HttpResponse:
    if request.method == "POST" and "latitude" in request.POST:
        return _where_pin(request, journey)
    search = forms.SearchForm(request.GET if "q" in request.GET else None)
    chosen = journey.place
    # a list of places to choose from is a page of its own; ?map=1 asks for the map instead
    places: list[GazetteerEntry] = [chosen] if chosen and not request.GET.get("map") else []
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        entry = selectors.gazetteer_entry(pk=request.POST.get("place", ""))
        search = forms.SearchForm({"q": request.POST.get("q", "")})
        form = forms.PlaceForm(request.POST, places=[entry] if entry else [])
        if form.is_valid() and entry is not None:
            if journey.data.get("place") != entry.pk:
                journey.data.pop("duplicates_checked", None)
            journey.data["place"] = entry.pk
            journey.data["location"] = _place_location(entry)
            journey.data.pop("pin", None)
            journey.save()
            return _next(request, journey, "where")
        places = (
            selectors.gazetteer_search(text=search.cleaned_data["q"]) if search.is_valid() else []
        )
        if not places:  # nothing to choose from: the search box is what needs filling in
            search = forms.SearchForm({"q": search.data.get("q", "")})
            if search.is_valid():
                search.add_error("q", _("Search for the street or place, then choose it"))
            errors = search.error_list()
        else:
            form = forms.PlaceForm(request.POST, places=places)
            errors = form.error_list()
    else:
        form = forms.PlaceForm(initial={"place": str(chosen.pk)} if chosen else None, places=places)
        if search.is_bound:
            if search.is_valid():
                places = selectors.gazetteer_search(text=search.cleaned_data["q"])
                if not places:
                    search.add_error(
                        "q",
                        _("We could not find a street or place called ‘%(q)s’. Check the spelling")
                        % {"q": search.cleaned_data["q"]},
                    )
                form = forms.PlaceForm(places=places)
            errors = search.error_list()
    return _where_page(request, journey, search=search, form=form, places=places, errors=errors)


def _where_pin(request: HttpRequest, journey: Journey) -> HttpResponse:
    """A point from the map or from the browser's location: kept only if the council covers it."""
    pin_form = forms.PinForm(request.POST)
    if pin_form.is_valid():
        latitude, longitude = pin_form.cleaned_data["point"]
        if selectors.division_at(latitude=latitude, longitude=longitude) is None:
            pin_form.reject(
                _("The location must be inside the area %(council)s looks after")
                % {"council": settings.CRM_SITE.name}
            )
        else:
            if journey.pin != (latitude, longitude):
                journey.data.pop("duplicates_checked", None)
            journey.data["pin"] = {"latitude": latitude, "longitude": longitude}
            journey.data["location"] = _pin_location(latitude, longitude)
            journey.data.pop("place", None)
            journey.save()
            return _next(request, journey, "where")
    return _where_page(  # the map again, with what was wrong next to it
        request,
        journey,
        search=forms.SearchForm(),
        form=forms.PlaceForm(places=[]),
        places=[],
        pin_form=pin_form,
        errors=pin_form.error_list(),
    )


def _place_location(entry: GazetteerEntry) -> dict[str, Any]:
    """How a chosen street or place is sent: its point (the case's division follows from it)
    and its name; by name alone if the gazetteer has it outside every division."""
    if entry.division_id is None:
        return {"address": str(entry)}
    return {"latitude": entry.latitude, "longitude": entry.longitude, "address": str(entry)}


def _pin_location(latitude: float, longitude: float) -> dict[str, Any]:
    """How a pin is sent: its point, with the nearest street as the address for people."""
    near = selectors.nearest_place(latitude=latitude, longitude=longitude)
    return {
        "latitude": latitude,
        "longitude": longitude,
        "address": _("Near %(place)s") % {"place": near} if near else "",
    }


def _where_page(
    request: HttpRequest,
    journey: Journey,
    *,
    search: forms.SearchForm,
    form: forms.PlaceForm,
    places: list[GazetteerEntry],
    errors: list[tuple[str, str]],
    pin_form: forms.PinForm | None = None,
) -> HttpResponse:
    pin = journey.pin
    if pin_form is None:
        initial = {"latitude": pin[0], "longitude": pin[1]} if pin else None
        pin_form = forms.PinForm(initial=initial)
    shown = pin_form.data if pin_form.is_bound else pin_form.initial
    bounds = selectors.division_map_bounds()
    return _page(
        request,
        journey,
        "where",
        "where",
        {
            "search": search,
            "form": form,
            "places": places,
            "chosen": journey.place,
            "pin_form": pin_form,
            "pin": _pin_summary(pin) if pin else None,
            "map_pin": _numbers(shown.get("latitude"), shown.get("longitude")),
            "map_bounds": ",".join(str(b) for b in bounds) if bounds else "",
        },
        errors=errors,
    )


def _numbers(*values: object) -> str:
    """'lat,lon' for the script to show the pin again; empty unless both are finite numbers."""
    try:
        floats = [float(str(v)) for v in values]
    except ValueError:
        return ""
    return ",".join(str(f) for f in floats) if all(math.isfinite(f) for f in floats) else ""


def _pin_summary(pin: tuple[float, float]) -> dict[str, Any]:
    """What later pages say about a pin: where it is, its division and the nearest street."""
    latitude, longitude = pin
    division = selectors.division_at(latitude=latitude, longitude=longitude)
    return {
        "latitude": latitude,
        "longitude": longitude,
        "division": division.name if division else "",
        "near": selectors.nearest_place(latitude=latitude, longitude=longitude),
    }


def _group(request: HttpRequest, journey: Journey) -> HttpResponse:
    groups = selectors.portal_groups()
    form = forms.GroupForm(
        forms.posted(request), initial={"group": journey.data.get("group")}, groups=groups
    )
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["group"] != journey.data.get("group"):
            for key in ("category", "answers", "duplicates_checked"):
                journey.data.pop(key, None)
        journey.data["group"] = form.cleaned_data["group"]
        journey.save()
        if request.GET.get("change"):
            return redirect(journey.url("category", change=True))
        return _next(request, journey, "group")
    return _page(request, journey, "group", "radios", {"form": form}, errors=form.error_list())


def _category(request: HttpRequest, journey: Journey) -> HttpResponse:
    group = selectors.portal_group(code=journey.data["group"])
    if group is None:
        journey.data.pop("group", None)
        journey.save()
        return redirect(journey.url("group"))
    categories = selectors.portal_categories(group=group)
    form = forms.CategoryForm(
        forms.posted(request),
        initial={"category": journey.data.get("category")},
        categories=categories,
    )
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["category"] != journey.data.get("category"):
            for key in ("answers", "duplicates_checked"):
                journey.data.pop(key, None)
            chosen = next(c for c in categories if c.code == form.cleaned_data["category"])
            if journey.data.get("anonymous") and not chosen.allow_anonymous:
                journey.data.pop("anonymous", None)  # ask again: this kind needs contact details
        journey.data["category"] = form.cleaned_data["category"]
        journey.save()
        return _next(request, journey, "category")
    return _page(
        request,
        journey,
        "category",
        "radios",
        {"form": form, "caption": group.name, "hints": form.hints},
        errors=form.error_list(),
    )


def _questions(request: HttpRequest, journey: Journey) -> HttpResponse:
    category = journey.category
    if category is None:
        journey.data.pop("category", None)
        journey.save()
        return redirect(journey.url("category"))
    questions = list(category.questions.all())
    form = forms.QuestionsForm(
        forms.posted(request),
        initial=forms.QuestionsForm.initial_from(journey.data.get("answers", {})),
        questions=questions,
    )
    if request.method == "POST" and form.is_valid():
        journey.data["answers"] = form.answers()
        journey.save()
        return _next(request, journey, "questions")
    return _page(
        request,
        journey,
        "questions",
        "questions",
        {"form": form, "category": category},
        errors=form.error_list(),
    )


def _nearby(journey: Journey) -> list[selectors.NearbyReport]:
    place, pin, category = journey.place, journey.pin, journey.category
    if pin is not None:
        latitude, longitude = pin
    elif place is not None:
        latitude, longitude = place.latitude, place.longitude
    else:
        return []
    if category is None:
        return []
    found = duplicates.survey(
        category_id=category.pk,
        latitude=latitude,
        longitude=longitude,
        radius_m=category.duplicate_radius_m,
        window_days=category.duplicate_window_days,
        now=timezone.now(),
    )
    return selectors.nearby_reports(
        references=[n.reference for n in found.candidates],
        distances={n.reference: n.distance_m for n in found.candidates},
    )


def _duplicates(request: HttpRequest, journey: Journey) -> HttpResponse:
    nearby = _nearby(journey)
    if not nearby:
        journey.data["duplicates_checked"] = True
        journey.data["had_duplicates"] = False
        journey.save()
        return _next(request, journey, "duplicates")
    form = forms.DuplicateForm(forms.posted(request), references=[n.reference for n in nearby])
    if request.method == "POST" and form.is_valid():
        choice = form.cleaned_data["duplicate"]
        if choice != forms.NOT_LISTED:
            journey.data["follow"] = choice
            journey.save()
            return redirect(journey.url("follow"))
        journey.data["duplicates_checked"] = True
        journey.data["had_duplicates"] = True
        journey.save()
        return _next(request, journey, "duplicates")
    return _page(
        request,
        journey,
        "duplicates",
        "duplicates",
        {"form": form, "nearby": nearby},
        errors=form.error_list(),
    )


def _follow(request: HttpRequest, journey: Journey) -> HttpResponse:
    reference = journey.data.get("follow")
    case = selectors.case_by_reference(reference=reference) if reference else None
    if case is None:
        return redirect(journey.url("duplicates"))
    form = forms.ContactForm(forms.posted(request))
    errors = form.error_list() if form.is_bound else []
    if request.method == "POST" and form.is_valid():
        try:
            case_follow(case=case, contact=form.details())
        except ValidationError as exc:
            errors = [
                (k if k in form.fields else "email", m)
                for k, v in exc.message_dict.items()
                for m in v
            ]
        else:
            journey.data["followed"] = case.reference
            journey.save()
            return redirect("portal:report-done", journey.id)
    return _page(
        request,
        journey,
        "follow",
        "follow",
        {"form": form, "reference": case.reference},
        errors=errors,
    )


def _details(request: HttpRequest, journey: Journey) -> HttpResponse:
    photos: list[dict[str, str]] = journey.data.get("photos", [])
    if request.method == "POST" and "remove" in request.POST:
        if selectors.report_confirmation(idempotency_key=report_key(journey.id)):
            return redirect("portal:report-done", journey.id)  # sent: its photos are its own
        keep = [p for p in photos if p["file"] != request.POST["remove"]]
        uploads_discard(journey.id, [p for p in photos if p not in keep])
        journey.data["photos"] = keep
        journey.save()
        return redirect(request.get_full_path())
    form = forms.DetailsForm(
        forms.posted(request),
        request.FILES if request.method == "POST" else None,
        initial={"description": journey.data.get("description", "")},
        photos_kept=len(photos),
    )
    if request.method == "POST" and form.is_valid():
        storage = upload_storage(journey.id)
        for name, data, content_type, ext in form.cleaned_photos:
            stored = storage.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(data))
            photos.append({"file": stored, "name": name, "type": content_type})
        journey.data["photos"] = photos
        journey.data["description"] = form.cleaned_data["description"].strip()
        journey.save()
        return _next(request, journey, "details")
    return _page(
        request,
        journey,
        "details",
        "details",
        {"form": form, "photos": photos, "max_photos": forms.MAX_PHOTOS},
        errors=form.error_list(),
    )


def _about_you(request: HttpRequest, journey: Journey) -> HttpResponse:
    category = journey.category
    if category is None:
        return redirect(journey.url("category"))
    initial = {**journey.data.get("contact", {}), "anonymous": journey.data.get("anonymous")}
    user = request.user
    if "contact" not in journey.data and user.is_authenticated and is_resident(user):
        # a signed-in resident's report is matched to their record by this email
        initial.update(first_name=user.first_name, last_name=user.last_name, email=user.email)
    form = forms.AboutYouForm(
        forms.posted(request), initial=initial, allow_anonymous=category.allow_anonymous
    )
    if request.method == "POST" and form.is_valid():
        anonymous = bool(form.cleaned_data.get("anonymous"))
        journey.data["anonymous"] = anonymous
        journey.data["contact"] = {} if anonymous else asdict(form.details())
        if anonymous:
            journey.data.pop("consent", None)
        journey.save()
        if anonymous:
            return redirect(journey.url("check"))
        return _next(request, journey, "about-you")
    return _page(
        request,
        journey,
        "about-you",
        "about_you",
        {"form": form, "category": category},
        errors=form.error_list(),
    )


def _consent(request: HttpRequest, journey: Journey) -> HttpResponse:
    if journey.data.get("anonymous"):
        return redirect(journey.url("check"))
    form = forms.ConsentForm(forms.posted(request), initial={"share": journey.data.get("consent")})
    if request.method == "POST" and form.is_valid():
        journey.data["consent"] = bool(form.cleaned_data["share"])
        journey.save()
        return _next(request, journey, "consent")
    return _page(request, journey, "consent", "consent", {"form": form}, errors=form.error_list())


CHECK_ANCHORS = {
    "location": "where",
    "address": "where",
    "category": "category",
    "description": "details",
    "anonymous": "about-you",
    "contact": "about-you",
    "email": "about-you",
    "phone": "about-you",
    "name": "about-you",
}


def _check(request: HttpRequest, journey: Journey) -> HttpResponse:
    d = journey.data
    if "category" not in d or not ("place" in d or "pin" in d):
        return redirect(journey.url("category" if "category" not in d else "where"))
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        # Sending reads only the session: what each step stored is what is sent
        done = reverse("portal:report-done", args=[journey.id])
        try:
            _send(journey)
        except IdempotencyConflict:
            # sent already, before a step was changed: the report sent is the one that counts
            return redirect(f"{done}?sent-before=1")
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                row = "questions" if key.startswith("answers.") else CHECK_ANCHORS.get(key, "")
                errors += [(f"check-{row}" if row else "", m) for m in messages]
        if not errors:
            # the confirmation page marks the journey sent (one write fewer here)
            return redirect(done)
    category, place, pin = journey.category, journey.place, journey.pin
    if category is None or (place is None and pin is None):
        return redirect(journey.url("category" if category is None else "where"))
    labels = {q.code: q.label for q in category.questions.all()}
    answers = [(labels.get(k, k), v) for k, v in journey.data.get("answers", {}).items()]
    return _page(
        request,
        journey,
        "check",
        "check",
        {
            "category": category,
            "place": place,
            "pin": _pin_summary(pin) if pin else None,
            "answers": answers,
            "data": journey.data,
            "contact": journey.data.get("contact", {}),
        },
        errors=errors,
    )


def _send(journey: Journey) -> None:
    """Send the report (services/intake.py): the case, its photos and the consent follow."""
    d = journey.data
    anonymous = bool(d.get("anonymous"))
    location = d.get("location")
    if location is None:  # a journey begun before the location was stored with it
        place, pin = journey.place, journey.pin
        location = _pin_location(*pin) if pin else _place_location(place) if place else {}
    report_receive(
        journey_id=journey.id,
        category=d["category"],
        description=d.get("description", ""),
        answers=d.get("answers", {}),
        **location,
        contact=None if anonymous else ContactDetails(**d.get("contact", {})),
        anonymous=anonymous,
        photos=d.get("photos", []),
        consent=bool(d.get("consent")) and not anonymous,
    )


STEP_VIEWS = {
    "where": _where,
    "group": _group,
    "category": _category,
    "questions": _questions,
    "duplicates": _duplicates,
    "follow": _follow,
    "details": _details,
    "about-you": _about_you,
    "consent": _consent,
    "check": _check,
}
