"""Contact details: what someone told us about themselves, checked and put in one form."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class ContactDetails:
    """What someone told us about themselves when they got in touch."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    postcode: str = ""
    preferred_channel: str = ""
    language: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.first_name or self.last_name or self.email or self.phone)


def normalise_phone(raw: str) -> str:
    """UK and Irish numbers to one form, so that 07700 900123 and +44 7700 900123 match."""
    digits = re.sub(r"[^\d+]", "", raw or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    elif digits.startswith("+353"):
        digits = "0" + digits[4:]
    return digits


def validate_contact(details: ContactDetails) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if details.email:
        try:
            validate_email(details.email)
        except ValidationError:
            errors["email"] = [
                _("Enter an email address in the correct format, like name@example.com")
            ]
    if details.phone:
        phone = normalise_phone(details.phone)
        if not re.fullmatch(r"\+?\d{9,15}", phone):
            errors["phone"] = [_("Enter a telephone number, like 01632 960 001 or 07700 900 982")]
    if len(details.first_name) > 150 or len(details.last_name) > 150:
        errors["name"] = [_("Name must be 150 characters or fewer")]
    return errors
