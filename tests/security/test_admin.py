"""The Django admin: its address moves with a setting, and every admin page that shows a
resident's personal data writes the access log (ADR 0016, ADR 0023)."""

from __future__ import annotations

import importlib

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import clear_url_caches, reverse

from apps.council_crm import models as m
from config import urls as root_urls

from .world import ADMIN


@pytest.fixture
def moved_admin(settings):
    settings.CRM_ADMIN_URL = "/council-config/"
    importlib.reload(root_urls)
    clear_url_caches()
    yield "/council-config/"
    settings.CRM_ADMIN_URL = "admin/"
    importlib.reload(root_urls)
    clear_url_caches()


def test_the_admin_moves_with_crm_admin_url(world, db, moved_admin):
    client = Client()
    assert reverse("admin:index") == moved_admin
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/login/").status_code == 404
    signed_out = client.get(moved_admin)
    assert signed_out.status_code == 302
    assert signed_out["Location"].startswith(f"{moved_admin}login/")
    client.force_login(world.users[ADMIN])
    page = client.get(f"{moved_admin}council_crm/citizen/")
    assert page.status_code == 200
    # the desk's navigation follows it
    assert f'href="{moved_admin}"' in client.get("/desk/").content.decode()


@pytest.mark.parametrize(
    "value", ["", "/", "desk/", "account/admin/", "track", "a<int:x>/", "../up/", "a b/", "x//y"]
)
def test_an_admin_url_that_would_shadow_a_page_or_is_not_a_plain_path_is_refused(value):
    with pytest.raises(ImproperlyConfigured):
        root_urls.admin_prefix(value)


@pytest.mark.parametrize(
    ("value", "prefix"),
    [
        ("admin/", "admin/"),
        ("/ops/config", "ops/config/"),
        ("council-admin-7f3a", "council-admin-7f3a/"),
    ],
)
def test_plain_admin_urls_are_taken_as_given(value, prefix):
    assert root_urls.admin_prefix(value) == prefix


# Every admin page that shows a resident's personal data writes the access log for them: the
# access sweep checks it on every admin URL as the superuser (test_access_sweep.py).


def test_the_delete_confirmation_and_change_history_of_a_citizen_are_logged(world, db):
    client = Client()
    client.force_login(world.users[ADMIN])
    citizen_id = world.cases["private"].citizen_id
    for page in ("delete", "history"):
        before = m.AccessLog.objects.filter(citizen_id=citizen_id).count()
        response = client.get(f"/admin/council_crm/citizen/{citizen_id}/{page}/")
        assert response.status_code == 200
        assert m.AccessLog.objects.filter(citizen_id=citizen_id).count() == before + 1, page
    assert m.Citizen.objects.filter(pk=citizen_id).exists()  # a GET deletes nothing


def test_configuration_forms_offer_no_resident_accounts(world, db):
    # choosing a staff member's, councillor's, officer's or manager's account lists council
    # users only: a select of every account would show residents' names unlogged
    client = Client()
    client.force_login(world.users[ADMIN])
    resident = world.users["resident"]
    for page in ("staffmember", "councillor", "membersupportdelegation", "department"):
        text = client.get(f"/admin/council_crm/{page}/add/").content.decode()
        assert resident.get_full_name() not in text, page
        assert resident.email not in text, page
    citizen = world.cases["shared"].citizen_id
    page = client.get(f"/admin/council_crm/citizen/{citizen}/change/").content.decode()
    assert resident.get_full_name() not in page
