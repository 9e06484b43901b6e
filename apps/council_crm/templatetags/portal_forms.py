"""Template helpers for the resident portal's GOV.UK-style forms."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def get_item(mapping: dict[str, Any] | None, key: str) -> Any:
    return (mapping or {}).get(str(key), "")


@register.filter
def widget(field: BoundField) -> SafeString:
    """The input, pointing at its hint and error message (aria-describedby)."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    attrs: dict[str, str | bool] = {"aria-describedby": " ".join(ids)} if ids else {}
    return field.as_widget(attrs=attrs)


@register.filter
def step_url(journey: Any, step: str) -> str:
    """A check-your-answers change link: back to the step, then back to the check page."""
    return str(journey.url(step, change=True))
