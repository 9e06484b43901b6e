"""The access sweep: every URL pattern, every demo role, every kind of object (ADR 0022).

The oracle is tests/security/expectations.py, the stated rules written down URL by URL; the
URLs come from the resolver, so a new one without a line there fails here. Every response is
also read for personal data: none in a denied or public answer, and none of a citizen the role
may not know in an allowed one.
"""

from __future__ import annotations

import pytest
from django.test import Client

from apps.council_crm import models as m
from tests.factories.accounts import sign_in_confirmed

from .expectations import GROUPS, URLS, Group, rule_for
from .routes import Route, admin_values, routes
from .world import ANON, ROLES, World


def test_every_url_is_classified():
    unclassified = sorted({r.name for r in routes() if rule_for(r.name) is None})
    assert not unclassified, (
        "URLs with no line in tests/security/expectations.py (say who may use them): "
        + ", ".join(unclassified)
    )


def test_the_table_names_only_urls_that_exist():
    # a line left behind by a renamed URL would hide that the new name is unswept
    names = {r.name for r in routes()}
    assert not sorted(set(URLS) - names)
    for group in GROUPS:
        assert any(n.startswith(group.prefix) for n in names), group.prefix


def requests_for(world: World) -> list[tuple[Route, str | None, str]]:
    """(route, object kind, url) for every pattern and every object kind its line names."""
    out: list[tuple[Route, str | None, str]] = []
    for route in routes():
        rule = rule_for(route.name)
        if isinstance(rule, Group) or rule is None:
            values = admin_values(route, world.objects) if route.name.startswith("admin:") else {}
            values.update(
                {k: v for o in world.objects.values() for k, v in o.items() if k not in values}
            )
            out.append((route, None, route.url(values)))
            continue
        for kind in rule.who:
            values = dict(world.objects[kind]) if kind else {}
            out.append((route, kind, route.url(values)))
    return out


@pytest.mark.parametrize("role", ROLES)
def test_access_sweep(world, db, role):
    client = Client()
    if role != ANON:
        # as if the password had just been confirmed: exports ask for it again (ADR 0020)
        sign_in_confirmed(client, world.users[role])
    failures: list[str] = []
    for route, kind, url in requests_for(world):
        rule = rule_for(route.name)
        assert rule is not None  # test_every_url_is_classified says which
        if isinstance(rule, Group):
            allowed, statuses = rule.expected(role)
        else:
            allowed, statuses = rule.expected(role, kind)
        logged_before = m.AccessLog.objects.count()
        response = client.get(url)
        if response.status_code not in statuses:
            failures.append(
                f"GET {url} ({route.name}, {kind}): {response.status_code}, "
                f"expected {sorted(statuses)}"
            )
        body = b"".join(response) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        denied = not allowed or response.status_code >= 300
        leaked = [s for s in world.forbidden(role, denied=denied) if s in text]
        if leaked:
            failures.append(f"GET {url} ({route.name}, {kind}) shows {leaked}")
        if route.name.startswith("admin:") and response.status_code == 200:
            failures += unlogged_in_admin(world, route, text, logged_before)
    assert not failures, f"{role}:\n" + "\n".join(failures)


# admin pages whose access-log rows carry the citizen's id (services.audit.access_log_record)
CITIZEN_RECORDS = {"citizen", "servicerequest", "user"}


def unlogged_in_admin(world: World, route: Route, text: str, before: int) -> list[str]:
    """ADR 0016, ADR 0023: an admin page showing a resident's personal data wrote an access-log
    row for that resident (for a record that names no citizen, such as a sign-in address, a
    row for the record: those rows carry no citizen id)."""
    logged = set(m.AccessLog.objects.order_by("pk")[before:].values_list("citizen_id", flat=True))
    missing = []
    for kind, person in world.people.items():
        if not any(s in text for s in person.strings):
            continue
        if world.cases[kind].citizen_id in logged:
            continue
        if logged and not (set(route.route.split("/")) & CITIZEN_RECORDS):
            continue
        missing.append(f"GET {route.route} ({route.name}) shows {kind}'s data, unlogged")
    return missing


def test_the_sweep_can_see_personal_data_where_it_is_shown(world, db):
    # the control: the strings the sweep looks for are on the pages that may show them, so
    # their absence elsewhere means something
    officer = Client()
    officer.force_login(world.users["officer"])
    shared = world.people["shared"]
    page = officer.get(f"/desk/citizens/{world.cases['shared'].citizen_id}/").content.decode()
    assert all(s in page for s in (shared.last_name, shared.email, shared.phone, shared.address))
    cllr = Client()
    cllr.force_login(world.users["cllr"])
    page = cllr.get(f"/member/cases/{world.cases['shared'].reference}/").content.decode()
    assert shared.description in page
