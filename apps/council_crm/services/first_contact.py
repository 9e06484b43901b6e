"""A contact at the desk that becomes a case: the case, the consent read aloud, the contact.

Kept apart from services/interactions.py, which services/citizens.py re-exports and which so
must not depend on the case services (they depend on services/citizens.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from apps.council_crm.models import Channel, Citizen, Consent, Interaction, ServiceRequest, User
from apps.council_crm.services.cases import CaseRequest, case_create
from apps.council_crm.services.consent import consent_grant
from apps.council_crm.services.interactions import interaction_audit, no_details_citizen


@dataclass(frozen=True)
class ContactCase:
    case: ServiceRequest
    interaction: Interaction
    created: bool


def consent_evidence(channel: str) -> str:
    """How a consent given at the desk was given, kept with it."""
    if channel == Channel.PHONE:
        return _("Wording read aloud by phone")
    if channel == Channel.FACE_TO_FACE:
        return _("Wording read aloud in person")
    return _("Given by %(channel)s") % {"channel": Channel(channel).label.lower()}


@transaction.atomic
def contact_case_create(
    *,
    request: CaseRequest,
    citizen: Citizen | None,
    actor: User,
    key: str,
    share_with_councillor: bool = False,
) -> ContactCase:
    """A contact that becomes a new case: the case (checked exactly as a web report is), the
    caller's consent to share it with their councillor if they gave it, and the contact with
    the outcome "case created". The journey's key makes it once only."""
    made = case_create(request=request, actor=actor, idempotency_key=key, citizen=citizen)
    case = made.case
    if not made.created:
        logged = Interaction.objects.filter(case=case, outcome=Interaction.Outcome.CASE_CREATED)
        first = logged.order_by("id").first()
        if first is not None:
            return ContactCase(case, first, created=False)
    owner = case.citizen or no_details_citizen()
    # case_create logs a staff channel's contact itself; it is this one, with its outcome
    interaction = Interaction.objects.filter(case=case, citizen=owner).order_by("id").first()
    if interaction is None:
        interaction = Interaction.objects.create(
            citizen=owner,
            case=case,
            channel=request.channel,
            direction=Interaction.Direction.INBOUND,
            summary=_("Reported %(category)s (%(reference)s)")
            % {"category": case.category.name, "reference": case.reference},
            staff=actor,
        )
    interaction.outcome = Interaction.Outcome.CASE_CREATED
    interaction.save(update_fields=["outcome"])
    if share_with_councillor and case.citizen is not None:
        consent_grant(
            citizen=case.citizen,
            purpose=Consent.Purpose.SHARE_WITH_COUNCILLOR,
            actor=actor,
            channel=request.channel,
            scope=Consent.Scope.CASE,
            case=case,
            evidence=consent_evidence(request.channel),
        )
    interaction_audit(interaction, actor=actor, key=key)
    return ContactCase(case, interaction, created=True)
