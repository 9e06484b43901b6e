"""Duplicates and recurring issues: nearby reports of the same thing (box, then distance)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

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


def candidates(
    *,
    category_id: int,
    latitude: float,
    longitude: float,
    radius_m: int,
    window_days: int,
    now: datetime,
    open_only: bool = True,
    exclude_id: int | None = None,
    limit: int = 5,
) -> list[Nearby]:
    """Reports of the same category within the radius and time window, nearest first.

    The bounding box uses the (latitude, longitude) index; the exact distance is then computed
    for the few rows left.
    """
    from apps.council_crm.models import OPEN_STATES, ServiceRequest

    min_lat, max_lat, min_lon, max_lon = bounding_box(latitude, longitude, radius_m)
    qs = ServiceRequest.objects.filter(
        category_id=category_id,
        latitude__range=(min_lat, max_lat),
        longitude__range=(min_lon, max_lon),
        created_at__gte=now - timedelta(days=window_days),
        duplicate_of__isnull=True,
    )
    if open_only:
        qs = qs.filter(status__state__in=OPEN_STATES)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    rows = qs.values_list("id", "reference", "latitude", "longitude")[:200]
    found = [
        Nearby(pk, ref, distance_m(latitude, longitude, lat, lon)) for pk, ref, lat, lon in rows
    ]
    found = [n for n in found if n.distance_m <= radius_m]
    found.sort(key=lambda n: (n.distance_m, n.case_id))
    return found[:limit]


def recent_closed_count(
    *, category_id: int, latitude: float, longitude: float, radius_m: int, now: datetime
) -> int:
    """Closed or resolved reports of the same thing here in the last 12 months."""
    from apps.council_crm.models import ServiceRequest, StateCategory

    min_lat, max_lat, min_lon, max_lon = bounding_box(latitude, longitude, radius_m)
    rows = ServiceRequest.objects.filter(
        category_id=category_id,
        latitude__range=(min_lat, max_lat),
        longitude__range=(min_lon, max_lon),
        status__state__in=(StateCategory.RESOLVED, StateCategory.CLOSED),
        resolved_at__gte=now - timedelta(days=365),
        duplicate_of__isnull=True,
    ).values_list("latitude", "longitude")[:500]
    return sum(1 for lat, lon in rows if distance_m(latitude, longitude, lat, lon) <= radius_m)
