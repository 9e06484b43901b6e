"""The two leaks issue 15's access sweep found, each pinned by the test that would have caught it.

1. A member support officer kept a case they raised on a councillor's behalf after the
   delegation ended (and had it before the delegation started): the policy granted `raised_by`
   without asking whether the delegation is active (ADR 0007).
2. The superuser flag opened citizen pages and subject access exports: only the data subject
   and the data protection officer may have those (ADR 0016, ADR 0017).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.council_crm import models as m
from apps.council_crm.contacts import ContactDetails
from apps.council_crm.permissions import Action, actions_on, can, cases_visible_to
from tests.factories.accounts import sign_in_confirmed
from tests.factories.cases import report_pothole

NAME, EMAIL, PHONE = "Perpetua", "perpetua.leak@example.org", "07700900417"
DESCRIPTION = "Pothole outside the house of the person who must stay private"


def _user(username: str, role: str, **kw) -> m.User:
    return m.User.objects.create_user(username=username, password="pw", role=role, **kw)


@pytest.fixture
def raised(demo_site):
    """A support officer who raised a case for their councillor while the delegation was on."""
    cllr = m.Councillor.objects.filter(divisions__code="FE01").order_by("pk").first()
    officer = _user("mso_leak", m.Role.SUPPORT_OFFICER)
    delegation = m.MemberSupportDelegation.objects.create(officer=officer, councillor=cllr)
    contact = ContactDetails(first_name=NAME, last_name="Quillfeather", email=EMAIL, phone=PHONE)
    case = report_pothole(
        actor=officer,
        channel="phone",
        on_behalf_of=cllr,
        raised_as="councillor",
        contact=contact,
        description=DESCRIPTION,
    ).case
    assert case.raised_by_id == officer.pk
    return officer, delegation, case


def _member_pages(officer: m.User, case: m.ServiceRequest) -> tuple[str, int, int]:
    client = Client()
    sign_in_confirmed(client, officer)
    home = client.get("/member/")
    assert home.status_code == 200
    page = client.get(f"/member/cases/{case.reference}/")
    csv = client.get(f"/member/cases/{case.reference}/export.csv")
    return home.content.decode(), page.status_code, csv.status_code


def test_the_officer_sees_the_case_while_the_delegation_is_active(raised):
    # the control: without it the tests below could pass on a page that shows nothing
    officer, _, case = raised
    assert can(officer, Action.VIEW, case)
    assert Action.ADD_NOTE in actions_on(officer, case)
    home, page, csv = _member_pages(officer, case)
    assert case.reference in home
    assert (page, csv) == (200, 200)


@pytest.mark.parametrize(
    "window",
    [
        {"ends_on": -1},  # ended yesterday
        {"ends_on": -30},
        {"starts_on": 1},  # starts tomorrow
        {"starts_on": 7, "ends_on": 30},
    ],
    ids=["ended-yesterday", "ended-a-month-ago", "starts-tomorrow", "starts-next-week"],
)
def test_a_case_the_officer_raised_is_closed_to_them_outside_the_delegation(raised, window):
    officer, delegation, case = raised
    today = timezone.localdate()
    for field, days in window.items():
        setattr(delegation, field, today + timedelta(days=days))
    delegation.save()

    # the one policy: the SQL filter and the per-object rule
    assert not cases_visible_to(user=officer).filter(pk=case.pk).exists()
    assert not can(officer, Action.VIEW, case)
    assert not can(officer, Action.EXPORT, case)
    assert actions_on(officer, case) == frozenset()
    # and so every page built on it: the list, the case page and its CSV
    home, page, csv = _member_pages(officer, case)
    assert (page, csv) == (404, 404)
    for personal in (case.reference, NAME, EMAIL, PHONE, DESCRIPTION):
        assert personal not in home


def test_a_new_delegation_to_another_councillor_does_not_reopen_old_casework(raised):
    officer, delegation, case = raised
    delegation.ends_on = timezone.localdate() - timedelta(days=1)
    delegation.save()
    other = m.Councillor.objects.exclude(pk=delegation.councillor_id).order_by("pk").first()
    m.MemberSupportDelegation.objects.create(officer=officer, councillor=other)
    assert not can(officer, Action.VIEW, case)
    assert _member_pages(officer, case)[1] == 404


def test_the_councillor_keeps_the_case_their_officer_raised(raised):
    _, delegation, case = raised
    delegation.ends_on = timezone.localdate() - timedelta(days=1)
    delegation.save()
    cllr = delegation.councillor.user
    assert can(cllr, Action.VIEW, case)
    assert Action.ADD_NOTE in actions_on(cllr, case)


def test_a_councillor_still_sees_what_they_raised_themselves(demo_site):
    cllr = m.Councillor.objects.filter(divisions__code="FE02").order_by("pk").first()
    case = report_pothole(
        actor=cllr.user, channel="email", on_behalf_of=cllr, raised_as="individual"
    ).case
    assert can(cllr.user, Action.VIEW, case)


# --- the superuser flag is a configuration role -------------------------------------------


@pytest.fixture
def citizen_case(demo_site):
    contact = ContactDetails(first_name=NAME, last_name="Quillfeather", email=EMAIL, phone=PHONE)
    return report_pothole(division="FE01", contact=contact, description=DESCRIPTION).case


def _superusers() -> list[m.User]:
    return [
        # `createsuperuser`: the role stays at its default
        m.User.objects.create_superuser(username="root", password="pw"),
        # the demo site's administrator: service administrator with the flag
        _user("demo_admin", m.Role.SERVICE_ADMIN, is_staff=True, is_superuser=True),
    ]


def test_the_superuser_without_the_dpo_role_gets_no_citizen_page_nor_export(citizen_case):
    citizen = citizen_case.citizen
    for root in _superusers():
        client = Client()
        sign_in_confirmed(client, root)
        page = client.get(f"/desk/citizens/{citizen.pk}/")
        exported = client.post(f"/desk/citizens/{citizen.pk}/export/")
        assert (page.status_code, exported.status_code) == (404, 404), root.username
        assert exported["Content-Type"] != "application/zip"
        for personal in (NAME, EMAIL, PHONE):
            assert personal not in page.content.decode()
            assert personal not in exported.content.decode()
    # nothing was read, so nothing was logged as read
    assert not m.AccessLog.objects.filter(citizen_id=citizen.pk).exists()


def test_the_dpo_role_opens_both_with_or_without_the_flag(citizen_case):
    citizen = citizen_case.citizen
    for dpo in (
        _user("dpo_plain", m.Role.DPO),
        _user("dpo_root", m.Role.DPO, is_staff=True, is_superuser=True),
    ):
        client = Client()
        sign_in_confirmed(client, dpo)
        assert NAME in client.get(f"/desk/citizens/{citizen.pk}/").content.decode()
        exported = client.post(f"/desk/citizens/{citizen.pk}/export/")
        assert exported.status_code == 200
        assert exported["Content-Type"] == "application/zip"


def test_a_case_officer_sees_the_citizen_of_their_case_but_no_export(citizen_case):
    # ADR 0017: staff see citizens; subject access stays the DPO's
    officer = _user("officer_leak", m.Role.CASE_OFFICER)
    member = m.StaffMember.objects.create(user=officer)
    m.TeamMembership.objects.create(staff=member, team=citizen_case.team)
    assert can(officer, Action.VIEW, citizen_case)
    client = Client()
    sign_in_confirmed(client, officer)
    page = client.get(f"/desk/citizens/{citizen_case.citizen_id}/")
    assert page.status_code == 200
    assert EMAIL in page.content.decode()
    assert client.post(f"/desk/citizens/{citizen_case.citizen_id}/export/").status_code == 404
