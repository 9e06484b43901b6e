"""Consent: granted by the resident, by staff on the phone, or recorded by a councillor."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.council_crm.models import (
    AuditAction,
    Channel,
    Citizen,
    Consent,
    Councillor,
    Role,
    ServiceRequest,
    User,
)
from apps.council_crm.permissions import acting_for
from apps.council_crm.services.audit import audit_record

CURRENT_WORDING = "share-with-councillor-v1"


@transaction.atomic
def consent_grant(
    *,
    citizen: Citizen,
    purpose: str,
    actor: User | None,
    channel: str,
    scope: str = Consent.Scope.ALL_CASES,
    case: ServiceRequest | None = None,
    councillor: Councillor | None = None,
    wording_version: str = CURRENT_WORDING,
    evidence: str = "",
    now: datetime | None = None,
) -> Consent:
    """Record a consent. A councillor or support officer must say how the resident agreed."""
    errors: dict[str, list[str]] = {}
    if purpose not in Consent.Purpose.values:
        errors["purpose"] = [_("Choose what the resident agreed to")]
    if scope not in Consent.Scope.values:
        errors["scope"] = [_("Choose whether it covers this case or all their cases")]
    if scope == Consent.Scope.CASE and case is None:
        errors["case"] = [_("Choose the case the consent covers")]
    if case is not None and case.citizen_id != citizen.pk:
        errors["case"] = [_("That case was reported by someone else")]
    if channel not in Channel.values:
        errors["channel"] = [_("Choose how the consent was given")]
    if citizen.anonymised_at:
        errors["citizen"] = [_("This person's record has been anonymised")]
    if actor is not None and actor.role in (Role.COUNCILLOR, Role.SUPPORT_OFFICER):
        if not evidence.strip():
            errors["evidence"] = [
                _(
                    "Say how the resident gave their consent, "
                    "for example the date and subject of their email"
                )
            ]
        allowed = {c.pk for c in acting_for(actor)}
        if councillor is None or councillor.pk not in allowed:
            errors["councillor"] = [
                _(
                    "You can only record consent to share with yourself "
                    "or the councillor you support"
                )
            ]
    if (
        actor is not None
        and actor.role == Role.RESIDENT
        and (not hasattr(actor, "citizen") or actor.citizen.pk != citizen.pk)
    ):
        errors["citizen"] = [_("You can only give consent for yourself")]
    if errors:
        raise ValidationError(errors)
    consent = Consent.objects.create(
        citizen=citizen,
        purpose=purpose,
        scope=scope,
        case=case if scope == Consent.Scope.CASE else None,
        councillor=councillor,
        channel=channel,
        wording_version=wording_version,
        evidence=evidence.strip(),
        recorded_by=actor,
        granted_at=now or timezone.now(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CONSENT_GRANTED,
        obj=consent,
        data={"citizen": citizen.pk, "purpose": purpose, "scope": scope},
    )
    return consent


@transaction.atomic
def consent_withdraw(
    *, consent: Consent, actor: User | None, now: datetime | None = None
) -> Consent:
    """Withdraw: it stops covering anything from the next request; its history is kept."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at:
        return consent
    if (
        actor is not None
        and actor.role == Role.RESIDENT
        and (not hasattr(actor, "citizen") or actor.citizen.pk != consent.citizen_id)
    ):
        raise ValidationError({"consent": [_("You can only withdraw your own consent")]})
    consent.withdrawn_at = now or timezone.now()
    consent.withdrawn_by = actor
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit_record(
        actor=actor,
        action=AuditAction.CONSENT_WITHDRAWN,
        obj=consent,
        changes={"withdrawn_at": (None, consent.withdrawn_at)},
        data={"citizen": consent.citizen_id, "purpose": consent.purpose},
    )
    return consent
