"""A select's <option>s built in Python: the desk's reassignment list names every officer of
every team, and a template loop over a few hundred of them costs more than the rest of a page.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def select_options(choices: Iterable[tuple[object, str]], selected: object = "") -> SafeString:
    """`<option value="v">label</option>` for each (value, label); the one equal to `selected`
    (compared as text) is selected. Values and labels are escaped."""
    chosen = str(selected)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((v, " selected" if str(v) == chosen else "", label) for v, label in choices),
    )


@register.simple_tag
def grouped_options(
    groups: Iterable[tuple[str, list[tuple[object, str]]]], selected: object = ""
) -> SafeString:
    """An `<optgroup>` per (label, choices) that has any, as `select_options` builds them."""
    return format_html_join(
        "",
        '<optgroup label="{}">{}</optgroup>',
        ((label, select_options(choices, selected)) for label, choices in groups if choices),
    )
