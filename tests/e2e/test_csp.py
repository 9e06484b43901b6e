"""Every page under the Content Security Policy, in Chromium (issue 15 point 3, ADR 0021).

Signed in as each demo role, a crawler follows the links of the portal, the desk, the member
area, the motions pages and the admin from their start pages, one page per URL pattern, and
every page must load without a CSP violation in the console (conftest.py watches every
browser context; this file names the page that broke the policy).
"""

from __future__ import annotations

from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve

from apps.council_crm import models as m
from apps.council_crm.demo.workload import demo_users_ensure
from tests.e2e.conftest import CSP_VIOLATIONS
from tests.factories.cases import log_reports, report_pothole, resident

pytestmark = pytest.mark.django_db(transaction=True)
SKIP_SUFFIXES = (".csv", ".xlsx", ".zip", ".geojson", ".json", ".pdf", "/export/", "/download/")
PAGES_PER_ROLE = 25


def sign_in(page, live_server, user: m.User) -> None:
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])


def crawl(page, starts: list[str], prefixes: tuple[str, ...]) -> list[str]:
    """Load the start pages and the pages they link to under `prefixes`, one per URL name;
    fail on the first page that breaks the Content Security Policy."""
    queue, visited, names = deque(starts), [], set()
    while queue and len(visited) < PAGES_PER_ROLE:
        path = queue.popleft()
        bare = urlsplit(path).path
        try:
            name = resolve(bare).view_name
        except Resolver404:
            continue
        if name in names or bare.endswith(SKIP_SUFFIXES):
            continue
        names.add(name)
        response = page.goto(path)
        page.wait_for_load_state("load")
        visited.append(path)
        assert response is not None
        assert response.status < 500, f"{path} answered {response.status}"
        assert CSP_VIOLATIONS == [], f"{path} broke the Content Security Policy"
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        hrefs = page.eval_on_selector_all(
            "a[href]:not([download])", "els => els.map(e => e.getAttribute('href'))"
        )
        for href in hrefs:
            url = urlsplit(urljoin(page.url, href))
            if url.netloc == urlsplit(page.url).netloc and url.path.startswith(prefixes):
                queue.append(url.path + (f"?{url.query}" if url.query else ""))
    return visited


@pytest.fixture
def casework(demo_site):
    """The demo's role users, and a few cases in the first councillor's division."""
    logins = dict((username, role) for role, username in demo_users_ensure())
    councillor = m.Councillor.objects.filter(user__username__in=logins).first()
    division = councillor.divisions.first().code if councillor else "FE01"
    report_pothole(division=division, contact=resident(email="resident@demo.invalid"))
    report_pothole(division=division, description="Another hole by the school gate")
    log_reports()
    return logins


ROLES = [
    # (role, where its pages start, the prefixes its crawl stays under)
    (m.Role.RESIDENT, ["/", "/account/", "/track/", "/report/"], ("/account/", "/track/", "/")),
    (m.Role.CASE_OFFICER, ["/desk/"], ("/desk/",)),
    (m.Role.TEAM_LEADER, ["/desk/"], ("/desk/",)),
    (m.Role.DEPARTMENT_MANAGER, ["/desk/"], ("/desk/",)),
    (m.Role.DPO, ["/desk/"], ("/desk/",)),
    (m.Role.COUNCILLOR, ["/member/", "/motions/"], ("/member/", "/motions/")),
    (m.Role.SUPPORT_OFFICER, ["/member/"], ("/member/",)),
    (m.Role.SERVICE_ADMIN, ["/admin/", "/desk/"], ("/admin/", "/desk/")),
]


@pytest.mark.parametrize(("role", "starts", "prefixes"), ROLES, ids=[r[0] for r in ROLES])
def test_every_page_loads_without_a_csp_violation(
    page, live_server, casework, role, starts, prefixes
):
    user = m.User.objects.filter(role=role, username__in=casework).first()
    assert user is not None, f"no demo user for {role}"
    sign_in(page, live_server, user)

    visited = crawl(page, starts, prefixes)

    print(f"{role}: {len(visited)} pages without a CSP violation")  # shown with -rP
    assert len(visited) >= len(starts), visited


def test_the_public_pages_load_without_a_csp_violation(page, demo_site):
    visited = crawl(
        page,
        [
            "/",
            "/privacy/",
            "/accessibility/",
            "/report/",
            "/track/",
            "/motions/",
            "/account/login/",
            "/account/signup/",
            "/account/password/reset/",
        ],
        ("/",),
    )

    assert {"/", "/report/", "/account/signup/"} <= set(visited)


@pytest.mark.csp_violations_expected
def test_the_check_sees_a_violation(page, demo_site):
    # given a page of the site, when something runs an inline script in it
    page.goto("/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)

    # then the browser refuses it and the check has seen it
    assert page.evaluate("() => window.x") is None
    assert any("script-src" in v for v in CSP_VIOLATIONS), CSP_VIOLATIONS
