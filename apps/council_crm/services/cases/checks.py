"""The checks a case request must pass before anything is written: answers, place, councillor."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.council_crm import sla
from apps.council_crm.geo import division_index
from apps.council_crm.models import (
    CategoryQuestion,
    Channel,
    Councillor,
    Division,
    GazetteerEntry,
    MemberSupportDelegation,
    ServiceCategory,
    ServiceRequest,
    Team,
    User,
)
from apps.council_crm.services.citizens import validate_contact

from . import config
from .assignment import decide_for
from .request import CaseRequest

YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}
MAX_DESCRIPTION = 5000


def answers_clean(
    category: ServiceCategory, answers: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(the answers as stored, errors by field) for the category's questions."""
    questions = {q.code: q for q in category.questions.all()}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for code in answers:
        if code not in questions:
            errors[f"answers.{code}"] = [
                _("This question is not asked for %(category)s") % {"category": category.name}
            ]
    for code, q in questions.items():
        raw = answers.get(code)
        text = "" if raw is None else str(raw).strip()
        key = f"answers.{code}"
        if not text:
            if q.required:
                errors[key] = [_("Answer the question: %(label)s") % {"label": q.label}]
            continue
        if q.kind == CategoryQuestion.Kind.NUMBER:
            try:
                number = Decimal(text)
            except InvalidOperation:
                errors[key] = [_("%(label)s must be a number") % {"label": q.label}]
                continue
            if not number.is_finite():
                errors[key] = [_("%(label)s must be a number") % {"label": q.label}]
                continue
            cleaned[code] = int(number) if number == number.to_integral_value() else float(number)
        elif q.kind == CategoryQuestion.Kind.CHOICE:
            match = next((c for c in q.choices if c.casefold() == text.casefold()), None)
            if match is None:
                errors[key] = [_("Choose one of the options for: %(label)s") % {"label": q.label}]
                continue
            cleaned[code] = match
        elif q.kind == CategoryQuestion.Kind.YES_NO:
            if text.casefold() in YES:
                cleaned[code] = "Yes"
            elif text.casefold() in NO:
                cleaned[code] = "No"
            else:
                errors[key] = [_("Select yes or no for: %(label)s") % {"label": q.label}]
        else:
            if len(text) > 1000:
                errors[key] = [_("%(label)s must be 1000 characters or fewer") % {"label": q.label}]
                continue
            cleaned[code] = text
    return cleaned, errors


def _resolve_location(
    *, latitude: float | None, longitude: float | None, address: str, errors: dict[str, list[str]]
) -> tuple[float | None, float | None, str, Division | None]:
    if latitude is not None or longitude is not None:
        try:
            # one of the two may be None, or text from a form: float() refusing it is the check
            lat, lon = float(latitude), float(longitude)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            errors["location"] = [_("Enter the location as a latitude and longitude")]
            return None, None, address, None
        if not (
            math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180
        ):
            errors["location"] = [_("Enter the location as a latitude and longitude")]
            return None, None, address, None
        hit = division_index().lookup(latitude=lat, longitude=lon)
        if hit is None:
            errors["location"] = [
                _("This location is outside the area %(council)s looks after")
                % {"council": settings.CRM_SITE.name}
            ]
            return None, None, address, None
        return lat, lon, address, config.divisions()[hit.id]
    if address.strip():
        entry = gazetteer_find(address)
        if entry is None:
            errors["address"] = [
                _(
                    "We could not find that street or place. "
                    "Check the spelling or choose it on the map"
                )
            ]
            return None, None, address, None
        label = address.strip() if len(address.strip()) > len(entry.name) else str(entry)
        division = config.divisions().get(entry.division_id) if entry.division_id else None
        return entry.latitude, entry.longitude, label, division
    errors["location"] = [
        _("Tell us where the problem is: choose a point on the map or enter a street or place")
    ]
    return None, None, address, None


