"""Division lookup by point, and boundary validation."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import Point, shape
from shapely.ops import unary_union

from apps.council_crm.geo import InvalidBoundary, division_index, parse_boundary
from apps.council_crm.models import Division
from config.site import BASE_DIR

SITES = ["demo", "kilbrack"]


def _features(fixture_set: str) -> list[dict]:
    path = BASE_DIR / "fixtures" / fixture_set / "divisions.geojson"
    return json.loads(path.read_text())["features"]


@pytest.mark.parametrize("fixture_set", SITES)
def test_fixture_divisions_tile_the_area_without_overlap(fixture_set):
    shapes = [shape(f["geometry"]) for f in _features(fixture_set)]
    assert all(s.is_valid for s in shapes)
    for i, a in enumerate(shapes):
        for b in shapes[i + 1 :]:
            assert a.intersection(b).area < 1e-10
    area = unary_union(shapes)
    assert abs(area.area - sum(s.area for s in shapes)) < 1e-9


@pytest.mark.django_db
@pytest.mark.parametrize("fixture_set", SITES)
def test_lookup_finds_the_division_for_points_inside_each_polygon(fixture_set):
    from apps.council_crm.services.geography import division_save

    for feature in _features(fixture_set):
        division_save(
            code=feature["properties"]["code"],
            name=feature["properties"]["name"],
            boundary=feature["geometry"],
        )
    index = division_index()
    for feature in _features(fixture_set):
        polygon = shape(feature["geometry"])
        # an interior point, and points near each vertex pulled 1% towards the centre
        inside = [polygon.representative_point()]
        centre = polygon.centroid
        for x, y in list(polygon.exterior.coords)[:-1]:
            p = Point(x + (centre.x - x) * 0.01, y + (centre.y - y) * 0.01)
            if polygon.contains(p):
                inside.append(p)
        for point in inside:
            hit = index.lookup(latitude=point.y, longitude=point.x)
            assert hit is not None
            assert hit.code == feature["properties"]["code"]


@pytest.mark.django_db
@pytest.mark.parametrize("fixture_set", SITES)
def test_lookup_finds_nothing_outside_the_council_area(fixture_set):
    from apps.council_crm.services.geography import division_save

    for feature in _features(fixture_set):
        division_save(
            code=feature["properties"]["code"],
            name=feature["properties"]["name"],
            boundary=feature["geometry"],
        )
    area = unary_union([shape(f["geometry"]) for f in _features(fixture_set)])
    min_x, min_y, max_x, max_y = area.bounds
    index = division_index()
    outside = [
        Point(min_x - 0.05, min_y - 0.05),
        Point(max_x + 0.05, (min_y + max_y) / 2),
        Point(0.0, 51.5),
    ]
    # points inside the bounding box but outside the (irregular) outline
    step_x, step_y = (max_x - min_x) / 40, (max_y - min_y) / 40
    grid = [Point(min_x + i * step_x, min_y + j * step_y) for i in range(41) for j in range(41)]
    outside += [p for p in grid if area.distance(p) > 1e-6]
    assert len(outside) > 3
    for point in outside:
        assert index.lookup(latitude=point.y, longitude=point.x) is None


@pytest.mark.django_db
def test_index_is_rebuilt_when_divisions_change():
    from apps.council_crm.services.geography import division_save

    square = {
        "type": "Polygon",
        "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]],
    }
    division_save(code="A", name="A", boundary=square)
    first = division_index()
    assert division_index() is first
    assert first.lookup(latitude=0.5, longitude=0.5).code == "A"
    assert first.lookup(latitude=0.5, longitude=1.5) is None

    moved = {"type": "Polygon", "coordinates": [[[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]]]}
    division_save(code="B", name="B", boundary=moved)
    assert division_index().lookup(latitude=0.5, longitude=1.5).code == "B"


@pytest.mark.django_db
def test_division_save_derives_bounds_and_is_a_no_op_when_unchanged():
    from apps.council_crm.services.geography import division_save

    square = {"type": "Polygon", "coordinates": [[[-1, 52], [0, 52], [0, 53], [-1, 53], [-1, 52]]]}
    division = division_save(code="X", name="X", boundary=square)
    assert (division.min_lon, division.min_lat, division.max_lon, division.max_lat) == (
        -1,
        52,
        0,
        53,
    )
    stamp = division.updated_at
    again = division_save(code="X", name="X", boundary=square)
    assert again.updated_at == stamp
    assert Division.objects.filter(code="X").count() == 1


@pytest.mark.parametrize(
    ("geojson", "message"),
    [
        ({"type": "Point", "coordinates": [0, 0]}, "Polygon or MultiPolygon"),
        ("not a dict", "Polygon or MultiPolygon"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
            "not a valid polygon",
        ),
        ({"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [200, 1], [0, 0]]]}, "WGS84"),
        ({"type": "Polygon", "coordinates": "garbage"}, "could not be read"),
        ({"type": "FeatureCollection", "features": []}, "exactly one feature"),
    ],
)
def test_parse_boundary_rejects_bad_geometry_with_a_clear_message(geojson, message):
    with pytest.raises(InvalidBoundary, match=message):
        parse_boundary(geojson)


def test_parse_boundary_accepts_a_feature():
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
    }
    assert parse_boundary(feature).area == pytest.approx(0.5)
