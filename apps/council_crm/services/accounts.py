"""Accounts: a resident's link to the citizen record, update preferences and closing the
account; for everyone, the sessions they signed in with and ending them after a security change."""

from __future__ import annotations

import re
from datetime import datetime
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.council_crm.models import (
    AuditAction,
    AuditEvent,
    Citizen,
    ContactPreference,
    Role,
    SignInSession,
    User,
)
from apps.council_crm.services.audit import audit_record
from apps.council_crm.services.citizens import normalise_phone
from apps.council_crm.services.privacy import citizen_anonymise

# What a resident can choose for updates on the website (phone calls and letters are for staff
# to arrange: nothing sends them automatically).
RESIDENT_CHANNELS = (ContactPreference.EMAIL, ContactPreference.SMS, ContactPreference.NONE)
ACCOUNT_DELETED_REASON = "The resident deleted their account on the website"


@transaction.atomic
def resident_citizen_link(*, user: User, email: str) -> Citizen | None:
    """Link a resident's account to the citizen record with their verified email address (the
    record `case_create` matches, so reports made signed out belong to the account), or
    create one. Idempotent. A changed, verified address moves to the record. Staff and
    councillors' accounts are not linked (None)."""
    if user.role != Role.RESIDENT or user.is_staff or user.is_superuser:
        return None
    email = email.strip().lower()
    citizen = Citizen.objects.select_for_update().filter(user=user).first()
    if citizen is not None:
        if email and citizen.email != email and citizen.anonymised_at is None:
            old_email, citizen.email = citizen.email, email
            citizen.save(update_fields=["email", "updated_at"])
            audit_record(
                actor=user,
                action=AuditAction.CITIZEN_EMAIL_CHANGED,
                obj=citizen,
                changes={"email": (old_email, email)},
                data={"citizen": citizen.pk, "user": user.pk},
            )
        return citizen
    citizen = (
        Citizen.objects.active()
        .select_for_update()
        .filter(email=email, user__isnull=True)
        .order_by("id")
        .first()
    )
    if citizen is None:
        citizen = Citizen.objects.create(
            first_name=user.first_name,
            last_name=user.last_name,
            email=email,
            preferred_channel=ContactPreference.EMAIL,
            preferred_language=settings.LANGUAGE_CODE,
            user=user,
        )
        created = True
    else:
        citizen.user = user
        changed = ["user"]
        for name in ("first_name", "last_name"):
            if not getattr(citizen, name) and getattr(user, name):
                setattr(citizen, name, getattr(user, name))
                changed.append(name)
        citizen.save(update_fields=[*changed, "updated_at"])
        created = False
    audit_record(
        actor=user,
        action=AuditAction.ACCOUNT_LINKED,
        obj=citizen,
        data={"citizen": citizen.pk, "user": user.pk, "created": created},
    )
    return citizen


@transaction.atomic
def citizen_preferences_update(
    *, citizen: Citizen, actor: User, preferred_channel: str, phone: str, language: str
) -> Citizen:
    """How the resident wants updates about their requests (email, text message or none) and
    in which language. A text message needs a mobile number."""
    citizen = Citizen.objects.select_for_update().get(pk=citizen.pk)
    errors: dict[str, list[str]] = {}
    if actor.role == Role.RESIDENT and citizen.user_id != actor.pk:
        raise ValidationError({"citizen": [_("You can only change your own preferences")]})
    if citizen.anonymised_at:
        errors["citizen"] = [_("This person's record has been anonymised")]
    if preferred_channel not in RESIDENT_CHANNELS:
        errors["preferred_channel"] = [_("Choose how you want to get updates")]
    phone = normalise_phone(phone.strip())
    if phone and not re.fullmatch(r"0?7\d{9}|0?8\d{8}|\+\d{9,15}", phone):
        errors["phone"] = [_("Enter a mobile phone number, like 07700 900 982")]
    elif preferred_channel == ContactPreference.SMS and not phone:
        errors["phone"] = [_("Enter a mobile phone number to get updates by text message")]
    languages = {code for code, _name in settings.LANGUAGES}
    if language not in languages:
        errors["language"] = [_("Choose a language")]
    if errors:
        raise ValidationError(errors)
    before = {
        "preferred_channel": citizen.preferred_channel,
        "preferred_language": citizen.preferred_language,
        "phone": citizen.phone,
    }
    citizen.preferred_channel = preferred_channel
    citizen.preferred_language = language
    citizen.phone = phone
    changed = [name for name, old in before.items() if getattr(citizen, name) != old]
    if not changed:
        return citizen
    citizen.save(update_fields=[*changed, "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CITIZEN_PREFERENCES_CHANGED,
        obj=citizen,
        changes={name: (before[name], getattr(citizen, name)) for name in changed},
        data={"citizen": citizen.pk, "changed": sorted(changed)},
    )
    return citizen


@transaction.atomic
def resident_account_delete(*, user: User, now: datetime | None = None) -> AuditEvent:
    """Close a resident's account: their personal data is erased (`citizen_anonymise`: the
    account is deactivated and renamed, the citizen record and everything linked to it
    scrubbed); their requests stay, anonymised, for the council's statistics, and open ones
    are still dealt with. Returns the erasure's tombstone."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.role != Role.RESIDENT or user.is_staff or user.is_superuser:
        raise ValidationError(
            {"account": [_("Staff and councillor accounts are closed by the council")]}
        )
    if not user.is_active:
        raise ValidationError({"account": [_("This account has already been closed")]})
    citizen = Citizen.objects.filter(user=user).first()
    if citizen is None:  # never verified an address: only the account itself to erase
        citizen = Citizen.objects.create(user=user, preferred_language=settings.LANGUAGE_CODE)
    return citizen_anonymise(
        citizen=citizen, actor=user, reason=ACCOUNT_DELETED_REASON, now=now or timezone.now()
    )


@transaction.atomic
def sign_in_session_record(
    *, user: User, session_key: str, now: datetime | None = None
) -> SignInSession:
    """Remember that this session belongs to this user (written as allauth signs them in), so a
    security change can end it. The rows of the user's sessions that have ended since are
    tidied away here."""
    now = now or timezone.now()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for row in SignInSession.objects.filter(user=user).exclude(session_key=session_key):
        if not store().exists(row.session_key):
            row.delete()
    row, _created = SignInSession.objects.update_or_create(
        session_key=session_key, defaults={"user": user, "signed_in_at": now}
    )
    return row


@transaction.atomic
def sessions_end_others(
    *, user: User, keep_session_key: str | None, actor: User | None, reason: str
) -> int:
    """Sign the user out everywhere but here (`keep_session_key`, the session that made the
    change; None ends them all): after their password or a second factor changes, a session
    someone else may hold must not outlive it. Returns how many sessions ended; the audit
    trail records it with the reason (e.g. "mfa/email/totp_activated")."""
    rows = SignInSession.objects.select_for_update().filter(user=user)
    if keep_session_key:
        rows = rows.exclude(session_key=keep_session_key)
    keys = list(rows.values_list("session_key", flat=True))
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:
        store().delete(key)
    rows.delete()
    if keys:
        audit_record(
            actor=actor,
            action=AuditAction.SESSIONS_ENDED,
            obj=user,
            data={"user": user.pk, "sessions": len(keys), "reason": reason},
        )
    return len(keys)
