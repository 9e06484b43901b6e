"""Personal data: erasure of a citizen by anonymisation, and the sweep for mentions of them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.council_crm.contacts import normalise_phone
from apps.council_crm.models import AuditAction, AuditEvent, Citizen, Role, User
from apps.council_crm.personal_data import PERSONAL_DATA
from apps.council_crm.selectors.privacy import personal_rows
from apps.council_crm.services.audit import audit_record
from apps.council_crm.services.privacy.scrub import (
    REMOVED,
    SCRUB,
    ScrubRun,
    files_delete_on_commit,
)

# --- mentions of the person in other people's records -------------------------------------


@dataclass(frozen=True)
class _Identifiers:
    """How the person may be written in free text: full name, email address, phone number."""

    patterns: tuple[re.Pattern[str], ...]
    hints: tuple[str, ...]  # substrings every match contains (a cheap database pre-filter)

    def found_in(self, text: str) -> bool:
        return any(p.search(text) for p in self.patterns)

    def remove_from(self, text: str) -> str:
        for pattern in self.patterns:
            text = pattern.sub(REMOVED, text)
        return text


_SEP = r"[\s.()-]*"


def _identifiers(citizen: Citizen, *, with_name: bool = True) -> _Identifiers:
    patterns: list[re.Pattern[str]] = []
    hints: list[str] = []
    first, last = citizen.first_name.strip(), citizen.last_name.strip()
    if with_name and first and last:  # a first name alone would match other people
        words = [re.escape(w) for w in f"{first} {last}".split()]
        patterns.append(re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE))
        hints.append(last.split()[-1])
    if citizen.email.strip():
        patterns.append(re.compile(re.escape(citizen.email.strip()), re.IGNORECASE))
        hints.append(citizen.email.strip())
    digits = re.sub(r"\D", "", normalise_phone(citizen.phone))
    if len(digits) >= 9:
        if normalise_phone(citizen.phone).startswith("0"):
            prefix = r"(?:\+" + _SEP + r"(?:44|353)" + _SEP + r"(?:\(0\))?|0)" + _SEP
            body = _SEP.join(digits[1:])
        else:
            prefix, body = r"\+?" + _SEP, _SEP.join(digits)
        patterns.append(re.compile(r"(?<!\d)" + prefix + body + r"(?!\d)"))
        hints.append(digits[-3:])  # the last group of a number is never split
    return _Identifiers(tuple(patterns), tuple(hints))


def _mentions_scrub(found: _Identifiers, s: ScrubRun) -> int:
    """Replace the person's name, email or phone wherever someone typed it, in any row."""
    n = 0
    for h in PERSONAL_DATA:
        model = h.model_class
        for name in h.free_text:
            hint = Q()
            for text in found.hints:
                hint |= Q(**{f"{name}__icontains": text})
            column = model._meta.get_field(name)
            limit = column.max_length if isinstance(column, models.Field) else None
            rows = model._base_manager.filter(hint).values_list("pk", name)
            for pk, value in rows.iterator():
                if value and found.found_in(value):
                    cleaned = found.remove_from(value)[:limit]
                    model._base_manager.filter(pk=pk).update(**{name: cleaned})
                    n += 1
    return n


# --- erasure ------------------------------------------------------------------------------


def _keep_staff_account(citizen: Citizen, s: ScrubRun) -> None:
    """An officer or councillor who also reported as a resident keeps their work account:
    it is unlinked from the citizen record, not erased with it."""
    user = citizen.user
    if user is None:
        return
    if user.role != Role.RESIDENT or user.is_staff or user.is_superuser:
        Citizen.objects.filter(pk=citizen.pk).update(user=None)
        citizen.user = None
        s.counts["work account unlinked"] += 1


def _citizen_tombstone(citizen: Citizen) -> AuditEvent | None:
    return (
        AuditEvent.objects.filter(
            action=AuditAction.CITIZEN_ANONYMISED, object_type="citizen", object_id=str(citizen.pk)
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def _staff_share_the_name(citizen: Citizen) -> bool:
    """Sweeping a name that an officer or councillor also has would take theirs out of every
    timeline they work on (the records linked to the citizen are scrubbed all the same)."""
    first, last = citizen.first_name.strip(), citizen.last_name.strip()
    if not (first and last):
        return False
    staff = User.objects.exclude(role=Role.RESIDENT).filter(
        first_name__iexact=first, last_name__iexact=last
    )
    return staff.exists()


def citizen_scrub(
    citizen: Citizen, *, actor: User | None, reason: str, now: datetime, sweep: bool
) -> AuditEvent:
    """Scrub every registered row of a locked citizen (and, with ``sweep``, mentions of them
    in other rows); the tombstone. citizen_anonymise and retention check and lock first."""
    s = ScrubRun(now=now, actor=actor, retention=False, citizen=citizen)
    name_shared = sweep and _staff_share_the_name(citizen)
    found = _identifiers(citizen, with_name=not name_shared)
    already = citizen.anonymised_at is not None
    same_contact = _same_contact(citizen)
    _keep_staff_account(citizen, s)
    for h in PERSONAL_DATA:
        n = SCRUB[h.model](personal_rows(citizen=citizen, of=h), s)
        if n:
            s.counts[h.model] += n
    if sweep and found.patterns:
        n = _mentions_scrub(found, s)
        if n:
            s.counts["mentions in other records"] += n
    files_delete_on_commit(s.files)
    if already and not s.counts:
        existing = _citizen_tombstone(citizen)
        if existing is not None:
            return existing
    data: dict[str, Any] = {"reason": reason, "counts": dict(sorted(s.counts.items()))}
    if not s.counts:
        data["nothing_left"] = True
    if name_shared:
        data["name_not_swept"] = "a member of staff has the same name"
    if same_contact:
        # Other records with the same email or phone: the DPO decides whether they are the
        # same person (ids only, no details).
        data["same_contact_citizen_ids"] = same_contact
    return audit_record(
        actor=actor, action=AuditAction.CITIZEN_ANONYMISED, obj=citizen, data=data, now=now
    )


def _same_contact(citizen: Citizen) -> list[int]:
    same = Q(pk__in=[])
    if citizen.email:
        same |= Q(email__iexact=citizen.email)
    if citizen.phone:
        same |= Q(phone=citizen.phone)
    return list(
        Citizen.objects.active().filter(same).exclude(pk=citizen.pk).values_list("pk", flat=True)
    )


@transaction.atomic
def citizen_anonymise(
    *, citizen: Citizen, actor: User | None, reason: str, now: datetime | None = None
) -> AuditEvent:
    """Erase a citizen's personal data and keep their cases for statistics. Returns the
    tombstone. Running it again changes nothing and returns the same tombstone (or, if data
    was linked to them since, scrubs that too and writes a new one)."""
    citizen = (
        Citizen.objects.select_for_update(of=("self",)).select_related("user").get(pk=citizen.pk)
    )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the erasure")]})
    if len(reason) > 500:
        raise ValidationError({"reason": [_("The reason must be 500 characters or fewer")]})
    if _identifiers(citizen).found_in(reason):
        raise ValidationError(
            {
                "reason": [
                    _(
                        "The reason is kept after the erasure: leave out the person's name, "
                        "email address and phone number"
                    )
                ]
            }
        )
    return citizen_scrub(citizen, actor=actor, reason=reason, now=now or timezone.now(), sweep=True)
