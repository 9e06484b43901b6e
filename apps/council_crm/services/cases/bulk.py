"""Bulk changes from the desk's queues: assign, or change the status of, the selected cases.

Each case goes through the same service as one case would (`case_assign`, `case_transition`),
so its timeline, notifications and clock are the same; each is audited. A case that cannot
change (the workflow does not allow it, the user may not) is reported with the reason and the
others still change: each case is its own savepoint.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.council_crm.models import CaseStatus, ServiceRequest, Team, User
from apps.council_crm.permissions import Action, can
from apps.council_crm.selectors.desk_queues import transition_blocker

from .workflow import case_assign, case_transition

MAX_BULK = 100


@dataclass(frozen=True)
class BulkOutcome:
    reference: str
    changed: bool
    reason: str = ""


def _first_message(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(m for messages in exc.message_dict.values() for m in messages)
    return "; ".join(exc.messages)


def _check_size(cases: list[ServiceRequest]) -> None:
    if not cases:
        raise ValidationError({"case": [_("Select at least one case")]})
    if len(cases) > MAX_BULK:
        raise ValidationError(
            {"case": [_("Select %(n)s cases or fewer at a time") % {"n": MAX_BULK}]}
        )


@transaction.atomic
def cases_bulk_assign(
    *,
    cases: list[ServiceRequest],
    team: Team,
    assignee: User | None,
    actor: User,
    reason: str,
) -> list[BulkOutcome]:
    """Assign every selected case to `team` (and `assignee`, or the team's queue)."""
    _check_size(cases)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Enter the reason for the reassignment")]})
    outcomes = []
    for case in cases:
        if not can(actor, Action.REASSIGN, case):
            outcomes.append(BulkOutcome(case.reference, False, _("You may not reassign it")))
            continue
        try:
            # case_assign audits and writes the timeline; one savepoint per case
            with transaction.atomic():
                case_assign(case=case, team=team, assignee=assignee, actor=actor, reason=reason)
        except ValidationError as exc:
            outcomes.append(BulkOutcome(case.reference, False, _first_message(exc)))
        else:
            outcomes.append(BulkOutcome(case.reference, True))
    return outcomes


@transaction.atomic
def cases_bulk_transition(
    *,
    cases: list[ServiceRequest],
    status: CaseStatus,
    actor: User,
    public_message: str = "",
) -> list[BulkOutcome]:
    """Move every selected case the workflow allows to `status`; the others say why not.
    `cases` come with `status__allowed_next` and `category__statuses` prefetched."""
    _check_size(cases)
    outcomes = []
    for case in cases:
        if not can(actor, Action.UPDATE, case):
            outcomes.append(BulkOutcome(case.reference, False, _("You may not change it")))
            continue
        blocker = transition_blocker(case, status)
        if blocker:
            outcomes.append(BulkOutcome(case.reference, False, blocker))
            continue
        try:
            # case_transition audits and writes the timeline; one savepoint per case
            with transaction.atomic():
                case_transition(
                    case=case, status=status, actor=actor, public_message=public_message
                )
        except ValidationError as exc:
            outcomes.append(BulkOutcome(case.reference, False, _first_message(exc)))
        else:
            outcomes.append(BulkOutcome(case.reference, True))
    return outcomes
