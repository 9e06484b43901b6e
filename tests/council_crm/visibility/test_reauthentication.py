"""The password again before subject access exports, erasure and CSV exports (ADR 0020):
signing in does not count; confirming within five minutes does, and the POST is replayed."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.council_crm import models as m

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple"


def sign_in(client: Client, user: m.User) -> None:
    user.set_password(PASSWORD)
    user.save()
    response = client.post("/account/login/", {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302


def test_exports_and_erasure_ask_for_the_password_again(client, world):
    dpo = world.users["dpo"]
    citizen = world.case.citizen
    sign_in(client, dpo)  # signing in does not count as confirming
    for url in (f"/desk/citizens/{citizen.pk}/erase/", f"/desk/citizens/{citizen.pk}/export/"):
        response = client.post(url, {"confirm": "yes", "reason": "ER-1"})
        assert response.status_code == 302
        assert response["Location"] == f"/account/reauthenticate/?next={url.replace('/', '%2F')}"
    citizen.refresh_from_db()
    assert citizen.anonymised_at is None
    assert not m.AccessLog.objects.filter(action="export").exists()
    # once confirmed, the last one asked for (the export) is replayed: the zip downloads
    exported = client.post(
        f"/account/reauthenticate/?next=/desk/citizens/{citizen.pk}/export/",
        {"password": PASSWORD, "next": f"/desk/citizens/{citizen.pk}/export/"},
    )
    assert exported["Content-Type"] == "application/zip"
    assert m.AccessLog.objects.filter(citizen_id=citizen.pk, action="export").exists()
    # and for five minutes nothing is asked again
    again = client.post(f"/desk/citizens/{citizen.pk}/export/")
    assert again["Content-Type"] == "application/zip"


def test_case_and_list_exports_ask_for_the_password_again(client, world):
    leader = world.users["leader_in"]
    sign_in(client, leader)
    for url in ("/desk/export.csv", f"/desk/cases/{world.case.reference}/export.csv"):
        assert client.get(url)["Location"].startswith("/account/reauthenticate/?next="), url
    # a case they may not see is still a 404, before any question
    assert client.get("/desk/cases/FCC-26-999999/export.csv").status_code == 404
    cllr = world.users["cllr_division"]
    sign_in(client, cllr)
    assert client.get("/member/cases/FCC-26-999999/export.csv").status_code == 404
