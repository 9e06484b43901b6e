"""Resident portal reads: the gazetteer, the catalogue and what a resident may see of a case.

A resident without an account proves who they are by the reference and the email or phone
they gave; they only ever see public timeline entries and public status names.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import shapely
from django.conf import settings
from django.db.models import Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape

from apps.council_crm.config_cache import cached, rebuilt_on_change
from apps.council_crm.contacts import normalise_phone
from apps.council_crm.duplicates import bounding_box, distance_m
from apps.council_crm.geo import division_index, divisions_stamp
from apps.council_crm.models import (
    CaseEvent,
    CategoryGroup,
    Division,
    GazetteerEntry,
    ReportSubmission,
    SatisfactionSurvey,
    ServiceCategory,
    ServiceRequest,
    StateCategory,
)

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
    """An active category with its group and questions (configuration: cached per process)."""
    return _portal_categories().get(code)


def _portal_categories() -> dict[str, ServiceCategory]:
    return cached(
        "portal_categories",
        lambda: {
            c.code: c
            for c in ServiceCategory.objects.filter(active=True)
            .select_related("group")
            .prefetch_related("questions")
        },
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
        .select_related("category", "team", "status", "division")
        .defer("division__boundary")
        .first()
    )


def report_confirmation(*, idempotency_key: str) -> ServiceRequest | ReportSubmission | None:
    """What a sent web report has become: its case, or the submission still waiting for the
    worker (which has the same reference, category, place, team and promised date).

    The submission is looked for first: the worker makes the case and deletes the submission
    in one commit, so this never misses both.
    """
    submission = (
        ReportSubmission.objects.filter(idempotency_key=idempotency_key)
        .select_related("category", "team", "division")
        .defer("division__boundary")
        .first()
    )
    if submission is not None:
        return submission
    return (
        ServiceRequest.objects.filter(idempotency_key=idempotency_key)
        .select_related("category", "team", "status", "division")
        .defer("division__boundary")
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


def case_for_tracking(*, reference: str, contact: str) -> ServiceRequest | ReportSubmission | None:
    """The case if the contact is the reporter's (or a follower's), or the web report still
    waiting for the worker if the contact is the one it was sent with; None otherwise.

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
    if case is None:
        return _submission_for_tracking(reference=reference, given=given)
    return case if matched else None


def _submission_for_tracking(*, reference: str, given: bytes) -> ReportSubmission | None:
    """A web report received but not yet logged, when the contact is the one it was sent with."""
    submission = ReportSubmission.objects.filter(reference__iexact=reference.strip()).first()
    if submission is None:
        return None
    values = [submission.email.strip().lower()] if submission.email else []
    values += [normalise_phone(submission.phone)] if submission.phone else []
    matched = False
    for value in values or ["-" * len(given)]:
        matched |= hmac.compare_digest(value.encode(), given) and bool(given)
    return submission if matched else None


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
        return _tracked_submission(reference=reference)
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


def _tracked_submission(*, reference: str) -> TrackedCase | None:
    """A web report received moments ago, before the worker has logged it as a case."""
    submission = (
        ReportSubmission.objects.filter(reference=reference).select_related("category").first()
    )
    if submission is None:
        return None
    return TrackedCase(
        reference=submission.reference,
        category=submission.category.name,
        status=str(_("Received")),
        state=StateCategory.NEW,
        address="" if submission.category.is_sensitive else submission.address,
        reported=submission.received_at,
        promised_date=submission.promised_date,
        resolved_at=None,
        timeline=[],
        can_reopen=False,
        reopen_until=None,
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


# --- the map --------------------------------------------------------------------------------

# Boundaries with more points than this are simplified for the map (about 10 m at this
# tolerance); every coordinate is rounded to 5 decimals (about 1 m).
MAP_MAX_POINTS = 400
MAP_TOLERANCE_DEG = 0.0001


def division_map_stamp() -> str:
    """Changes whenever a division is added, removed or edited: the map's ETag."""
    count, changed = divisions_stamp()
    return f'"divisions-{count}-{changed.isoformat() if changed else "-"}"'


def division_map() -> dict[str, Any]:
    """Every division as a GeoJSON Feature (code, name, boundary) for the public map."""
    return rebuilt_on_change("division_map", divisions_stamp(), _build_division_map)


def _build_division_map() -> dict[str, Any]:
    features = []
    for code, name, boundary in Division.objects.order_by("name").values_list(
        "code", "name", "boundary"
    ):
        geometry = shape(boundary)
        if shapely.get_num_coordinates(geometry) > MAP_MAX_POINTS:
            geometry = geometry.simplify(MAP_TOLERANCE_DEG, preserve_topology=True)
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": name},
                "geometry": _rounded(mapping(geometry)),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 5)
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def division_map_bounds() -> tuple[float, float, float, float] | None:
    """South, west, north and east edges of the council's area, or None without divisions."""
    agg = Division.objects.aggregate(
        s=Min("min_lat"), w=Min("min_lon"), n=Max("max_lat"), e=Max("max_lon")
    )
    if agg["s"] is None:
        return None
    return (agg["s"], agg["w"], agg["n"], agg["e"])


def division_at(*, latitude: float, longitude: float) -> Division | None:
    """The division a point is in (its boundary included), or None outside the council's area."""
    hit = division_index().lookup(latitude=latitude, longitude=longitude)
    return Division.objects.filter(pk=hit.id).first() if hit else None


def nearest_place(
    *, latitude: float, longitude: float, within_m: int = 250
) -> GazetteerEntry | None:
    """The gazetteer's nearest street or place to a point, if one is within reach."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(latitude, longitude, within_m)
    candidates = GazetteerEntry.objects.filter(
        latitude__range=(min_lat, max_lat), longitude__range=(min_lon, max_lon)
    )[:200]
    scored = [
        (distance_m(latitude, longitude, e.latitude, e.longitude), e.name, e.pk, e)
        for e in candidates
    ]
    scored = [s for s in scored if s[0] <= within_m]
    return min(scored)[3] if scored else None
