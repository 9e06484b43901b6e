"""Forms for the register and the staff desk: they read input; the services decide the rules."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from apps.council_crm.models import (
    Councillor,
    Department,
    FollowUpAction,
    Meeting,
    Motion,
    Team,
    Topic,
)
from apps.council_crm.services.motions import OUTCOMES

Status = Motion.Status


class GovukDateWidget(forms.MultiWidget):
    """Day, month and year boxes (the GOV.UK date input)."""

    template_name = "council_crm/widgets/date_input.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        number = {"inputmode": "numeric", "class": "govuk-input govuk-date-input__input"}
        super().__init__(
            [
                forms.TextInput({**number, "class": number["class"] + " govuk-input--width-2"}),
                forms.TextInput({**number, "class": number["class"] + " govuk-input--width-2"}),
                forms.TextInput({**number, "class": number["class"] + " govuk-input--width-4"}),
            ],
            attrs,
        )

    def decompress(self, value: date | None) -> list[str | None]:
        if isinstance(value, date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        labels = [_("Day"), _("Month"), _("Year")]
        for subwidget, label in zip(context["widget"]["subwidgets"], labels, strict=True):
            subwidget["label"] = label
        return context


class GovukDateField(forms.MultiValueField):
    widget = GovukDateWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(fields, require_all_fields=False, **kwargs)
        self.error_messages.setdefault("required", _("Enter a date"))

    def compress(self, data_list: list[str]) -> date | None:
        if not data_list or not any(data_list):
            return None
        day, month, year = ((part or "").strip() for part in data_list)
        label = str(self.label or _("The date"))
        missing = [
            name
            for name, value in ((_("day"), day), (_("month"), month), (_("year"), year))
            if not value
        ]
        if missing:
            raise ValidationError(
                _("%(label)s must include a %(part)s") % {"label": label, "part": missing[0]}
            )
        try:
            value = date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(
                _("%(label)s must be a real date, for example 27 3 2024") % {"label": label}
            ) from None
        if value.year < 1900:
            raise ValidationError(
                _("%(label)s must be a real date, for example 27 3 2024") % {"label": label}
            )
        return value


WIDGET_CLASSES = {
    forms.TextInput: "govuk-input",
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.FileInput: "govuk-file-upload",
}


if TYPE_CHECKING:
    _FormBase = forms.BaseForm  # the mixin is only ever mixed into a form
else:
    _FormBase = object


class ErrorSummaryMixin(_FormBase):
    """GOV.UK-style forms: styled widgets, and what the error summary lists (each message with
    the id of the field to focus)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for bound in self:
            widget = bound.field.widget
            for kind, css in WIDGET_CLASSES.items():
                if isinstance(widget, kind):
                    widget.attrs.setdefault("class", css)
                    break

    def error_summary(self) -> list[tuple[str, str]]:
        items: list[tuple[str, str]] = []
        for name, errors in self.errors.items():
            if name == NON_FIELD_ERRORS:
                items += [("", str(e)) for e in errors]
                continue
            bound = self[name]
            anchor = bound.auto_id
            if bound.widget_type in ("govukdate", "radioselect", "checkboxselectmultiple"):
                anchor = f"{anchor}_0"
            items += [(anchor, str(e)) for e in errors]
        return items

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put the service's errors on the fields they are about."""
        errors = (
            exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        )
        for key, messages in errors.items():
            target = key if key in self.fields else None
            for message in messages:
                self.add_error(target, message)


def _councillors() -> forms.ModelChoiceField[Councillor]:
    return forms.ModelChoiceField(
        queryset=Councillor.objects.select_related("user").order_by(
            "user__last_name", "user__first_name"
        ),
        required=False,
    )


def _model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{name} is not a choice of records")
    return field


class MotionSearchForm(ErrorSummaryMixin, forms.Form):
    q = forms.CharField(
        label=_("Search words"),
        required=False,
        max_length=200,
        help_text=_("Words in the title or text, or a reference such as NOM-2024-012"),
    )
    councillor = _councillors()
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Status.choices]
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.order_by("name"),
        required=False,
        to_field_name="slug",
        empty_label=_("Any topic"),
    )
    date_from = GovukDateField(label=_("Submitted on or after"), required=False)
    date_to = GovukDateField(label=_("Submitted on or before"), required=False)

    def __init__(self, *args: Any, councillors: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = _model_choice(self, "councillor")
        field.label = _("Councillor")
        field.help_text = _("Who proposed or seconded the motion")
        field.empty_label = _("Any councillor")
        if councillors is not None:
            field.queryset = councillors

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date must be on or after the start date"))
        return data

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "councillor": data.get("councillor"),
            "status": data.get("status") or "",
            "topic": data.get("topic"),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }


