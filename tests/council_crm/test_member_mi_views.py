"""/member/mi/: who may read it, other divisions are 404, bad dates an error summary, exports,
and never a resident's personal data."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.council_crm import models as m
from apps.council_crm.contacts import ContactDetails
from apps.council_crm.services.rollups import rollups_rebuild
from tests.council_crm.visibility.conftest import World, world  # noqa: F401 - the fixture
from tests.factories.cases import report_pothole

NAME, EMAIL = "Zebedee", "zebedee.quill@example.com"


def _client(user: m.User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def figures(world: World) -> World:  # noqa: F811
    for i in range(6):
        report_pothole(
            division="FE01",
            contact=ContactDetails(first_name=NAME, last_name="Quill", email=EMAIL, phone=""),
            description=f"Pothole by the blue gate {i}",
        )
    rollups_rebuild(now=timezone.now() + timedelta(days=1))
    return world


@pytest.mark.django_db
def test_a_councillor_reads_their_division_and_the_council(figures):
    client = _client(figures.users["cllr_division"])
    page = client.get("/member/mi/?scope=FE01&period=month")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Management information" in text
    assert "Figures up to the end of" in text
    assert "Requests received by type and state now" in text
    assert 'id="mi-choropleth"' in text
    assert 'id="mi-heatgrid"' in text
    assert 'id="mi-chart-volumes"' in text
    assert "<script>" not in text.split("</head>")[1].replace("<script>document.body", "")
    council = client.get("/member/mi/?scope=council&period=year")
    assert council.status_code == 200
    assert "The whole council" in council.content.decode()


@pytest.mark.django_db
def test_no_personal_data_on_the_page_or_in_exports(figures):
    client = _client(figures.users["cllr_division"])
    bodies = [client.get("/member/mi/?scope=FE01&period=month").content.decode()]
    for slug in ("volumes", "channels", "ages", "locations", "divisions", "trend", "sla"):
        bodies.append(client.get(f"/member/mi/{slug}.csv?scope=FE01&period=month").content.decode())
    for body in bodies:
        for needle in (NAME, "Quill", EMAIL, "blue gate", figures.case.reference):
            assert needle not in body


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("cllr_other", 404),  # FE01 is not their division
        ("support_out", 404),
        ("officer_in", 404),  # case officers: single cases, not the page
        ("owner", 404),
        ("dpo", 404),
        ("support_in", 200),  # acts for FE01's councillor
        ("leader_in", 200),  # council managers: any division
        ("admin", 200),
    ],
)
@pytest.mark.django_db
def test_another_division_is_404(figures, user, status):
    response = _client(figures.users[user]).get("/member/mi/?scope=FE01&period=year")
    assert response.status_code == status
    export = _client(figures.users[user]).get("/member/mi/volumes.csv?scope=FE01&period=year")
    assert export.status_code == status


@pytest.mark.django_db
def test_an_expired_delegation_is_404(figures):
    delegation = m.MemberSupportDelegation.objects.get(officer=figures.users["support_in"])
    delegation.ends_on = timezone.localdate() - timedelta(days=1)
    delegation.save()
    response = _client(figures.users["support_in"]).get("/member/mi/?scope=FE01&period=year")
    assert response.status_code == 404


@pytest.mark.django_db
def test_signed_out_goes_to_sign_in(figures):
    response = Client().get("/member/mi/")
    assert response.status_code == 302
    assert "/account/login/" in response["Location"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=custom", "Enter the first day"),
        ("period=custom&start=31/5/2026&end=1/5/2026", "on or after the first day"),
        ("period=custom&start=1/5/2026&end=not a date", "Enter a valid date"),
        ("period=custom&start=1/5/2026&end=1/5/2099", "figures go up to then"),
        ("period=decade", "Select a valid choice"),
    ],
)
@pytest.mark.django_db
def test_bad_dates_get_an_error_summary_and_no_figures(figures, query, message):
    response = _client(figures.users["cllr_division"]).get(f"/member/mi/?scope=FE01&{query}")
    text = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in text
    assert message in text
    assert "Requests received by type and state now" not in text


@pytest.mark.django_db
def test_csv_and_xlsx_exports_hold_the_table(figures):
    client = _client(figures.users["cllr_division"])
    response = client.get("/member/mi/divisions.csv?scope=FE01&period=month")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Requests received by division"]
    assert rows[1] == ["Division", "Requests"]
    names = {r[0] for r in rows[2:]}
    assert set(m.Division.objects.values_list("name", flat=True)) <= names
    xlsx = client.get("/member/mi/divisions.xlsx?scope=FE01&period=month")
    assert xlsx.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(xlsx.content)).namelist()
    assert client.get("/member/mi/nothing.csv?scope=FE01").status_code == 404
    assert client.get("/member/mi/volumes.pdf?scope=FE01").status_code == 404
