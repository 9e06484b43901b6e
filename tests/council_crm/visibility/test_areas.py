"""Who may use which area (permissions.can_use_* and area_required): every role × every area,
through the rule and through HTTP (signed out: sign in; without the area: 404, never 403)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponse
from django.shortcuts import resolve_url
from django.test import Client, RequestFactory

from apps.council_crm import models as m
from apps.council_crm.permissions import (
    AuthenticatedRequest,
    area_required,
    can_handle_subject_access,
    can_manage_motions,
    can_read_access_log,
    can_see_citizens,
    can_use_desk,
    can_use_member_area,
)

AREAS = {
    "desk": (can_use_desk, "/desk/"),
    "member": (can_use_member_area, "/member/"),
    "motions_desk": (can_manage_motions, "/desk/motions/"),
    "citizens": (can_see_citizens, "/desk/citizens/{citizen}/"),
    "access_log": (can_read_access_log, "/desk/access-log/"),
    "contact": (can_see_citizens, "/desk/contact/"),
    "search": (can_see_citizens, "/desk/search/"),
}

# (desk, member, motions desk, citizen pages, access log, log a contact, search) per role of the
# world fixture, plus
# the demo site's administrator (service administrator with the superuser flag) and a superuser
# made by `createsuperuser` (role left at resident).
EXPECTED = {
    "owner": (False, False, False, False, False, False, False),
    "other_resident": (False, False, False, False, False, False, False),
    "officer_in": (True, False, True, True, False, True, True),
    "leader_in": (True, False, True, True, False, True, True),
    "manager_in": (True, False, True, True, False, True, True),
    "admin": (True, False, True, False, False, False, False),
    "dpo": (True, False, True, True, True, True, True),
    "cllr_division": (False, True, False, False, False, False, False),
    "support_in": (False, True, False, False, False, False, False),
    "demo_admin": (True, False, True, False, True, False, False),
    "root": (True, False, True, False, True, False, False),
}


def _user(world, role: str) -> m.User:
    if role == "demo_admin":
        return m.User.objects.create_user(
            username="demo_admin",
            password="pw",
            role=m.Role.SERVICE_ADMIN,
            is_staff=True,
            is_superuser=True,
        )
    if role == "root":
        return m.User.objects.create_superuser(username="root", password="pw")
    return world.users[role]


@pytest.mark.parametrize(
    ("role", "area", "allowed"),
    [
        (role, area, expected[i])
        for role, expected in EXPECTED.items()
        for i, area in enumerate(AREAS)
    ],
)
def test_area_matrix(world, role, area, allowed):
    user = _user(world, role)
    rule, url = AREAS[area]
    assert rule(user) is allowed

    client = Client()
    client.force_login(user)
    response = client.get(url.format(citizen=world.case.citizen_id))
    assert response.status_code == (200 if allowed else 404)


@pytest.mark.parametrize("area", list(AREAS))
def test_no_area_for_the_anonymous_or_an_inactive_user(world, area):
    rule, _ = AREAS[area]
    assert rule(None) is False
    assert rule(AnonymousUser()) is False
    dpo = world.users["dpo"]
    dpo.is_active = False
    assert rule(dpo) is False


@pytest.mark.parametrize("area", list(AREAS))
def test_signed_out_goes_to_sign_in(world, area):
    _, url = AREAS[area]
    url = url.format(citizen=world.case.citizen_id)
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={url}"


def _hello(request: AuthenticatedRequest, name: str) -> HttpResponse:
    return HttpResponse(f"{name}: {request.user.username}")


def test_area_required_answers_sign_in_404_or_the_view(world):
    view = area_required(can_use_member_area)(_hello)
    factory = RequestFactory()

    # given a signed-out visitor / when they ask / then they are sent to sign in
    request = factory.get("/somewhere/")
    request.user = AnonymousUser()
    signed_out = view(request, name="x")
    assert signed_out.status_code == 302
    assert signed_out["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next=/somewhere/"

    # a signed-in user without the area: the page does not exist for them
    request = factory.get("/somewhere/")
    request.user = world.users["officer_in"]
    with pytest.raises(Http404):
        view(request, name="x")

    # a member: the view, with the typed user
    request = factory.get("/somewhere/")
    request.user = world.users["cllr_division"]
    assert view(request, name="x").content.decode() == f"x: {world.cllr_division.user.username}"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(role, role == "dpo") for role in EXPECTED if role not in ("demo_admin", "root")],
)
def test_subject_access_is_the_dpos_alone(world, role, allowed):
    assert can_handle_subject_access(_user(world, role)) is allowed


def test_the_superuser_gets_no_citizen_page_nor_subject_access_export(world):
    """Issue 15: the superuser flag is configuration, not a reason to read a resident's record."""
    citizen = world.case.citizen
    for root in (
        m.User.objects.create_superuser(username="root", password="pw"),
        m.User.objects.create_user(
            username="demo_admin", role=m.Role.SERVICE_ADMIN, is_staff=True, is_superuser=True
        ),
    ):
        client = Client()
        client.force_login(root)
        assert client.get(f"/desk/citizens/{citizen.pk}/").status_code == 404
        exported = client.post(f"/desk/citizens/{citizen.pk}/export/")
        assert exported.status_code == 404
        assert exported["Content-Type"] != "application/zip"
        erased = client.post(
            f"/desk/citizens/{citizen.pk}/erase/", {"confirm": "yes", "reason": "x"}
        )
        assert erased.status_code == 404
    citizen.refresh_from_db()
    assert citizen.anonymised_at is None
    assert not m.AccessLog.objects.filter(citizen_id=citizen.pk).exists()
