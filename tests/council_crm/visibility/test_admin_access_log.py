"""Personal data in the Django admin writes the access log like the desk does (ADR 0016)."""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.test import Client

from apps.council_crm import models as m
from apps.council_crm.admin import PersonalDataAdmin
from apps.council_crm.personal_data import PERSONAL_DATA

# Admin'd personal data that is not logged, and why.
NOT_LOGGED = {
    "council_crm.AccessLog": "the log itself: reading it is the oversight, append-only here",
}


def _root() -> Client:
    root = m.User.objects.create_superuser(username="root", password="pw")
    client = Client()
    client.force_login(root)
    return client


def test_a_superuser_opening_a_citizen_in_the_admin_leaves_an_access_log_row(world):
    citizen = world.case.citizen
    client = _root()

    page = client.get(f"/admin/council_crm/citizen/{citizen.pk}/change/")

    assert page.status_code == 200
    assert "owner@example.com" in page.content.decode()
    row = m.AccessLog.objects.get(citizen_id=citizen.pk)
    assert row.user.username == "root"
    assert row.object_type == "citizen"
    assert row.object_id == str(citizen.pk)
    assert row.action == "view"
    assert row.via == f"/admin/council_crm/citizen/{citizen.pk}/change/"


def test_a_change_list_logs_one_row_per_record_shown(world):
    client = _root()
    shown = m.Citizen.objects.count()
    assert 0 < shown <= 100  # one page

    page = client.get("/admin/council_crm/citizen/")

    assert page.status_code == 200
    rows = m.AccessLog.objects.filter(action="list", object_type="citizen")
    assert rows.count() == shown
    assert set(rows.values_list("citizen_id", flat=True)) == set(
        m.Citizen.objects.values_list("pk", flat=True)
    )


def test_cases_and_their_history_in_the_admin_are_logged(world):
    case = world.case
    client = _root()

    assert client.get(f"/admin/council_crm/servicerequest/{case.pk}/change/").status_code == 200
    assert client.get(f"/admin/council_crm/servicerequest/{case.pk}/history/").status_code == 200
    version = case.history.first()
    assert (
        client.get(
            f"/admin/council_crm/servicerequest/{case.pk}/history/{version.history_id}/"
        ).status_code
        == 200
    )

    rows = m.AccessLog.objects.filter(object_id=case.reference, citizen_id=case.citizen_id)
    assert sorted(rows.values_list("action", flat=True)) == ["history", "history", "view"]


def test_a_resident_account_in_the_admin_is_logged_against_their_citizen_record(world):
    owner = world.users["owner"]
    client = _root()

    assert client.get(f"/admin/council_crm/user/{owner.pk}/change/").status_code == 200

    row = m.AccessLog.objects.get(object_type="user", object_id=str(owner.pk))
    assert row.citizen_id == world.case.citizen_id


def test_a_staff_user_refused_by_the_admin_leaves_no_row(world):
    officer = world.users["officer_in"]
    officer.is_staff = True  # staff flag, but no model permission
    officer.save()
    client = Client()
    client.force_login(officer)

    assert (
        client.get(f"/admin/council_crm/citizen/{world.case.citizen_id}/change/").status_code == 403
    )
    assert not m.AccessLog.objects.exists()


def test_every_admin_of_personal_data_writes_the_access_log():
    """A new admin of a model with personal data must log, or say here why not."""
    personal = {h.model for h in PERSONAL_DATA}
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        if label not in personal or label in NOT_LOGGED:
            continue
        assert isinstance(model_admin, PersonalDataAdmin), label
    for label in NOT_LOGGED:
        assert apps.get_model(label) in admin.site._registry, f"{label} is no longer admin'd"


def test_every_logged_change_list_still_opens_and_logs_what_it_shows(world):
    client = _root()
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, PersonalDataAdmin):
            continue
        meta = model._meta
        before = m.AccessLog.objects.count()
        page = client.get(f"/admin/{meta.app_label}/{meta.model_name}/")
        assert page.status_code == 200, meta.label
        shown = len(page.context["cl"].result_list)
        assert m.AccessLog.objects.count() - before == shown, meta.label
