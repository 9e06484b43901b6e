"""Citizens: matching a contact to one record, and logging every contact."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from apps.council_crm.contacts import ContactDetails, normalise_phone, validate_contact
from apps.council_crm.models import (
    CaseEvent,
    Channel,
    Citizen,
    Interaction,
    ServiceRequest,
    User,
)

__all__ = [
    "ContactDetails",
    "citizen_match_or_create",
    "interaction_log",
    "normalise_phone",
    "validate_contact",
]


def citizen_match_or_create(*, details: ContactDetails) -> Citizen:
    """The citizen with this email (else phone), or a new one. Fills gaps, never overwrites."""
    email = details.email.strip().lower()
    phone = normalise_phone(details.phone)
    citizen = None
    if email:
        # stored lower-cased, so the exact (indexed) match finds any capitalisation; the record
        # linked to a resident's account (its address confirmed) comes before older ones
        citizen = (
            Citizen.objects.active()
            .filter(email=email)
            .order_by(F("user").asc(nulls_last=True), "id")
            .first()
        )
    if citizen is None and phone:
        # A phone number on an account was typed in by its holder, never confirmed: a report
        # by phone alone must not land on (and show in) someone's account.
        citizen = (
            Citizen.objects.active().filter(phone=phone, user__isnull=True).order_by("id").first()
        )
    if citizen is None:
        preferred = details.preferred_channel or ("email" if email else "sms" if phone else "post")
        return Citizen.objects.create(
            first_name=details.first_name.strip(),
            last_name=details.last_name.strip(),
            email=email,
            phone=phone,
            address=details.address.strip(),
            postcode=details.postcode.strip().upper(),
            preferred_channel=preferred,
            preferred_language=details.language or "en",
        )
    gaps = {
        "first_name": details.first_name.strip(),
        "last_name": details.last_name.strip(),
        "email": email,
        "phone": phone,
        "address": details.address.strip(),
        "postcode": details.postcode.strip().upper(),
    }
    changed = [k for k, v in gaps.items() if v and not getattr(citizen, k)]
    for key in changed:
        setattr(citizen, key, gaps[key])
    if changed:
        citizen.save(update_fields=[*changed, "updated_at"])
    return citizen


@transaction.atomic
def interaction_log(
    *,
    citizen: Citizen,
    channel: str,
    direction: str,
    summary: str,
    actor: User | None,
    case: ServiceRequest | None = None,
) -> Interaction:
    """Record any contact with a citizen (a call, an email, a visit), optionally about a case."""
    errors: dict[str, list[str]] = {}
    if channel not in Channel.values:
        errors["channel"] = [_("Choose how they got in touch")]
    if direction not in Interaction.Direction.values:
        errors["direction"] = [_("Choose whether the contact was from or to the citizen")]
    if not summary.strip():
        errors["summary"] = [_("Enter a summary of the contact")]
    if case is not None and case.citizen_id != citizen.pk:
        errors["case"] = [_("That case belongs to someone else")]
    if errors:
        raise ValidationError(errors)
    interaction = Interaction.objects.create(
        citizen=citizen,
        case=case,
        channel=channel,
        direction=direction,
        summary=summary.strip(),
        staff=actor,
    )
    if case is not None:
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.CONTACT,
            message=_("%(channel)s contact logged: %(summary)s")
            % {"channel": interaction.get_channel_display(), "summary": interaction.summary},
            actor=actor,
        )
    return interaction
