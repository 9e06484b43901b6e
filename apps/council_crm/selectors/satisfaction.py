"""Satisfaction survey results by category, team or division."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, Q

from apps.council_crm.models import SatisfactionSurvey

GROUPINGS = {
    "category": ("case__category__code", "case__category__name"),
    "team": ("case__team__code", "case__team__name"),
    "division": ("case__division__code", "case__division__name"),
}


@dataclass(frozen=True)
class SatisfactionRow:
    code: str
    name: str
    answers: int
    average: float
    satisfied: int  # answered 4 or 5


def satisfaction_by(*, grouping: str) -> list[SatisfactionRow]:
    if grouping not in GROUPINGS:
        raise ValueError(f"grouping must be one of {', '.join(GROUPINGS)}")
    code, name = GROUPINGS[grouping]
    rows = (
        SatisfactionSurvey.objects.filter(answered_at__isnull=False)
        .values(code, name)
        .annotate(n=Count("id"), avg=Avg("score"), happy=Count("id", filter=Q(score__gte=4)))
        .order_by(name)
    )
    return [
        SatisfactionRow(r[code] or "", r[name] or "", r["n"], round(float(r["avg"]), 2), r["happy"])
        for r in rows
    ]
