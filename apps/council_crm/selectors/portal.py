"""Resident portal reads: the gazetteer, the catalogue and what a resident may see of a case.

A resident without an account proves who they are by the reference and the email or phone
they gave; they only ever see public timeline entries and public status names.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from apps.council_crm.models import (
    CaseEvent,
    CategoryGroup,
    GazetteerEntry,
    SatisfactionSurvey,
    ServiceCategory,
    ServiceRequest,
    StateCategory,
)
from apps.council_crm.services.citizens import normalise_phone

MAX_PLACES = 20


def gazetteer_search(*, text: str, limit: int = MAX_PLACES) -> list[GazetteerEntry]:
    """Streets, places and landmarks whose name contains the text ('name, locality' narrows)."""
    name, _sep, locality = (part.strip() for part in text.partition(","))
    if not name:
        return []
    compact = name.replace(" ", "").upper()
    qs = GazetteerEntry.objects.filter(
        Q(name__icontains=name) | Q(postcode__iexact=name) | Q(postcode__iexact=compact)
    )
    if locality:
        qs = qs.filter(locality__icontains=locality)
    return list(qs.order_by("name", "locality")[:limit])


def gazetteer_entry(*, pk: object) -> GazetteerEntry | None:
    try:
        return GazetteerEntry.objects.filter(pk=int(str(pk))).first()
    except ValueError:
        return None


def portal_groups() -> list[CategoryGroup]:
    """Groups with at least one active category."""
    return list(CategoryGroup.objects.filter(categories__active=True).distinct())


def portal_group(*, code: str) -> CategoryGroup | None:
    return CategoryGroup.objects.filter(code=code, categories__active=True).distinct().first()


def portal_categories(*, group: CategoryGroup) -> list[ServiceCategory]:
    return list(group.categories.filter(active=True).order_by("name"))


def portal_category(*, code: str) -> ServiceCategory | None:
    return (
        ServiceCategory.objects.filter(code=code, active=True)
        .select_related("group")
        .prefetch_related("questions")
        .first()
    )


@dataclass(frozen=True)
class NearbyReport:
    reference: str
    category: str
    status: str
    address: str
    reported: date
    distance_m: int


def nearby_reports(*, references: list[str], distances: dict[str, float]) -> list[NearbyReport]:
    """What a resident may know of open reports near theirs: nothing about who reported them."""
    rows = ServiceRequest.objects.filter(reference__in=references).select_related(
        "category", "status"
    )
    tz = timezone.get_current_timezone()
    found = {
        c.reference: NearbyReport(
            reference=c.reference,
            category=c.category.name,
            status=_public_status(c),
            address=c.address,
            reported=c.created_at.astimezone(tz).date(),
            distance_m=round(distances.get(c.reference, 0)),
        )
        for c in rows
        if not c.category.is_sensitive
    }
    return [found[r] for r in references if r in found]


def _public_status(case: ServiceRequest) -> str:
    if case.status.public:
        return case.status.name
    return str(StateCategory(case.status.state).label)


def case_confirmation(*, reference: str) -> ServiceRequest | None:
    """The case a journey in this session just created (the session is the proof)."""
    return (
        ServiceRequest.objects.filter(reference=reference)
        .select_related("category", "team", "status")
        .first()
    )


# --- tracking -------------------------------------------------------------------------------


def _contact_values(case: ServiceRequest) -> list[str]:
    values: list[str] = []
    people = [case.citizen] if case.citizen_id else []
    people += [f.citizen for f in case.followers.select_related("citizen") if f.citizen_id]
    for person in people:
        if person is None or person.anonymised_at:
            continue
        if person.email:
            values.append(person.email.strip().lower())
        if person.phone:
            values.append(normalise_phone(person.phone))
    return values


def _given(contact: str) -> str:
    contact = contact.strip()
    return contact.lower() if "@" in contact else normalise_phone(contact)


def case_for_tracking(*, reference: str, contact: str) -> ServiceRequest | None:
    """The case if the contact is the reporter's (or a follower's); None either way otherwise.

    Every comparison is made with compare_digest and all of them are made, so a wrong
    reference and a wrong contact take about as long and look the same.
    """
    given = _given(contact).encode()
    case = (
        ServiceRequest.objects.filter(reference__iexact=reference.strip(), anonymised_at=None)
        .select_related("citizen")
        .first()
    )
    values = _contact_values(case) if case is not None else ["-" * len(given)]
    matched = False
    for value in values:
        matched |= hmac.compare_digest(value.encode(), given) and bool(given)
    return case if matched else None


@dataclass(frozen=True)
class TrackedCase:
    reference: str
    category: str
    status: str
    state: str
    address: str
    reported: datetime
    promised_date: date | None
    resolved_at: datetime | None
    timeline: list[CaseEvent]
    can_reopen: bool
    reopen_until: date | None


def tracked_case(*, reference: str, now: datetime | None = None) -> TrackedCase | None:
    """What the resident sees: public status, public timeline entries only, the promise."""
    now = now or timezone.now()
    case = (
        ServiceRequest.objects.filter(reference=reference, anonymised_at=None)
        .select_related("category", "status")
        .first()
    )
    if case is None:
        return None
    timeline = list(case.events.filter(is_public=True).order_by("created_at", "id"))
    done = case.status.state in (StateCategory.RESOLVED, StateCategory.CLOSED)
    window = timedelta(days=settings.CRM_SITE.reopen_window_days)
    until = case.resolved_at + window if done and case.resolved_at else None
    tz = timezone.get_current_timezone()
    return TrackedCase(
        reference=case.reference,
        category=case.category.name,
        status=_public_status(case),
        state=case.status.state,
        address="" if case.category.is_sensitive else case.address,
        reported=case.created_at,
        promised_date=case.promised_date,
        resolved_at=case.resolved_at,
        timeline=timeline,
        can_reopen=bool(until and now <= until),
        reopen_until=until.astimezone(tz).date() if until else None,
    )


def survey_for(*, token: str) -> SatisfactionSurvey | None:
    return (
        SatisfactionSurvey.objects.filter(token=token).select_related("case__category").first()
        if token
        else None
    )


def case_by_reference(*, reference: str) -> ServiceRequest | None:
    """For the services a resident's proven reference is passed to (reopen)."""
    return ServiceRequest.objects.filter(reference=reference, anonymised_at=None).first()
