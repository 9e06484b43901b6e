"""GOV.UK markup for django-allauth's forms (sign in, sign up, passwords, email)."""

from __future__ import annotations

from django import forms, template
from django.forms import BoundField
from django.utils.html import strip_tags
from django.utils.safestring import SafeString

register = template.Library()

INPUT_CLASSES = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.CheckboxInput: "govuk-checkboxes__input",
}


@register.filter
def error_summary(form: object) -> list[tuple[str, str]]:
    """(anchor, message) pairs for the error summary: each field's errors link to the field;
    errors about the whole form (a wrong password, too many attempts) to its first field."""
    if not isinstance(form, forms.BaseForm) or not form.errors:
        return []
    visible = form.visible_fields()
    first = visible[0].id_for_label if visible else ""
    pairs = [(first, strip_tags(str(e))) for e in form.non_field_errors()]
    for field in visible:
        pairs += [(field.id_for_label, strip_tags(str(e))) for e in field.errors]
    return pairs


@register.filter
def govuk_widget(field: BoundField) -> SafeString:
    """The input with GOV.UK classes, pointing at its hint and error (no placeholder: the
    label says it)."""
    widget = field.field.widget
    css = next((c for kind, c in INPUT_CLASSES.items() if isinstance(widget, kind)), "govuk-input")
    if field.errors and css == "govuk-input":
        css += " govuk-input--error"
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    attrs = {k: v for k, v in widget.attrs.items() if k != "placeholder"}
    attrs["class"] = css
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    widget.attrs = attrs
    return field.as_widget()


@register.filter
def is_checkbox(field: BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def home_url(user: object) -> str:
    """Where this signed-in user's work starts (residents: their account)."""
    from apps.council_crm.portal.allauth_adapter import home_url_for

    return home_url_for(user)  # type: ignore[arg-type]
