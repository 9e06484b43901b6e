"""What a signed-in resident may read about themselves: their record, consents, open requests."""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.http import Http404

from apps.council_crm.models import Citizen, Consent, Role, ServiceRequest, User
from apps.council_crm.permissions import cases_visible_to


def is_resident(user: User) -> bool:
    return (
        user.is_active and user.role == Role.RESIDENT and not (user.is_staff or user.is_superuser)
    )


def resident_citizen(*, user: User) -> Citizen | None:
    """The resident's own citizen record (linked when they verified their email address)."""
    if not is_resident(user):
        return None
    return Citizen.objects.active().filter(user=user).first()


def resident_consents(*, user: User) -> QuerySet[Consent]:
    """Every consent the resident gave, the active ones first, newest first."""
    if not is_resident(user):
        return Consent.objects.none()
    return (
        Consent.objects.filter(citizen__user=user, citizen__anonymised_at__isnull=True)
        .select_related("case", "case__category", "councillor__user")
        .order_by(F("withdrawn_at").asc(nulls_first=True), "-granted_at", "-id")
    )


def resident_consent(*, user: User, pk: int) -> Consent:
    """One of the resident's consents; someone else's does not exist for them (404)."""
    consent = resident_consents(user=user).filter(pk=pk).first()
    if consent is None:
        raise Http404
    return consent


def resident_open_cases(*, user: User) -> QuerySet[ServiceRequest]:
    """Their requests the council is still working on (shown before closing the account)."""
    if not is_resident(user):
        return ServiceRequest.objects.none()
    return cases_visible_to(user=user).open().select_related("category", "status").order_by("-id")
