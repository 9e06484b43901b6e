"""The where step's map pin through Django's test client, and the division boundaries it draws."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.council_crm.models import Division, GazetteerEntry, Role, ServiceRequest, User
from tests.factories.cases import log_reports, point_in, report_pothole

from .conftest import POTHOLE_ANSWERS

pytestmark = pytest.mark.django_db

OUTSIDE = {"latitude": "51.5074", "longitude": "-0.1278"}  # London: not Fernshire


def pin_to_check(walk, latitude: float, longitude: float) -> None:
    response = walk.post("where", {"latitude": str(latitude), "longitude": str(longitude)})
    assert response.status_code == 302
    assert response["Location"] == walk.url("group")
    assert walk.post("group", {"group": "roads"}).status_code == 302
    assert walk.post("category", {"category": "pothole"}).status_code == 302
    assert walk.post("questions", POTHOLE_ANSWERS).status_code == 302
    assert walk.get("duplicates").status_code == 302
    assert walk.post("details", {"description": "Deep hole"}).status_code == 302
    about = {"first_name": "Sam", "last_name": "Jones", "email": "sam@example.com"}
    assert walk.post("about-you", about).status_code == 302
    assert walk.post("consent", {}).status_code == 302


def test_a_pin_inside_the_area_makes_a_case_at_that_point_in_its_division(walk):
    # given a pin well inside Aldermoor
    latitude, longitude = point_in("FE04")
    pin_to_check(walk, latitude, longitude)

    # then the check page says where the pin is
    body = walk.get("check").content.decode()
    assert f"Pin at {latitude:.5f}, {longitude:.5f}" in body
    assert "in Aldermoor" in body
    assert ServiceRequest.objects.count() == 0

    # when the report is sent, twice
    first = walk.post("check")
    again = walk.post("check")
    log_reports()

    # then one case has that point and Aldermoor as its division
    case = ServiceRequest.objects.get()
    assert first.status_code == again.status_code == 302
    assert (case.latitude, case.longitude) == (round(latitude, 6), round(longitude, 6))
    assert case.division.code == "FE04"
    assert case.citizen.email == "sam@example.com"
    assert case.reference in walk.client.get(first["Location"]).content.decode()


def test_a_pin_near_a_street_is_sent_with_that_street_as_its_address(walk):
    church = GazetteerEntry.objects.get(name="Church Street")
    pin_to_check(walk, church.latitude + 0.0003, church.longitude)
    assert "Near Church Street, Aldermoor" in walk.get("check").content.decode()
    walk.post("check")
    log_reports()
    assert ServiceRequest.objects.get().address == "Near Church Street, Aldermoor"


def test_a_pin_outside_the_area_is_refused_and_nothing_is_kept(walk):
    response = walk.post("where", OUTSIDE)

    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert 'href="#report-map"' in body
    assert "The location must be inside the area Fernshire County Council looks after" in body
    assert "pin" not in walk.client.session["portal_reports"][walk.base.split("/")[-2]]
    assert walk.get("group")["Location"] == walk.url("where")
    assert ServiceRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"latitude": "north", "longitude": "-0.9"}, "must be a latitude and longitude"),
        ({"latitude": "nan", "longitude": "inf"}, "must be a latitude and longitude"),
        ({"latitude": "91", "longitude": "-0.9"}, "must be a latitude and longitude"),
        ({"latitude": "", "longitude": ""}, "Choose the location on the map"),
        ({"latitude": "52.2"}, "Choose the location on the map"),
    ],
)
def test_a_pin_that_is_not_a_point_is_an_error(walk, data, message):
    response = walk.post("where", data)

    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert message in body
    assert walk.get("group")["Location"] == walk.url("where")


def test_a_pin_replaces_the_street_and_moving_it_asks_about_duplicates_again(walk):
    # given a journey past the duplicates step by street
    walk.to_details()
    session = walk.client.session["portal_reports"]
    assert session[walk.base.split("/")[-2]]["duplicates_checked"] is True

    # when the resident drops a pin instead
    latitude, longitude = point_in("FE04")
    walk.post("where", {"latitude": latitude, "longitude": longitude})

    # then the street is forgotten and the duplicates step is asked again
    journey = walk.client.session["portal_reports"][walk.base.split("/")[-2]]
    assert "place" not in journey
    assert journey["pin"] == {"latitude": round(latitude, 6), "longitude": round(longitude, 6)}
    assert "duplicates_checked" not in journey


def test_reports_near_the_pin_are_offered_as_duplicates(walk):
    # given an open pothole at a point in Fernbridge North
    latitude, longitude = point_in("FE01")
    existing = report_pothole(division="FE01").case

    # when a resident drops a pin on the same point and says it is a pothole
    walk.post("where", {"latitude": latitude, "longitude": longitude})
    walk.post("group", {"group": "roads"})
    walk.post("category", {"category": "pothole"})
    walk.post("questions", POTHOLE_ANSWERS)

    # then the duplicates page lists it
    response = walk.get("duplicates")
    assert response.status_code == 200
    assert existing.reference in response.content.decode()


def test_the_where_page_holds_the_map_hidden_for_the_script_and_the_search_without_it(walk):
    body = walk.get("where").content.decode()

    assert '<div id="report-map-section" hidden>' in body
    assert 'data-divisions="/report/map/divisions.geojson"' in body
    assert "council_crm/js/report-map.js" in body
    assert 'name="q"' in body


def test_a_signed_in_resident_finds_their_name_and_email_filled_in(client, demo_site):
    user = User.objects.create_user(
        "pat",
        email="pat.lee@example.com",
        first_name="Pat",
        last_name="Lee",
        password="x",
        role=Role.RESIDENT,
    )
    client.force_login(user)
    from .conftest import Walk

    walk = Walk(client)
    walk.to_details()
    walk.post("details", {"description": "Deep hole"})

    body = walk.get("about-you").content.decode()

    assert 'value="pat.lee@example.com"' in body
    assert 'value="Pat"' in body
    assert 'value="Lee"' in body


def test_staff_are_not_taken_for_the_reporter(client, demo_site):
    user = User.objects.create_user(
        "officer", email="officer@fernshire.example", role=Role.CASE_OFFICER
    )
    client.force_login(user)
    from .conftest import Walk

    walk = Walk(client)
    walk.to_details()
    walk.post("details", {"description": "Deep hole"})

    assert "officer@fernshire.example" not in walk.get("about-you").content.decode()


def test_the_division_boundaries_are_public_geojson_with_every_division(client, demo_site):
    url = reverse("portal:report-map-divisions")

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert "public" in response["Cache-Control"]
    data = response.json()
    assert data["type"] == "FeatureCollection"
    found = {f["properties"]["code"]: f["properties"]["name"] for f in data["features"]}
    assert found == dict(Division.objects.values_list("code", "name"))
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in data["features"])

    # and a browser that has it already is told it has not changed
    again = client.get(url, headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304


def test_large_boundaries_are_simplified_for_the_map(client, demo_site):
    # given a division whose boundary has thousands of points along a circle
    import math

    ring = [
        [
            -0.5 + 0.05 * math.cos(t / 1000 * 2 * math.pi),
            52.0 + 0.05 * math.sin(t / 1000 * 2 * math.pi),
        ]
        for t in range(1000)
    ]
    ring.append(ring[0])
    Division.objects.create(
        code="ZZ1", name="Big", boundary={"type": "Polygon", "coordinates": [ring]}
    )

    data = client.get(reverse("portal:report-map-divisions")).json()

    big = next(f for f in data["features"] if f["properties"]["code"] == "ZZ1")
    assert 4 < len(big["geometry"]["coordinates"][0]) < 1001
