"""A citizen's whole history: every case and every contact, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from apps.council_crm.models import Citizen, Interaction, ServiceRequest


@dataclass(frozen=True)
class HistoryItem:
    when: datetime
    kind: str  # "case" or "interaction"
    case: ServiceRequest | None = None
    interaction: Interaction | None = None


def citizen_history(*, citizen: Citizen, limit: int = 200) -> list[HistoryItem]:
    """Cases they raised or follow, and logged contacts, in one list (newest first).

    Callers are staff screens; who may open a citizen record is decided by permissions.py.
    """
    cases = (
        ServiceRequest.objects.filter(citizen=citizen)
        .select_related("category", "status", "team")
        .order_by("-created_at")[:limit]
    )
    contacts = (
        Interaction.objects.filter(citizen=citizen)
        .select_related("case", "staff")
        .order_by("-created_at")[:limit]
    )
    items = [HistoryItem(c.created_at, "case", case=c) for c in cases]
    items += [HistoryItem(i.created_at, "interaction", interaction=i) for i in contacts]
    items.sort(key=lambda item: item.when, reverse=True)
    return items[:limit]
