"""Role × relation to the case × consent state, for view, update and export:
through the selectors and through HTTP (404 for anything denied)."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.council_crm import models as m
from apps.council_crm.permissions import can, cases_visible_to
from tests.council_crm.visibility.conftest import grant
from tests.factories.accounts import sign_in_confirmed
from tests.factories.cases import report_pothole

CONSENT_STATES = [
    "none",
    "all_cases_any",
    "this_case_any",
    "named_division_cllr",
    "named_other_cllr",
    "withdrawn",
    "other_case_only",
]

# (view, update, export) per role, whatever the consent (consent only matters to members).
FIXED = {
    "owner": (True, False, True),
    "other_resident": (False, False, False),
    "officer_in": (True, True, False),
    "officer_out": (False, False, False),
    "leader_in": (True, True, True),
    "manager_in": (True, True, True),
    "manager_out": (False, False, False),
    "admin": (True, True, True),
    "dpo": (True, False, True),
}
# Members see the case in full only where a consent covers it (none of them raised it).
MEMBER_VIEW = {
    "cllr_division": {"all_cases_any", "this_case_any", "named_division_cllr"},
    "support_in": {"all_cases_any", "this_case_any", "named_division_cllr"},
    "cllr_other": {"named_other_cllr"},
    "support_out": {"named_other_cllr"},
}

CASES = [
    (role, state, *expected) for role, expected in FIXED.items() for state in CONSENT_STATES
] + [
    (role, state, state in visible, False, state in visible)
    for role, visible in MEMBER_VIEW.items()
    for state in CONSENT_STATES
]


def _detail_url(role: str, reference: str) -> str:
    if role in ("owner", "other_resident"):
        return f"/account/requests/{reference}/"
    if role in MEMBER_VIEW:
        return f"/member/cases/{reference}/"
    return f"/desk/cases/{reference}/"


def _export_url(role: str, reference: str) -> str | None:
    if role in MEMBER_VIEW:
        return f"/member/cases/{reference}/export.csv"
    if role in ("owner", "other_resident"):
        return None  # residents download their data through the subject access export
    return f"/desk/cases/{reference}/export.csv"


@pytest.mark.parametrize(("role", "consent", "view", "update", "export"), CASES)
def test_visibility_matrix(world, role, consent, view, update, export):
    grant(world, consent)
    user = world.users[role]
    case = world.case

    # through the selectors and the policy
    assert cases_visible_to(user=user).filter(pk=case.pk).exists() is view
    assert can(user, "view", case) is view
    assert can(user, "update", case) is update
    assert can(user, "export", case) is export

    # through HTTP: seen in full, or a 404 indistinguishable from a case that does not exist
    client = Client()
    client.force_login(user)
    response = client.get(_detail_url(role, case.reference))
    assert response.status_code == (200 if view else 404)
    missing = client.get(_detail_url(role, "FCC-26-999999"))
    assert missing.status_code == 404
    if view:
        body = response.content.decode()
        assert case.reference in body
        if role == "admin":
            # a configuration role sees the case, not the resident's record (ADR 0017)
            assert "owner@example.com" not in body
            assert "not shown to your role" in body
        elif role != "owner":
            assert "owner@example.com" in body  # the reporter's details are part of "in full"
    else:
        assert response.content == missing.content

    url = _export_url(role, case.reference)
    if url:
        sign_in_confirmed(client, user)
        exported = client.get(url)
        assert exported.status_code == (200 if export else 404)
        if export:
            assert case.reference in exported.content.decode()

    if role not in ("owner", "other_resident") and role not in MEMBER_VIEW:
        posted = client.post(
            f"/desk/cases/{case.reference}/notes/",
            {
                "message": "Checked on site",
                "visibility": "internal",
                "seen": m.ServiceRequest.objects.get(pk=case.pk).updated_at.isoformat(),
            },
        )
        assert posted.status_code == (302 if update else 404)
        assert case.events.filter(message="Checked on site").exists() is update


def test_a_councillor_who_raised_the_case_sees_it_without_consent(world):
    cllr = world.cllr_other
    case = report_pothole(
        actor=cllr.user, channel="email", on_behalf_of=cllr, raised_as="councillor"
    ).case
    assert can(cllr.user, "view", case)
    assert can(cllr.user, "add_note", case)
    assert can(world.users["support_out"], "view", case)  # their support officer too
    assert not can(world.cllr_division.user, "view", case)


def test_withdrawal_takes_effect_on_the_next_request(world):
    from apps.council_crm.services.consent import consent_withdraw

    consent = grant(world, "all_cases_any")
    client = Client()
    client.force_login(world.users["cllr_division"])
    url = f"/member/cases/{world.case.reference}/"
    assert client.get(url).status_code == 200
    consent_withdraw(consent=consent, actor=world.users["owner"])
    assert client.get(url).status_code == 404
    consent.refresh_from_db()
    assert consent.history.count() == 2  # granted, then withdrawn: both kept
    assert m.AuditEvent.objects.filter(action="consent_withdrawn").exists()


def test_anonymous_visitors_see_nothing(world, client):
    assert not cases_visible_to(user=None).exists()
    response = client.get(f"/desk/cases/{world.case.reference}/")
    assert response.status_code == 302  # to sign in, without saying whether it exists
    assert "/account/login/" in response["Location"]
