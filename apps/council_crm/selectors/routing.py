"""The active routing rules, in the form the routing engine takes."""

from __future__ import annotations

from apps.council_crm import routing
from apps.council_crm.models import RoutingRule


def routing_rules_active() -> list[routing.Rule]:
    rules = []
    qs = (
        RoutingRule.objects.filter(active=True, team__active=True)
        .select_related("team", "category")
        .prefetch_related("divisions")
        .order_by("order", "id")
    )
    for r in qs:
        divisions = sorted(r.divisions.all(), key=lambda d: d.pk)
        rules.append(
            routing.Rule(
                id=r.pk,
                order=r.order,
                name=r.name,
                team_id=r.team_id,
                team_name=r.team.name,
                strategy=r.strategy,
                category_id=r.category_id,
                category_name=r.category.name if r.category else "",
                division_ids=frozenset(d.pk for d in divisions),
                division_names=tuple(d.name for d in divisions),
                keywords=routing.parse_keywords(r.keywords),
                answers={str(k): str(v) for k, v in (r.answers or {}).items()},
            )
        )
    return rules
