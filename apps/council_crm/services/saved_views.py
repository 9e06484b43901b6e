"""Saved views: a desk queue's filters kept by one officer under a name."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.council_crm.models import AuditAction, SavedView, User
from apps.council_crm.services.audit import audit_record

MAX_NAME = 100


@transaction.atomic
def saved_view_save(*, user: User, name: str, query: str) -> SavedView:
    """Save the filters under a name; the same name again replaces that view's filters."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": [_("Enter a name for this view")]})
    if len(name) > MAX_NAME:
        raise ValidationError(
            {"name": [_("The name must be %(n)s characters or fewer") % {"n": MAX_NAME}]}
        )
    view = SavedView.objects.select_for_update().filter(user=user, name=name).first()
    if view is None:
        view = SavedView.objects.create(user=user, name=name, query=query)
        audit_record(
            actor=user, action=AuditAction.SAVED_VIEW_CHANGED, obj=view, data={"change": "created"}
        )
        return view
    view.query = query
    view.save(update_fields=["query"])
    # the filters are not kept in the audit: a search may hold a resident's name
    audit_record(
        actor=user, action=AuditAction.SAVED_VIEW_CHANGED, obj=view, data={"change": "replaced"}
    )
    return view


@transaction.atomic
def saved_view_delete(*, user: User, view: SavedView) -> None:
    """Delete one of the user's own saved views (anyone else's does not exist for them)."""
    if view.user_id != user.pk:
        raise SavedView.DoesNotExist
    audit_record(
        actor=user,
        action=AuditAction.SAVED_VIEW_CHANGED,
        obj=view,
        data={"change": "deleted"},
    )
    view.delete()