class MotionForm(ErrorSummaryMixin, forms.Form):
    title = forms.CharField(label=_("Title"), required=False, max_length=300)
    text = forms.CharField(
        label=_("Text of the motion"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("As submitted, including what the council is asked to resolve"),
    )
    proposer = _councillors()
    seconder = _councillors()
    submitted_on = GovukDateField(
        label=_("Date submitted"), required=False, help_text=_("For example, 27 3 2026")
    )
    meeting = forms.ModelChoiceField(
        label=_("Meeting (optional)"),
        queryset=Meeting.objects.order_by("-date"),
        required=False,
        empty_label=_("Not yet on an agenda"),
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["proposer"].label = _("Proposed by")
        _model_choice(self, "proposer").empty_label = _("Select a councillor")
        self.fields["seconder"].label = _("Seconded by (optional)")
        _model_choice(self, "seconder").empty_label = _("No seconder")


class MotionEditForm(ErrorSummaryMixin, forms.Form):
    title = forms.CharField(label=_("Title"), required=False, max_length=300)
    text = forms.CharField(
        label=_("Text of the motion"), required=False, widget=forms.Textarea(attrs={"rows": 12})
    )
    seconder = _councillors()
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seconder"].label = _("Seconded by (optional)")
        _model_choice(self, "seconder").empty_label = _("No seconder")


class ScheduleForm(ErrorSummaryMixin, forms.Form):
    meeting = forms.ModelChoiceField(
        label=_("Meeting"),
        queryset=Meeting.objects.order_by("-date"),
        required=False,
        empty_label=_("Select a meeting"),
    )


class DecisionForm(ErrorSummaryMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        widget=forms.RadioSelect,
        choices=[(s.value, s.label) for s in Status if s in OUTCOMES],
    )
    decision_date = GovukDateField(
        label=_("Date of the decision"), required=False, help_text=_("For example, 27 3 2026")
    )
    decision_text = forms.CharField(
        label=_("Decision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The resolution as recorded in the minutes, or the amended motion"),
    )
    meeting = forms.ModelChoiceField(
        label=_("Meeting (optional)"),
        queryset=Meeting.objects.order_by("-date"),
        required=False,
        empty_label=_("Keep the meeting recorded"),
    )


class ReplyForm(ErrorSummaryMixin, forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.order_by("name"),
        required=False,
        empty_label=_("Select a department"),
    )
    officer_name = forms.CharField(
        label=_("Officer (optional)"),
        required=False,
        max_length=200,
        help_text=_("Their role, for example Director of Highways and Transport"),
    )
    replied_on = GovukDateField(label=_("Date of the reply"), required=False)
    text = forms.CharField(
        label=_("Reply"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )


class ActionForm(ErrorSummaryMixin, forms.Form):
    description = forms.CharField(
        label=_("Action"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner_team = forms.ModelChoiceField(
        label=_("Team that owns it"),
        queryset=Team.objects.filter(active=True).order_by("name"),
        required=False,
        empty_label=_("Select a team"),
    )
    due_date = GovukDateField(label=_("Due date"), required=False)


class ActionUpdateForm(ErrorSummaryMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Keep the current status")), *FollowUpAction.Status.choices],
    )
    due_date = GovukDateField(
        label=_("New due date (optional)"), required=False, help_text=_("Only if it has moved")
    )
    note = forms.CharField(
        label=_("Progress note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Published on the register. Needed when the action is blocked or cancelled"),
    )
    noted_on = GovukDateField(
        label=_("Date of the progress (optional)"),
        required=False,
        help_text=_("Today if left blank; for a completed action, the date it was completed"),
    )


class ImportForm(ErrorSummaryMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        required=False,
        help_text=_("Comma-separated, UTF-8, with the column names below in the first row"),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and show what would change, without saving"),
        required=False,
        initial=True,
    )

    MAX_BYTES = 10 * 1024 * 1024

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is None:
            raise ValidationError(_("Select a CSV file"))
        if upload.size > self.MAX_BYTES:
            raise ValidationError(_("The file must be smaller than 10 MB"))
        return upload
