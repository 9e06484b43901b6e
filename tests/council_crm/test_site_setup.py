"""Loading a council's reference data: complete, consistent and idempotent."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from apps.council_crm import models as m
from apps.council_crm.demo.motions import demo_register_load
from apps.council_crm.demo.workload import DEMO_PASSWORD, demo_users_ensure
from apps.council_crm.services.site_setup import FixtureError, site_load
from config.site import load_site

REQUIRED_CATEGORY_WORDS = [
    "pothole",
    "dog fouling",
    "tree",
    "grass",
    "fly-tipping",
    "anti-social",
    "garden",
    "light",
    "complaint",
    "missed",
]


def _snapshot() -> str:
    out = io.StringIO()
    call_command("dumpdata", "council_crm", "--indent=0", stdout=out)
    return out.getvalue()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_loading_the_demo_site_twice_gives_the_same_data():
    # given an empty database (the suite preloads the demo site; start from nothing here)
    call_command("flush", "--noinput")
    site = load_site("demo")
    first = site_load(site=site)
    demo_register_load(site=site, report=first)
    assert first.changed
    assert first.created["motions"] >= 100
    before = _snapshot()
    second = site_load(site=site)
    demo_register_load(site=site, report=second)
    assert not second.changed, (second.created, second.updated)
    assert _snapshot() == before


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_load_site_command_reports_up_to_date_on_the_second_run():
    call_command("flush", "--noinput")
    out = io.StringIO()
    call_command("load_site", "--demo-users", stdout=out)
    assert "created" in out.getvalue()
    before = _snapshot()
    out = io.StringIO()
    call_command("load_site", "--demo-users", stdout=out)
    assert "already up to date" in out.getvalue()
    # the closing list of demo sign-ins repeats the password (make run ends with it)
    last = out.getvalue().strip().splitlines()[-1]
    assert "demo-2026" in last
    assert "password" in last
    assert _snapshot() == before


@pytest.mark.django_db
def test_demo_council_has_what_the_product_promises(demo_site):
    assert m.Division.objects.count() >= 12
    for division in m.Division.objects.all():
        assert division.councillors.count() == 2, division
        assert division.places.count() >= 1, division
    assert m.Department.objects.count() >= 5
    assert all(d.teams.exists() for d in m.Department.objects.all())
    assert m.Team.objects.filter(is_triage=True).exists()
    assert m.MemberSupportDelegation.objects.exists()
    assert m.GazetteerEntry.objects.filter(division__isnull=True).count() == 0
    names = " ".join(c.name.lower() for c in m.ServiceCategory.objects.all())
    for word in REQUIRED_CATEGORY_WORDS:
        assert word in names, word
    for category in m.ServiceCategory.objects.all():
        assert category.questions.exists(), category
        assert category.sla_value > 0
    assert m.RoutingRule.objects.count() >= 10
    assert m.CaseStatus.objects.filter(is_default=True).count() == 1
    states = set(m.CaseStatus.objects.values_list("state", flat=True))
    assert states == set(m.StateCategory.values)
    events = set(m.NotificationTemplate.objects.values_list("event", flat=True))
    assert events == set(m.NotificationEvent.values)


@pytest.mark.django_db
def test_irish_sample_site_loads_with_its_own_geography(kilbrack_site):
    areas = m.Division.objects.filter(code__startswith="KB")
    assert areas.count() == 6
    assert m.ServiceCategory.objects.count() >= 6
    assert m.NotificationTemplate.objects.filter(language="ga").exists()
    centre_lat, _ = load_site("kilbrack").map_centre
    assert all(abs(d.min_lat - centre_lat) < 1 for d in areas)


@pytest.mark.django_db
def test_a_fixture_that_refers_to_a_missing_team_is_rejected_and_writes_nothing(tmp_path):
    site = load_site("demo")
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    for name in ("divisions.geojson", "gazetteer.json"):
        (bad_dir / name).write_text((site.fixtures_dir / name).read_text())
    council = json.loads((site.fixtures_dir / "council.json").read_text())
    council["routing_rules"][0]["team"] = "NO-SUCH-TEAM"
    (bad_dir / "council.json").write_text(json.dumps(council))

    class BadSite:
        fixtures_dir = bad_dir

    before = _snapshot()
    with pytest.raises(FixtureError, match="unknown team 'NO-SUCH-TEAM'"):
        site_load(site=BadSite())  # type: ignore[arg-type]
    assert _snapshot() == before


@pytest.mark.django_db
def test_demo_users_cover_every_role_and_can_sign_in(demo_site, client):
    logins = demo_users_ensure()
    roles = {role for role, _ in logins}
    assert roles == {str(r.label) for r in m.Role}
    for _, username in logins:
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()
    councillor = m.User.objects.get(username=dict(logins)[str(m.Role.COUNCILLOR.label)])
    assert councillor.councillor.divisions.exists()
    support = m.User.objects.get(username=dict(logins)[str(m.Role.SUPPORT_OFFICER.label)])
    assert support.delegations.exists()


@pytest.mark.django_db
def test_fixture_people_cannot_sign_in_until_given_a_password(demo_site, client):
    user = m.User.objects.filter(role=m.Role.COUNCILLOR).first()
    assert not user.has_usable_password()


@pytest.mark.django_db
def test_admin_shows_the_demo_data_to_the_administrator(demo_site, client):
    demo_users_ensure()
    assert client.login(username="admin", password=DEMO_PASSWORD)
    division = m.Division.objects.first()
    response = client.get("/admin/council_crm/division/")
    assert response.status_code == 200
    assert division.name in response.content.decode()
    response = client.get(f"/admin/council_crm/division/{division.pk}/change/")
    assert response.status_code == 200
    assert "<svg" in response.content.decode()
    category = m.ServiceCategory.objects.filter(questions__isnull=False).first()
    response = client.get(f"/admin/council_crm/servicecategory/{category.pk}/change/")
    assert category.questions.first().label in response.content.decode()
    for path in ("routingrule", "casestatus", "team", "notificationtemplate", "closureday"):
        assert client.get(f"/admin/council_crm/{path}/").status_code == 200


@pytest.mark.django_db
def test_admin_rejects_a_bad_geojson_upload_and_changes_nothing(demo_site, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    demo_users_ensure()
    client.login(username="admin", password=DEMO_PASSWORD)
    division = m.Division.objects.first()
    before = division.boundary
    bad = SimpleUploadedFile("bad.geojson", b'{"type": "Point", "coordinates": [0, 0]}')
    response = client.post(
        f"/admin/council_crm/division/{division.pk}/change/",
        {"code": division.code, "name": division.name, "boundary": "", "upload": bad},
    )
    assert response.status_code == 200
    assert "Polygon or MultiPolygon" in response.content.decode()
    division.refresh_from_db()
    assert division.boundary == before


@pytest.mark.django_db
def test_admin_accepts_a_geojson_upload_and_derives_the_bounds(demo_site, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    demo_users_ensure()
    client.login(username="admin", password=DEMO_PASSWORD)
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[1.0, 50.0], [1.1, 50.0], [1.1, 50.1], [1.0, 50.1], [1.0, 50.0]]],
        },
    }
    upload = SimpleUploadedFile("new.geojson", json.dumps(feature).encode())
    response = client.post(
        "/admin/council_crm/division/add/",
        {"code": "NEW", "name": "New Division", "boundary": "", "upload": upload},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    new = m.Division.objects.get(code="NEW")
    assert (new.min_lon, new.max_lat) == (1.0, 50.1)
    assert new.boundary["type"] == "Polygon"
