"""Citizens: matching a contact to one record, or making one at the desk."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from apps.council_crm.contacts import ContactDetails, normalise_phone, validate_contact
from apps.council_crm.models import Citizen
from apps.council_crm.services.interactions import interaction_log  # its home before issue 13

__all__ = [
    "ContactDetails",
    "citizen_create",
    "citizen_match_or_create",
    "citizen_validate",
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


def citizen_validate(details: ContactDetails) -> dict[str, list[str]]:
    """A new record at the desk: the portal's checks of an email address and a phone number,
    a name, and one way to reach them (email, phone, or a postal address)."""
    errors = validate_contact(details)
    if not (details.first_name.strip() or details.last_name.strip()):
        errors.setdefault("first_name", [_("Enter their first name or last name")])
    reachable = details.email.strip() or details.phone.strip() or details.address.strip()
    if not reachable:
        errors.setdefault("email", [_("Enter their email address, phone number or address")])
    return errors


@transaction.atomic
def citizen_create(*, details: ContactDetails) -> Citizen:
    """A citizen staff add at the desk; one with the same email (else phone) is that one.

    Raises ValidationError (field -> messages) and writes nothing if the details are wrong."""
    errors = citizen_validate(details)
    if errors:
        raise ValidationError(errors)
    return citizen_match_or_create(details=details)
