"""Duplicates and recurring issues: nearby reports of the same thing (box, then distance)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from apps.council_crm.models import OPEN_STATES, ServiceRequest, StateCategory

EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box that contains the circle."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    coslat = max(math.cos(math.radians(lat)), 1e-6)
    dlon = math.degrees(radius_m / (EARTH_RADIUS_M * coslat))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


@dataclass(frozen=True)
class Nearby:
    case_id: int
    reference: str
    distance_m: float


@dataclass(frozen=True)
class Survey:
    candidates: list[Nearby]  # open reports within the window, nearest first
    closed_recently: int  # resolved or closed here in the last 12 months


def survey(
    *,
    category_id: int,
    latitude: float,
    longitude: float,
    radius_m: int,
    window_days: int,
    now: datetime,
    limit: int = 5,
) -> Survey:
    """One look at the same kind of report around a point: duplicates and recurrence.

    A bounding box on the indexed (category, latitude, longitude) narrows the rows; the exact
    distance is computed for the few left.
    """
    min_lat, max_lat, min_lon, max_lon = bounding_box(latitude, longitude, radius_m)
    year_ago = now - timedelta(days=365)
    rows = ServiceRequest.objects.filter(
        Q(created_at__gte=now - timedelta(days=window_days)) | Q(resolved_at__gte=year_ago),
        category_id=category_id,
        latitude__range=(min_lat, max_lat),
        longitude__range=(min_lon, max_lon),
        duplicate_of__isnull=True,
    ).values_list(
        "id", "reference", "latitude", "longitude", "status__state", "created_at", "resolved_at"
    )[:500]
    window_start = now - timedelta(days=window_days)
    found: list[Nearby] = []
    closed = 0
    for pk, ref, lat, lon, state, created, resolved in rows:
        if lat is None or lon is None:
            continue  # the box above only finds located cases; the type does not know it
        distance = distance_m(latitude, longitude, lat, lon)
        if distance > radius_m:
            continue
        if state in OPEN_STATES and created >= window_start:
            found.append(Nearby(pk, ref, distance))
        elif (
            state in (StateCategory.RESOLVED, StateCategory.CLOSED)
            and resolved
            and resolved >= year_ago
        ):
            closed += 1
    found.sort(key=lambda n: (n.distance_m, n.case_id))
    return Survey(candidates=found[:limit], closed_recently=closed)
