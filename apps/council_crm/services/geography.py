"""Writes for geography: divisions (with derived bounds)."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from shapely.geometry import mapping

from apps.council_crm.geo import parse_boundary
from apps.council_crm.models import Division


@transaction.atomic
def division_save(
    *, code: str, name: str, boundary: dict[str, Any], division: Division | None = None
) -> Division:
    """Create or update a division; the boundary is validated and its bounds derived.

    Saving identical values changes nothing (not even updated_at), so reloading a site is a no-op.
    """
    geometry = parse_boundary(boundary)
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    values = {
        "code": code,
        "name": name,
        "boundary": json.loads(json.dumps(mapping(geometry))),
        "min_lat": min_lat,
        "min_lon": min_lon,
        "max_lat": max_lat,
        "max_lon": max_lon,
    }
    division = division or Division.objects.filter(code=code).first() or Division()
    if division.pk and all(getattr(division, k) == v for k, v in values.items()):
        return division
    for key, value in values.items():
        setattr(division, key, value)
    division.save()
    return division
