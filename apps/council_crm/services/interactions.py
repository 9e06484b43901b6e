"""Contacts: a call, a visit, an email or a letter logged at the desk, with how it ended.

Every contact is an `Interaction` of a citizen (so their history is one list), on the case it
concerns as a `CaseEvent`, and in the audit as CONTACT_LOGGED (channel, direction, outcome and
ids only: the summary is personal). A contact logged from a desk journey carries the journey's
key: sending the same journey twice returns the contact it logged the first time.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.council_crm.models import (
    AuditAction,
    AuditEvent,
    CaseEvent,
    Channel,
    Citizen,
    ContactPreference,
    Interaction,
    ServiceRequest,
    User,
)
from apps.council_crm.selectors.interactions import DESK_CHANNELS
from apps.council_crm.services.audit import audit_record

MAX_SUMMARY = 2000

__all__ = ["DESK_CHANNELS", "interaction_audit", "interaction_log", "no_details_citizen"]


def _logged_for(key: str, actor: User | None) -> Interaction | None:
    """The contact a journey already logged, if any (its audit row names the journey). A
    journey is one user's (it lives in their session): their rows, found by the actor index."""
    if not key:
        return None
    row = (
        AuditEvent.objects.filter(actor=actor, action=AuditAction.CONTACT_LOGGED, data__journey=key)
        .order_by("id")
        .first()
    )
    if row is None:
        return None
    return Interaction.objects.filter(pk=row.object_id).first()


@transaction.atomic
def interaction_log(
    *,
    citizen: Citizen | None,
    channel: str,
    direction: str,
    summary: str,
    actor: User | None,
    case: ServiceRequest | None = None,
    outcome: str = "",
    key: str = "",
) -> Interaction:
    """Record any contact with a citizen (a call, an email, a visit), optionally about a case.

    The case may be someone else's (a neighbour calling about a report already made). No
    citizen: the caller gave no details (`no_details_citizen`). With a `key`, the contact is logged
    once: the same key returns the first one.
    """
    errors: dict[str, list[str]] = {}
    if channel not in Channel.values:
        errors["channel"] = [_("Choose how they got in touch")]
    if direction not in Interaction.Direction.values:
        errors["direction"] = [_("Choose whether the contact was from or to the citizen")]
    if not summary.strip():
        errors["summary"] = [_("Enter a summary of the contact")]
    elif len(summary.strip()) > MAX_SUMMARY:
        errors["summary"] = [
            _("The summary must be %(n)s characters or fewer") % {"n": MAX_SUMMARY}
        ]
    if outcome and outcome not in Interaction.Outcome.values:
        errors["outcome"] = [_("Choose how the contact ended")]
    if outcome == Interaction.Outcome.ADDED_TO_CASE and case is None:
        errors["case"] = [_("Choose the case the contact is about")]
    if citizen is not None and citizen.anonymised_at:
        errors["citizen"] = [_("This person's record has been anonymised")]
    if errors:
        raise ValidationError(errors)
    if key:
        if citizen is not None:
            # one journey at a time per citizen: a second click waits, then finds the first
            Citizen.objects.select_for_update().filter(pk=citizen.pk).first()
        existing = _logged_for(key, actor)
        if existing is not None:
            return existing
    interaction = Interaction.objects.create(
        citizen=citizen or no_details_citizen(),
        case=case,
        channel=channel,
        direction=direction,
        summary=summary.strip(),
        outcome=outcome,
        staff=actor,
    )
    if case is not None:
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.CONTACT,
            message=_("%(channel)s contact logged: %(summary)s")
            % {"channel": interaction.get_channel_display(), "summary": interaction.summary},
            data={"channel": channel, "direction": direction, "outcome": outcome},
            actor=actor,
        )
    interaction_audit(interaction, actor=actor, key=key)
    return interaction


def interaction_audit(interaction: Interaction, *, actor: User | None, key: str) -> None:
    """The audit row of a contact: ids and codes only; the journey's key, if any."""
    data: dict[str, object] = {
        "citizen": interaction.citizen_id,
        "case": interaction.case_id,
        "channel": interaction.channel,
        "direction": interaction.direction,
        "outcome": interaction.outcome,
    }
    if key:
        data["journey"] = key
    audit_record(actor=actor, action=AuditAction.CONTACT_LOGGED, obj=interaction, data=data)


def no_details_citizen() -> Citizen:
    """A blank record for a contact who gave no details: an interaction needs a citizen, and
    the contact must still be counted (ADR 0017). It holds nothing personal, and no search
    finds it."""
    return Citizen.objects.create(preferred_channel=ContactPreference.NONE)
