"""Public catalogue reads: what residents can report."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from apps.council_crm.models import CategoryGroup, CategoryQuestion, ServiceCategory


def category_groups_for_portal() -> QuerySet[CategoryGroup]:
    """Groups with at least one active category, each with its active categories."""
    active = ServiceCategory.objects.filter(active=True).order_by("name")
    return (
        CategoryGroup.objects.filter(categories__active=True)
        .distinct()
        .prefetch_related(Prefetch("categories", queryset=active, to_attr="active_categories"))
    )


def question_field(
    q: CategoryQuestion, answers: dict[str, str], errors: dict[str, list[str]]
) -> dict[str, Any]:
    """A category question as the desk's and the member area's forms show it: its input's name,
    the answer so far, its errors and its options."""
    options: list[tuple[str, str, str]] = []
    if q.kind == CategoryQuestion.Kind.CHOICE:
        options = [(c, c, "") for c in q.choices]
    elif q.kind == CategoryQuestion.Kind.YES_NO:
        options = [("Yes", _("Yes"), ""), ("No", _("No"), "")]
    name = f"answers.{q.code}"
    return {
        "q": q,
        "name": name,
        "value": str(answers.get(q.code, "")),
        "errs": errors.get(name, []),
        "options": options,
        "number": q.kind == CategoryQuestion.Kind.NUMBER,
    }
