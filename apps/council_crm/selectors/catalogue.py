"""Public catalogue reads: what residents can report."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from apps.council_crm.models import CategoryGroup, ServiceCategory


def category_groups_for_portal() -> QuerySet[CategoryGroup]:
    """Groups with at least one active category, each with its active categories."""
    active = ServiceCategory.objects.filter(active=True).order_by("name")
    return (
        CategoryGroup.objects.filter(categories__active=True)
        .distinct()
        .prefetch_related(Prefetch("categories", queryset=active, to_attr="active_categories"))
    )
