"""CSRF on every URL: a POST without the token is refused (403) before any view runs, for a
role that may use the page, and nothing changes. URLs come from the resolver, as in the sweep;
a view that must take cross-site POSTs (an API with its own authentication) says so in its
line of the expectations table (`csrf_exempt=True`)."""

from __future__ import annotations

from django.apps import apps
from django.test import Client

from .expectations import Group, rule_for
from .test_access_sweep import requests_for
from .world import ADMIN, ANON, ROLES, World


def _counts() -> dict[str, int]:
    models = [*apps.get_app_config("council_crm").get_models()]
    models += [apps.get_model("sessions", "Session"), apps.get_model("account", "EmailAddress")]
    return {m._meta.label: m._default_manager.count() for m in models}


def _poster(world: World, role: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    if role != ANON:
        client.force_login(world.users[role])
    return client


def test_every_post_without_a_token_is_refused_and_changes_nothing(world, db):
    clients = {role: _poster(world, role) for role in ROLES}
    form = {"confirm": "yes", "reason": "Cross-site", "message": "Cross-site", "score": "1"}
    before = _counts()
    failures = []
    for route, kind, url in requests_for(world):
        rule = rule_for(route.name)
        if isinstance(rule, Group) or rule is None:
            who = [ADMIN, ANON]
        else:
            # someone who may use it (the attack's target), and the signed-out visitor
            allowed = [r for r in ROLES if r in rule.who[kind]]
            who = [*allowed[:1], ANON]
            if rule.csrf_exempt:
                continue
        for role in dict.fromkeys(who):
            answer = clients[role].post(url, form).status_code
            if answer != 403:
                failures.append(f"POST {url} ({route.name}, {kind}) as {role}: {answer}")
    assert not failures, "\n".join(failures)
    assert _counts() == before


def test_the_same_post_with_its_token_gets_through(world, db):
    # the control: the refusal above is the missing token, not something else
    client = _poster(world, "officer")
    client.get("/desk/")
    token = client.cookies["csrftoken"].value
    case = world.cases["shared"]
    url = f"/desk/cases/{case.reference}/notes/"
    refused = client.post(url, {"message": "x", "visibility": "internal"})
    assert refused.status_code == 403
    passed = client.post(
        url,
        {
            "message": "Checked",
            "visibility": "internal",
            "seen": case.updated_at.isoformat(),
            "csrfmiddlewaretoken": token,
        },
    )
    assert passed.status_code == 302
    assert case.events.filter(message="Checked").exists()
