"""The visibility matrix through every /member/ URL about a case or a division: consent given,
withdrawn, another division's councillor, a case raised by another councillor, a support
officer whose delegation has ended. Denied is 404, and nothing changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import URLPattern
from django.utils import timezone

from apps.council_crm import models as m
from apps.council_crm.member import urls as member_urls
from tests.council_crm.visibility.conftest import grant
from tests.factories.cases import report_pothole, resident

from .conftest import signed_in

pytestmark = pytest.mark.django_db

# (method, URL name, data) for every member URL that names a case
CASE_URLS = [
    ("get", "case", {}),
    ("get", "case-export", {}),
    ("post", "case-follow", {"follow": "1"}),
    ("post", "case-information", {"information": "More"}),
]


def test_every_case_url_is_in_the_sweep():
    named = {
        p.name
        for p in member_urls.urlpatterns
        if isinstance(p, URLPattern) and "<str:reference>" in str(p.pattern)
    }
    assert named == {name for _method, name, _data in CASE_URLS}


def _raised_for(councillor: m.Councillor) -> m.ServiceRequest:
    return report_pothole(
        division="FE01",
        contact=resident(email="someone@example.com"),
        actor=councillor.user,
        on_behalf_of=councillor,
        raised_as="councillor",
    ).case


def _expire(world) -> None:
    m.MemberSupportDelegation.objects.filter(officer=world.users["support_in"]).update(
        ends_on=timezone.localdate() - timedelta(days=1)
    )


SCENARIOS = {
    # name: (who, which case, what to do first, allowed)
    "consent_given": ("cllr_division", "world", "all_cases_any", True),
    "consent_given_support": ("support_in", "world", "all_cases_any", True),
    "consent_withdrawn": ("cllr_division", "world", "withdrawn", False),
    "no_consent": ("cllr_division", "world", "none", False),
    "other_division": ("cllr_other", "world", "this_case_any", False),
    "raised_by_another_councillor": ("cllr_division", "other_cllr_case", "none", False),
    "own_case": ("cllr_division", "own_case", "none", True),
    "support_expired_own_case": ("support_in", "own_case", "expired", False),
    "support_expired_consented": ("support_in", "world", "expired+consent", False),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize(("method", "name", "data"), CASE_URLS)
def test_case_urls(world, scenario, method, name, data):
    who, which, state, allowed = SCENARIOS[scenario]
    case = {
        "world": lambda: world.case,
        "other_cllr_case": lambda: _raised_for(world.cllr_other),
        "own_case": lambda: _raised_for(world.cllr_division),
    }[which]()
    if state == "expired":
        _expire(world)
    elif state == "expired+consent":
        grant(world, "all_cases_any")
        _expire(world)
    else:
        grant(world, state)
    events = m.CaseEvent.objects.filter(case=case).count()
    followers = m.CaseFollower.objects.filter(case=case).count()
    client = signed_in(world.users[who])
    url = f"/member/cases/{case.reference}/"
    if name == "case-export":
        url += "export.csv"
    elif name != "case":
        url += name.removeprefix("case-") + "/"
    response = getattr(client, method)(url, data)
    if allowed:
        assert response.status_code in (200, 302, 400)
    else:
        assert response.status_code == 404
        assert m.CaseEvent.objects.filter(case=case).count() == events
        assert m.CaseFollower.objects.filter(case=case).count() == followers
        assert case.reference not in client.get("/member/").content.decode()


def test_division_urls(world):
    client = signed_in(world.users["cllr_other"])
    assert client.get("/member/divisions/FE01/").status_code == 404
    _expire(world)
    support = signed_in(world.users["support_in"])
    assert support.get("/member/divisions/FE01/").status_code == 404
    assert support.get("/member/divisions/").status_code == 404
    assert support.get("/member/log/").status_code == 404
    assert support.get("/member/emails/").status_code == 404
    home = support.get("/member/")
    assert "You do not support any councillor" in home.content.decode()
