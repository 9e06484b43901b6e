"""Geography engine: GeoJSON validation and division lookup by point (shapely STRtree)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import shapely
from django.db.models import Count, Max
from shapely.geometry import MultiPolygon, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry

from apps.council_crm.config_cache import cached, rebuilt_on_change
from apps.council_crm.models import Division


class InvalidBoundary(ValueError):
    """A boundary that is not a valid GeoJSON Polygon or MultiPolygon in WGS84."""


def parse_boundary(geojson: Any) -> Polygon | MultiPolygon:
    """Accept a geometry, a Feature or a one-feature FeatureCollection; return a valid polygon."""
    if isinstance(geojson, dict) and geojson.get("type") == "FeatureCollection":
        features = geojson.get("features") or []
        if len(features) != 1:
            raise InvalidBoundary("The file must hold exactly one feature for one division.")
        geojson = features[0]
    if isinstance(geojson, dict) and geojson.get("type") == "Feature":
        geojson = geojson.get("geometry")
    if not isinstance(geojson, dict) or geojson.get("type") not in ("Polygon", "MultiPolygon"):
        raise InvalidBoundary("The boundary must be a GeoJSON Polygon or MultiPolygon.")
    try:
        geometry = shape(geojson)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise InvalidBoundary(f"The boundary could not be read: {exc}") from exc
    if geometry.is_empty:
        raise InvalidBoundary("The boundary is empty.")
    if not geometry.is_valid:
        raise InvalidBoundary(
            f"The boundary is not a valid polygon ({shapely.is_valid_reason(geometry)})."
        )
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise InvalidBoundary("Coordinates must be longitude, latitude in WGS84 degrees.")
    assert isinstance(geometry, Polygon | MultiPolygon)  # noqa: S101 - checked by type above
    return geometry


@dataclass(frozen=True)
class DivisionShape:
    id: int
    code: str
    geometry: BaseGeometry


class DivisionIndex:
    """Point-in-polygon lookup over a fixed set of divisions, built once."""

    def __init__(self, divisions: Iterable[DivisionShape]) -> None:
        self._divisions: Sequence[DivisionShape] = tuple(divisions)
        self._tree = shapely.STRtree([d.geometry for d in self._divisions])
        for d in self._divisions:
            shapely.prepare(d.geometry)

    def __len__(self) -> int:
        return len(self._divisions)

    def lookup(self, *, latitude: float, longitude: float) -> DivisionShape | None:
        """The division containing the point (its boundary included), or None outside the area."""
        point = Point(longitude, latitude)
        for i in self._tree.query(point, predicate="intersects"):
            return self._divisions[int(i)]
        return None


def divisions_stamp() -> tuple[int, datetime | None]:
    """Changes whenever a division is added, removed or edited (read at most once per
    CRM_CONFIG_CACHE_SECONDS): what the division index and the public map are built from."""

    def load() -> tuple[int, datetime | None]:
        agg = Division.objects.aggregate(n=Count("id"), t=Max("updated_at"))
        return (agg["n"], agg["t"])

    return cached("division_stamp", load)


def division_index() -> DivisionIndex:
    """The process-wide index, rebuilt only when the divisions table changes."""

    def build() -> DivisionIndex:
        rows = Division.objects.values_list("id", "code", "boundary")
        return DivisionIndex(DivisionShape(pk, code, shape(b)) for pk, code, b in rows)

    return rebuilt_on_change("division_index", divisions_stamp(), build)


def boundary_svg_path(geojson: dict[str, Any], *, width: int = 400, height: int = 300) -> str:
    """An SVG path for a boundary, for previews that need no map tiles or JavaScript."""
    geometry = shape(geojson)
    min_x, min_y, max_x, max_y = geometry.bounds
    span = max(max_x - min_x, max_y - min_y) or 1.0
    scale = min(width, height) / span

    def ring(coords: Iterable[tuple[float, ...]]) -> str:
        pts = [f"{(x - min_x) * scale:.1f},{(max_y - y) * scale:.1f}" for x, y, *_ in coords]
        return "M" + " L".join(pts) + " Z"

    polygons = geometry.geoms if isinstance(geometry, MultiPolygon) else [geometry]
    parts = []
    for polygon in polygons:
        parts.append(ring(polygon.exterior.coords))
        parts.extend(ring(interior.coords) for interior in polygon.interiors)
    return " ".join(parts)
