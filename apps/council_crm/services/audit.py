"""Audit: the access log of who looked at personal data, and the audit trail of significant acts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from apps.council_crm.models import (
    AccessLog,
    AuditAction,
    AuditEvent,
    Citizen,
    Role,
    ServiceRequest,
    User,
)
from apps.council_crm.personal_data import PERSONAL_FIELD_WORDS

LOGGED_ROLES = {
    Role.CASE_OFFICER,
    Role.TEAM_LEADER,
    Role.DEPARTMENT_MANAGER,
    Role.SERVICE_ADMIN,
    Role.DPO,
    Role.COUNCILLOR,
    Role.SUPPORT_OFFICER,
}

# What an audit row keeps of a personal field's old and new value: that it changed, not what
# to (the row outlives the erasure of the person it is about).
WITHHELD = "[personal data]"


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


def _plain(value: object) -> object:
    """A value as JSON keeps it: dates as ISO text, model instances as their key."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def _is_personal(field: str) -> bool:
    return any(word in field.lower() for word in PERSONAL_FIELD_WORDS)


def audit_record(
    *,
    actor: User | None,
    action: AuditAction,
    obj: models.Model,
    changes: Mapping[str, tuple[object, object]] | None = None,
    data: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Append one row to the audit trail, in the caller's transaction.

    `changes` is `{field: (old, new)}`; a personal field's values are withheld (`WITHHELD`),
    only the fact that it changed is kept. `data` holds further facts that are not personal
    (counts, codes, ids). The record is named by its model and its key.
    """
    payload: dict[str, Any] = {k: _plain(v) for k, v in (data or {}).items()}
    if changes:
        payload["changes"] = {
            field: [WITHHELD, WITHHELD] if _is_personal(field) else [_plain(old), _plain(new)]
            for field, (old, new) in sorted(changes.items())
        }
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        object_type=obj._meta.model_name or "",
        object_id=str(obj.pk),
        data=payload,
        created_at=now or timezone.now(),
    )


def access_log_list_record(*, user: User, via: str, rows: str, action: str = "export") -> AccessLog:
    """One row for a list of cases read out at once (the desk's CSV export of a queue): the
    record is the list, named by the query that selected it (`via`), not each case."""
    label = f"{user.get_full_name() or user.username} ({user.username}, {user.get_role_display()})"
    return AccessLog.objects.create(
        user=user,
        user_label=label[:200],
        object_type="case_list",
        object_id=rows[:64],
        citizen_id=None,
        action=action,
        via=via[:300],
    )
