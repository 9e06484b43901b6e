"""duplicates.survey: the same category within the radius, nearest first; recent closures."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.council_crm import duplicates
from apps.council_crm.models import CaseStatus, ServiceCategory, ServiceRequest, StateCategory
from tests.factories.cases import point_in, report_pothole

pytestmark = pytest.mark.django_db


def north_of(lat: float, lon: float, metres: float) -> tuple[float, float]:
    return lat + math.degrees(metres / duplicates.EARTH_RADIUS_M), lon


def east_of(lat: float, lon: float, metres: float) -> tuple[float, float]:
    coslat = math.cos(math.radians(lat))
    return lat, lon + math.degrees(metres / (duplicates.EARTH_RADIUS_M * coslat))


def look(lat: float, lon: float, *, radius_m: int = 50, limit: int = 5) -> duplicates.Survey:
    pothole = ServiceCategory.objects.get(code="pothole")
    return duplicates.survey(
        category_id=pothole.pk,
        latitude=lat,
        longitude=lon,
        radius_m=radius_m,
        window_days=30,
        now=timezone.now(),
        limit=limit,
    )


def report_at(lat: float, lon: float) -> ServiceRequest:
    return report_pothole(latitude=lat, longitude=lon).case


def test_only_reports_inside_the_radius_nearest_first_with_their_distance():
    lat, lon = point_in("FE03")
    far = report_at(*north_of(lat, lon, 60))
    near = report_at(*north_of(lat, lon, 30))
    side = report_at(*east_of(lat, lon, 45))

    found = look(lat, lon)

    assert [n.reference for n in found.candidates] == [near.reference, side.reference]
    assert found.candidates[0].distance_m == pytest.approx(30, abs=0.5)
    assert found.candidates[1].distance_m == pytest.approx(45, abs=0.5)
    assert far.reference not in [n.reference for n in found.candidates]


def test_many_reports_on_one_spot_give_the_limit_and_closures_are_counted_within_a_year():
    lat, lon = point_in("FE04")
    made = [report_pothole(division="FE04").case for _ in range(7)]
    completed = CaseStatus.objects.filter(state=StateCategory.RESOLVED).first()
    now = timezone.now()
    ServiceRequest.objects.filter(pk__in=[made[0].pk, made[1].pk]).update(
        status=completed, resolved_at=now - timedelta(days=10)
    )
    ServiceRequest.objects.filter(pk=made[2].pk).update(
        status=completed, resolved_at=now - timedelta(days=400)
    )

    found = look(lat, lon, limit=3)

    assert len(found.candidates) == 3
    open_refs = {c.reference for c in made[3:]}
    assert {n.reference for n in found.candidates} <= open_refs
    assert found.closed_recently == 2