def gazetteer_find(text: str) -> GazetteerEntry | None:
    """An exact street or place name, optionally followed by ', locality'."""
    name, _sep, locality = (part.strip() for part in text.partition(","))
    qs = GazetteerEntry.objects.filter(name__iexact=name)
    if locality:
        narrowed = qs.filter(locality__iexact=locality.split(",")[0].strip())
        if narrowed.exists():
            qs = narrowed
    entries = list(qs[:2])
    return entries[0] if len(entries) == 1 else None


def _check_councillor(
    actor: User | None,
    on_behalf_of: Councillor | None,
    raised_as: str,
    errors: dict[str, list[str]],
) -> str:
    if on_behalf_of is None:
        if raised_as:
            errors["raised_as"] = [_("Only casework raised for a councillor has a role")]
        return ""
    allowed = actor is not None and (
        on_behalf_of.user_id == actor.pk
        or MemberSupportDelegation.objects.filter(
            Q(starts_on__isnull=True) | Q(starts_on__lte=timezone.localdate()),
            Q(ends_on__isnull=True) | Q(ends_on__gte=timezone.localdate()),
            officer=actor,
            councillor=on_behalf_of,
        ).exists()
    )
    if not allowed:
        errors["on_behalf_of"] = [_("You cannot raise casework for this councillor")]
    if raised_as not in ServiceRequest.RaisedAs.values:
        errors["raised_as"] = [
            _("Say whether the councillor raised it in their role or as an individual")
        ]
    return raised_as


@dataclass(frozen=True)
class CheckedCase:
    """case_create's input once every check has passed: what the case will be made from."""

    category: ServiceCategory
    answers: dict[str, Any]
    latitude: float | None
    longitude: float | None
    address: str
    division: Division | None
    raised_as: str


def case_check(*, request: CaseRequest, actor: User | None) -> CheckedCase:
    """Every check case_create makes, writing nothing. Raises ValidationError."""
    errors: dict[str, list[str]] = {}
    channel = request.channel
    if channel not in Channel.values:
        errors["channel"] = [_("Choose how the request reached the council")]
    category: ServiceCategory | None = None
    if isinstance(request.category, str):
        category = config.categories().get(request.category)
        if category is None:
            errors["category"] = [_("Choose what the problem is about")]
    else:
        category = request.category
        if not category.active:
            errors["category"] = [_("Choose what the problem is about")]
    if len(request.description) > MAX_DESCRIPTION:
        errors["description"] = [
            _("Description must be %(n)s characters or fewer") % {"n": MAX_DESCRIPTION}
        ]
    cleaned: dict[str, Any] = {}
    if category is not None:
        cleaned, answer_errors = answers_clean(category, request.answers)
        errors.update(answer_errors)
        if request.anonymous and not category.allow_anonymous:
            errors["anonymous"] = [
                _("%(category)s cannot be reported anonymously: tell us how to contact you")
                % {"category": category.name}
            ]
    lat, lon, address, division = _resolve_location(
        latitude=request.latitude,
        longitude=request.longitude,
        address=request.address,
        errors=errors,
    )
    if not request.anonymous:
        contact = request.contact
        errors.update(validate_contact(contact))
        if (
            contact.is_empty
            and request.on_behalf_of is None
            and not (actor and channel != Channel.WEB)
        ):
            errors["contact"] = [
                _(
                    "Enter your email address or phone number so we can send you updates, "
                    "or report anonymously"
                )
            ]
    raised_as = _check_councillor(actor, request.on_behalf_of, request.raised_as, errors)
    if errors:
        raise ValidationError(errors)

    assert category is not None  # noqa: S101 - narrowed by the checks above
    return CheckedCase(category, cleaned, lat, lon, address, division, raised_as)


def case_preview(checked: CheckedCase, *, description: str, now: datetime) -> tuple[Team, datetime]:
    """The team a case made from `checked` now would go to, and its due time (no writes)."""
    decision = decide_for(
        category=checked.category,
        division=checked.division,
        description=description,
        answers=checked.answers,
    )
    team = config.teams()[decision.team_id]
    calendar = sla.site_calendar()
    category = checked.category
    due = sla.due_at(
        created=now, kind=category.sla_kind, value=category.sla_value, calendar=calendar
    )
    return team, due
