"""The access log: every view of personal data by staff, councillors and support officers."""

from __future__ import annotations

from django.db import models

from apps.council_crm.models import AccessLog, Citizen, Role, ServiceRequest, User

LOGGED_ROLES = {
    Role.CASE_OFFICER,
    Role.TEAM_LEADER,
    Role.DEPARTMENT_MANAGER,
    Role.SERVICE_ADMIN,
    Role.DPO,
    Role.COUNCILLOR,
    Role.SUPPORT_OFFICER,
}


def access_log_record(
    *, user: User, obj: models.Model, via: str, action: str = "view"
) -> AccessLog | None:
    """Append one row. Residents looking at their own data are not logged (a resident's account
    with the staff flag, in the admin, is not looking at its own data: it is logged)."""
    if not (user.is_superuser or user.is_staff or user.role in LOGGED_ROLES):
        return None
    citizen_id: int | None = None
    if isinstance(obj, Citizen):
        citizen_id = obj.pk
    elif isinstance(obj, ServiceRequest):
        citizen_id = obj.citizen_id
    elif isinstance(obj, User):
        citizen_id = Citizen.objects.filter(user=obj).values_list("pk", flat=True).first()
    else:  # a consent, an interaction, a message: whatever names its citizen
        citizen_id = getattr(obj, "citizen_id", None)
    label = f"{user.get_full_name() or user.username} ({user.username}, {user.get_role_display()})"
    return AccessLog.objects.create(
        user=user,
        user_label=label[:200],
        object_type=obj._meta.model_name or "",
        object_id=str(getattr(obj, "reference", None) or obj.pk),
        citizen_id=citizen_id,
        action=action,
        via=via[:300],
    )
