"""A small world for visibility tests: one case in FE01 and someone in every relation to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.council_crm import models as m
from tests.factories.cases import report_pothole, resident


@dataclass
class World:
    case: m.ServiceRequest
    users: dict[str, m.User]
    cllr_division: m.Councillor
    cllr_other: m.Councillor


def _user(username: str, role: str, **kw) -> m.User:
    return m.User.objects.create_user(
        username=username, password="pw", role=role, email=f"{username}@example.com", **kw
    )


@pytest.fixture
def world(demo_site) -> World:
    owner = _user("owner", m.Role.RESIDENT)
    case = report_pothole(division="FE01", contact=resident(email="owner@example.com")).case
    case.citizen.user = owner
    case.citizen.save()
    team = case.team
    other_team = m.Team.objects.exclude(pk=team.pk).exclude(department=team.department).first()

    def staff(username: str, role: str, t: m.Team, team_role: str = "member") -> m.User:
        user = _user(username, role)
        member = m.StaffMember.objects.create(user=user)
        m.TeamMembership.objects.create(staff=member, team=t, role=team_role)
        return user

    manager = _user("manager_in", m.Role.DEPARTMENT_MANAGER)
    team.department.manager = manager
    team.department.save()
    other_manager = _user("manager_out", m.Role.DEPARTMENT_MANAGER)
    other_team.department.manager = other_manager
    other_team.department.save()

    cllr_division = m.Councillor.objects.filter(divisions__code="FE01").order_by("pk").first()
    cllr_other = m.Councillor.objects.exclude(divisions__code="FE01").order_by("pk").first()
    support = _user("support_in", m.Role.SUPPORT_OFFICER)
    m.MemberSupportDelegation.objects.create(officer=support, councillor=cllr_division)
    support_other = _user("support_out", m.Role.SUPPORT_OFFICER)
    m.MemberSupportDelegation.objects.create(officer=support_other, councillor=cllr_other)
    for c in (cllr_division, cllr_other):
        c.user.set_password("pw")
        c.user.save()

    users = {
        "owner": owner,
        "other_resident": _user("other_resident", m.Role.RESIDENT),
        "officer_in": staff("officer_in", m.Role.CASE_OFFICER, team),
        "officer_out": staff("officer_out", m.Role.CASE_OFFICER, other_team),
        "leader_in": staff("leader_in", m.Role.TEAM_LEADER, team, "leader"),
        "manager_in": manager,
        "manager_out": other_manager,
        "admin": _user("admin_x", m.Role.SERVICE_ADMIN),
        "dpo": _user("dpo_x", m.Role.DPO),
        "cllr_division": cllr_division.user,
        "cllr_other": cllr_other.user,
        "support_in": support,
        "support_out": support_other,
    }
    return World(case=case, users=users, cllr_division=cllr_division, cllr_other=cllr_other)


def grant(world: World, state: str) -> m.Consent | None:
    """Put the world in a consent state."""
    base = dict(
        citizen=world.case.citizen,
        purpose=m.Consent.Purpose.SHARE_WITH_COUNCILLOR,
        channel="web",
        wording_version="v1",
        granted_at=timezone.now() - timedelta(minutes=5),
    )
    if state == "none":
        return None
    if state == "all_cases_any":
        return m.Consent.objects.create(scope="all_cases", **base)
    if state == "this_case_any":
        return m.Consent.objects.create(scope="case", case=world.case, **base)
    if state == "named_division_cllr":
        return m.Consent.objects.create(scope="all_cases", councillor=world.cllr_division, **base)
    if state == "named_other_cllr":
        return m.Consent.objects.create(scope="all_cases", councillor=world.cllr_other, **base)
    if state == "withdrawn":
        return m.Consent.objects.create(scope="all_cases", withdrawn_at=timezone.now(), **base)
    if state == "other_case_only":
        other = report_pothole(division="FE01", contact=resident(email="owner@example.com")).case
        return m.Consent.objects.create(scope="case", case=other, **base)
    raise ValueError(state)
