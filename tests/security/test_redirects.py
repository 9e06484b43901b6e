"""Open redirects: no `next` (nor anything else) sends a browser off the site.

Every URL of the sweep is asked once with an off-site `next` (the three kinds in turn), signed
out and signed in; the pages that act on `next` (signing in and out, the admin's, allauth's
with a signed-in user) are asked with all three and followed through a real sign-in."""

from __future__ import annotations

from itertools import cycle

import pytest
from django.test import Client
from django.utils.http import url_has_allowed_host_and_scheme

from apps.council_crm.demo.workload import DEMO_PASSWORD

from .test_access_sweep import requests_for
from .world import ANON, OFFICER, RESIDENT, World

EVIL = ("https://evil.example/", "//evil.example", "/\\evil.example")
HEADERS = ("Location", "HX-Redirect", "HX-Location", "Refresh")


def _off_site(response) -> list[str]:
    found = []
    for header in HEADERS:
        target = response.headers.get(header)
        if target is None:
            continue
        if header == "Refresh":
            target = target.partition("url=")[2]
        if "evil.example" in target.split("?")[0] or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={"testserver"}
        ):
            found.append(f"{header}: {target}")
    return found


def _client(world: World, role: str) -> Client:
    client = Client()
    if role != ANON:
        client.force_login(world.users[role])
    return client


@pytest.mark.parametrize("role", [ANON, OFFICER])
def test_no_url_redirects_off_site_whatever_next_says(world, db, role):
    client = _client(world, role)
    failures = []
    for (route, kind, url), evil in zip(requests_for(world), cycle(EVIL), strict=False):
        response = client.get(url, {"next": evil})
        if off := _off_site(response):
            failures.append(f"GET {url}?next={evil} ({route.name}, {kind}): {off}")
    assert not failures, "\n".join(failures)


NEXT_PAGES = [
    "/account/login/",
    "/account/signup/",
    "/account/logout/",
    "/account/reauthenticate/",
    "/account/password/reset/",
    "/admin/login/",
    "/admin/logout/",
]


@pytest.mark.parametrize("evil", EVIL)
def test_pages_that_act_on_next_stay_on_site(world, db, evil):
    failures = []
    for role in (ANON, RESIDENT, OFFICER, "admin"):
        client = _client(world, role)
        for page in NEXT_PAGES:
            for method in (client.get, client.post):
                response = method(f"{page}?next={evil}", {"next": evil})
                if off := _off_site(response):
                    failures.append(f"{method.__name__} {page} as {role}: {off}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("evil", EVIL)
@pytest.mark.parametrize(
    ("page", "username"),
    [
        ("/account/login/", "aisha.okafor"),
        ("/account/login/", "resident"),
        # the admin's own sign-in hands over to this one (password, then the second factor)
        ("/account/login/", "admin"),
    ],
)
def test_signing_in_with_an_off_site_next_lands_on_the_site(world, db, page, username, evil):
    client = Client()
    client.get(page)
    field = "login"
    response = client.post(
        f"{page}?next={evil}", {field: username, "password": DEMO_PASSWORD, "next": evil}
    )
    assert response.status_code == 302, response.content[:500]
    assert not _off_site(response)
    assert "_auth_user_id" in client.session  # signed in: the redirect was the real one
