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

    A bounding box on the indexed (category, latitude, longitude) narrows the rows; the
    database keeps those within the radius (a flat-earth distance, exact to well under a metre
    at these ranges) and returns only the nearest open ones and a count of the recently closed
    ones, however many reports share the spot (a street's centre collects hundreds). The
    distances shown are great-circle distances.
    """
    from django.db.models import F, FloatField, Q
    from django.db.models.expressions import ExpressionWrapper, Value

    from apps.council_crm.models import OPEN_STATES, ServiceRequest, StateCategory

    min_lat, max_lat, min_lon, max_lon = bounding_box(latitude, longitude, radius_m)
    year_ago = now - timedelta(days=365)
    window_start = now - timedelta(days=window_days)
    metres_per_degree = math.radians(1) * EARTH_RADIUS_M
    ky = metres_per_degree
    kx = metres_per_degree * max(math.cos(math.radians(latitude)), 1e-6)
    dy = (F("latitude") - Value(latitude)) * Value(ky)
    dx = (F("longitude") - Value(longitude)) * Value(kx)
    near = ServiceRequest.objects.filter(
        category_id=category_id,
        latitude__range=(min_lat, max_lat),
        longitude__range=(min_lon, max_lon),
        duplicate_of__isnull=True,
    ).annotate(d2=ExpressionWrapper(dy * dy + dx * dx, output_field=FloatField()))
    within = near.filter(d2__lte=float(radius_m) ** 2)
    rows = (
        within.filter(status__state__in=OPEN_STATES, created_at__gte=window_start)
        .order_by("d2", "id")
        .values_list("id", "reference", "latitude", "longitude")[:limit]
    )
    found = [
        Nearby(pk, ref, d)
        for pk, ref, lat, lon in rows
        if (d := distance_m(latitude, longitude, lat, lon)) <= radius_m
    ]
    closed = within.filter(
        Q(status__state__in=(StateCategory.RESOLVED, StateCategory.CLOSED)),
        resolved_at__gte=year_ago,
    ).count()
    return Survey(candidates=found, closed_recently=closed)
