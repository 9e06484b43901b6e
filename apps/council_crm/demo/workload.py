"""Demo sign-ins: one user for every role, for trying the product from `make run`."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction

from apps.council_crm import models as m

DEMO_PASSWORD = "council-demo-2026"  # noqa: S105 - published in the README, demo site only
DEMO_RESIDENT_EMAIL = "resident@demo.invalid"  # the demo resident's address (demo/casework.py)


def _login(user: m.User, password: str, **flags: bool) -> None:
    changed = [k for k, v in flags.items() if getattr(user, k) != v]
    for key in changed:
        setattr(user, key, flags[key])
    if not user.check_password(password):
        user.set_password(password)
        changed.append("password")
    if changed:
        user.save(update_fields=changed)


def _ensure(username: str, role: str, first: str, last: str, **flags: bool) -> m.User:
    user, _ = m.User.objects.get_or_create(
        username=username,
        defaults={
            "role": role,
            "first_name": first,
            "last_name": last,
            "email": f"{username}@demo.invalid",
        },
    )
    return user


@transaction.atomic
def demo_users_ensure(*, password: str = DEMO_PASSWORD) -> list[tuple[str, str]]:
    """Give one user per role a known password. Returns (role label, username) pairs.

    Councillors, support officers and staff come from the site's fixtures, so they have their
    real links (divisions, delegations, teams); the others are created here. Idempotent.
    """
    logins: list[tuple[str, str]] = []

    admin = _ensure("admin", m.Role.SERVICE_ADMIN, "Alex", "Administrator")
    _login(admin, password, is_staff=True, is_superuser=True)
    logins.append((str(m.Role.SERVICE_ADMIN.label), admin.username))

    dpo = _ensure("dpo", m.Role.DPO, "Dana", "Protection")
    _login(dpo, password, is_staff=True)
    logins.append((str(m.Role.DPO.label), dpo.username))

    resident = _ensure("resident", m.Role.RESIDENT, "Robin", "Resident")
    assert resident.email == DEMO_RESIDENT_EMAIL  # noqa: S101 - as _ensure gives it
    _login(resident, password)
    m.Citizen.objects.get_or_create(
        user=resident,
        defaults={"first_name": "Robin", "last_name": "Resident", "email": resident.email},
    )
    # signing in at /account/ needs a verified address (allauth's, for residents)
    EmailAddress.objects.get_or_create(
        user=resident, email=resident.email, defaults={"verified": True, "primary": True}
    )
    logins.append((str(m.Role.RESIDENT.label), resident.username))

    picks = [
        (m.Role.CASE_OFFICER, m.User.objects.filter(staff_profile__memberships__role="member")),
        (m.Role.TEAM_LEADER, m.User.objects.filter(staff_profile__memberships__role="leader")),
        (m.Role.COUNCILLOR, m.User.objects.filter(councillor__isnull=False)),
        (m.Role.SUPPORT_OFFICER, m.User.objects.filter(delegations__isnull=False)),
    ]
    for role, users in picks:
        user = users.filter(role=role).order_by("username").first()
        if user is None:
            continue
        _login(user, password)
        logins.append((str(role.label), user.username))

    department = m.Department.objects.order_by("code").first()
    if department:
        manager = _ensure("manager", m.Role.DEPARTMENT_MANAGER, "Morgan", "Manager")
        _login(manager, password)
        if department.manager_id != manager.pk:
            department.manager = manager
            department.save(update_fields=["manager"])
        logins.append((str(m.Role.DEPARTMENT_MANAGER.label), manager.username))
    return logins
