"""The data protection officer's desk: subject access export and erasure over HTTP."""

from __future__ import annotations

import io
import zipfile

from django.test import Client

from apps.council_crm import models as m
from tests.factories.accounts import sign_in_confirmed


def _client(user) -> Client:
    client = Client()
    sign_in_confirmed(client, user)  # export and erasure ask for the password again
    return client


def test_the_dpo_downloads_a_subject_access_export(world):
    citizen = world.case.citizen
    client = _client(world.users["dpo"])
    page = client.get(f"/desk/citizens/{citizen.pk}/")
    assert page.status_code == 200
    assert world.case.reference in page.content.decode()
    response = client.post(f"/desk/citizens/{citizen.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert "summary.html" in archive.namelist()
    assert "owner@example.com" in archive.read("summary.html").decode()
    assert m.AccessLog.objects.filter(citizen_id=citizen.pk, action="export").exists()


def test_nobody_else_reaches_the_dpo_desk(world):
    """Staff open the citizen's page (ADR 0017); export and erasure stay the DPO's."""
    citizen = world.case.citizen
    for role in ("officer_in", "leader_in", "cllr_division", "owner"):
        client = _client(world.users[role])
        page = client.get(f"/desk/citizens/{citizen.pk}/")
        assert page.status_code == (200 if role in ("officer_in", "leader_in") else 404)
        assert "Download everything we hold" not in page.content.decode()
        assert client.post(f"/desk/citizens/{citizen.pk}/export/").status_code == 404
        assert (
            client.post(
                f"/desk/citizens/{citizen.pk}/erase/", {"confirm": "yes", "reason": "x"}
            ).status_code
            == 404
        )
    citizen.refresh_from_db()
    assert citizen.anonymised_at is None


def test_erasure_needs_a_reason_and_a_confirmation_then_scrubs_the_record(world):
    citizen = world.case.citizen
    client = _client(world.users["dpo"])
    refused = client.post(f"/desk/citizens/{citizen.pk}/erase/", {"reason": ""})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "There is a problem" in body
    assert 'href="#reason"' in body
    citizen.refresh_from_db()
    assert citizen.anonymised_at is None
    done = client.post(
        f"/desk/citizens/{citizen.pk}/erase/", {"reason": "Erasure request ER-12", "confirm": "yes"}
    )
    assert done.status_code == 302
    citizen.refresh_from_db()
    assert citizen.anonymised_at is not None
    assert citizen.email == ""
    world.case.refresh_from_db()
    assert world.case.category.code == "pothole"  # kept for statistics
    assert m.AuditEvent.objects.filter(action="citizen_anonymised").exists()
