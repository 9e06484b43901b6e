"""Sign-in rules: who must have a second factor, and what a staff session keeps about itself."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from apps.council_crm.models import Role, User

# What StaffSessionMiddleware keeps in a session (seconds since the epoch): when its user signed
# in (the absolute lifetime runs from here) and when it last saw a request (the idle time).
SIGNED_IN_AT = "crm_signed_in_at"
LAST_SEEN_AT = "crm_last_seen_at"
# Set once this session's user is known to have a second factor (saves a query per request).
MFA_READY = "crm_mfa_ready"


def mfa_required_for(user: User | AnonymousUser | None) -> bool:
    """A second factor is required of everyone who can see other people's personal data: every
    role but the resident (case officers, team leaders, managers, the data protection officer,
    service administrators, councillors, support officers) and anyone with the admin's is_staff
    or superuser flag. Residents see only their own data: for them it is optional."""
    if user is None or not user.is_authenticated:
        return False
    assert isinstance(user, User)  # noqa: S101 - the only authenticated user model
    return user.role != Role.RESIDENT or user.is_staff or user.is_superuser
