"""Resident portal forms: one question per page, GOV.UK error wording, ids equal to names."""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.council_crm.models import CategoryQuestion, GazetteerEntry, ServiceCategory
from apps.council_crm.services.attachments import MAX_BYTES, clean_image
from apps.council_crm.services.citizens import ContactDetails, validate_contact

if TYPE_CHECKING:  # django-stubs is a development dependency
    from django_stubs_ext import StrOrPromise

MAX_PHOTOS = 3
MAX_DESCRIPTION = 5000
RADIO = forms.RadioSelect(attrs={"class": "govuk-radios__input"})


class PortalForm(forms.Form):
    """Field ids are the field names, so an error summary can link to them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)

    def anchor(self, name: str) -> str:
        """The id the error summary links to: the first option of a set of radios."""
        if name not in self.fields:
            return ""
        widget = self.fields[name].widget
        if isinstance(widget, forms.RadioSelect):
            return f"{name}_0"
        return name

    def error_list(self) -> list[tuple[str, str]]:
        return [
            (self.anchor(name), str(message))
            for name, messages in self.errors.items()
            for message in messages
        ]


def _text(
    label: StrOrPromise, *, required: bool = True, max_length: int = 200, **kw: Any
) -> forms.Field:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.TextInput(attrs={"class": "govuk-input", **kw.pop("attrs", {})}),
        **kw,
    )


class SearchForm(PortalForm):
    q = _text(
        _("Street or place name"),
        help_text=_("For example, High Street or Aldermoor Library. A postcode also works."),
        error_messages={"required": _("Enter the name of a street or place")},
    )


class PlaceForm(PortalForm):
    place = forms.ChoiceField(
        label=_("Choose the street or place"),
        widget=RADIO,
        error_messages={"required": _("Select the street or place where the problem is")},
    )

    def __init__(self, *args: Any, places: list[GazetteerEntry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["place"]).choices = [
            (str(p.pk), f"{p}{f' ({p.postcode})' if p.postcode else ''}") for p in places
        ]
        self.fields["place"].error_messages["invalid_choice"] = _(
            "Select the street or place where the problem is"
        )


class PinForm(PortalForm):
    """A point dropped on the map (or found by the browser): hidden fields the script fills in.

    Errors link to the map, the only thing on the page a resident can change them with.
    """

    MAP_ANCHOR = "report-map"
    _choose = _("Choose the location on the map: click or tap where the problem is")
    _numbers = _("The location must be a latitude and longitude in degrees")

    # where.html writes the two hidden inputs itself; report-map.js fills them in
    latitude = forms.CharField(required=False, max_length=40)
    longitude = forms.CharField(required=False, max_length=40)

    def anchor(self, name: str) -> str:
        return self.MAP_ANCHOR

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        raw = [str(cleaned.get(k) or "").strip() for k in ("latitude", "longitude")]
        if not all(raw):
            raise ValidationError(self._choose)
        try:
            lat, lon = (float(v) for v in raw)
        except ValueError:
            raise ValidationError(self._numbers) from None
        if not (math.isfinite(lat) and math.isfinite(lon)):
            raise ValidationError(self._numbers)
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationError(self._numbers)
        cleaned["point"] = (round(lat, 6), round(lon, 6))
        return cleaned

    def reject(self, message: str) -> None:
        """A point the numbers allow but the council does not cover."""
        self.add_error(None, message)


class GroupForm(PortalForm):
    group = forms.ChoiceField(
        label=_("What is the problem about?"),
        widget=RADIO,
        error_messages={
            "required": _("Select what the problem is about"),
            "invalid_choice": _("Select what the problem is about"),
        },
    )

    def __init__(self, *args: Any, groups: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["group"]).choices = [(g.code, g.name) for g in groups]


class CategoryForm(PortalForm):
    category = forms.ChoiceField(
        label=_("Which of these is it?"),
        widget=RADIO,
        error_messages={
            "required": _("Select the kind of problem"),
            "invalid_choice": _("Select the kind of problem"),
        },
    )

    def __init__(self, *args: Any, categories: list[ServiceCategory], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            (c.code, c.name) for c in categories
        ]
        self.hints = {c.code: c.description for c in categories}


class QuestionsForm(PortalForm):
    """The category's own questions, as the admin defined them."""

    def __init__(self, *args: Any, questions: list[CategoryQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = {f"answer_{q.code}": q for q in questions}
        for name, q in self.questions.items():
            required = {"required": self._required_message(q)}
            if q.kind == CategoryQuestion.Kind.CHOICE:
                field: forms.Field = forms.ChoiceField(
                    choices=[(c, c) for c in q.choices], widget=RADIO, error_messages=required
                )
                field.error_messages["invalid_choice"] = required["required"]
            elif q.kind == CategoryQuestion.Kind.YES_NO:
                field = forms.ChoiceField(
                    choices=[("Yes", _("Yes")), ("No", _("No"))],
                    widget=RADIO,
                    error_messages=required,
                )
                field.error_messages["invalid_choice"] = required["required"]
            elif q.kind == CategoryQuestion.Kind.NUMBER:
                field = _text(
                    q.label,
                    max_length=30,
                    error_messages=required,
                    attrs={"inputmode": "decimal", "class": "govuk-input govuk-input--width-4"},
                )
            else:
                field = forms.CharField(
                    max_length=1000,
                    widget=forms.TextInput(attrs={"class": "govuk-input"}),
                    error_messages={
                        **required,
                        "max_length": _("%(label)s must be 1000 characters or fewer")
                        % {"label": q.label},
                    },
                )
            field.label = q.label
            field.help_text = q.hint
            field.required = q.required
            self.fields[name] = field

    @staticmethod
    def _required_message(q: CategoryQuestion) -> str:
        if q.kind in (CategoryQuestion.Kind.CHOICE, CategoryQuestion.Kind.YES_NO):
            return str(_("Select an answer for: %(label)s") % {"label": q.label})
        return str(_("Answer the question: %(label)s") % {"label": q.label})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, q in self.questions.items():
            value = cleaned.get(name)
            if q.kind == CategoryQuestion.Kind.NUMBER and value:
                try:
                    ok = Decimal(str(value).strip()).is_finite()
                except InvalidOperation:
                    ok = False
                if not ok:
                    self.add_error(name, _("Enter a number for: %(label)s") % {"label": q.label})
        return cleaned

    def answers(self) -> dict[str, str]:
        return {
            q.code: str(self.cleaned_data[name]).strip()
            for name, q in self.questions.items()
            if self.cleaned_data.get(name)
        }

    @classmethod
    def initial_from(cls, answers: dict[str, Any]) -> dict[str, str]:
        return {f"answer_{code}": str(value) for code, value in answers.items()}


NOT_LISTED = "none"


class DuplicateForm(PortalForm):
    duplicate = forms.ChoiceField(
        label=_("Is it one of these?"),
        widget=RADIO,
        error_messages={
            "required": _("Select the report that is the same problem, or say yours is new"),
            "invalid_choice": _("Select the report that is the same problem, or say yours is new"),
        },
    )

    def __init__(self, *args: Any, references: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["duplicate"]).choices = [
            *((r, _("Yes, %(reference)s") % {"reference": r}) for r in references),
            (NOT_LISTED, _("No, mine is a different problem")),
        ]


class ContactForm(PortalForm):
    first_name = _text(
        _("First name"), required=False, max_length=150, attrs={"autocomplete": "given-name"}
    )
    last_name = _text(
        _("Last name"), required=False, max_length=150, attrs={"autocomplete": "family-name"}
    )
    email = _text(
        _("Email address"),
        required=False,
        max_length=254,
        attrs={"autocomplete": "email", "type": "email", "spellcheck": "false"},
    )
    phone = _text(
        _("Phone number"),
        required=False,
        max_length=30,
        help_text=_("A mobile number lets us send you text messages."),
        attrs={"autocomplete": "tel", "type": "tel"},
    )
    contact_required = True

    def details(self) -> ContactDetails:
        data = self.cleaned_data
        return ContactDetails(
            first_name=data.get("first_name", "").strip(),
            last_name=data.get("last_name", "").strip(),
            email=data.get("email", "").strip(),
            phone=data.get("phone", "").strip(),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors or not self.contact_required:
            return cleaned
        details = self.details()
        for key, messages in validate_contact(details).items():
            self.add_error("first_name" if key == "name" else key, messages)
        if not (details.email or details.phone):
            self.add_error("email", _("Enter your email address or phone number"))
        return cleaned


class AboutYouForm(ContactForm):
    anonymous = forms.BooleanField(
        label=_("Report this anonymously"),
        required=False,
        help_text=_("We will not be able to send you updates or ask you about the problem."),
        widget=forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"}),
    )

    def __init__(self, *args: Any, allow_anonymous: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not allow_anonymous:
            del self.fields["anonymous"]
        self.contact_required = not (allow_anonymous and self.data.get("anonymous"))


class ConsentForm(PortalForm):
    share = forms.BooleanField(
        label=_("Share this report with my local councillor"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"}),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files in one input; each is checked by its content in DetailsForm.clean."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        return data


class DetailsForm(PortalForm):
    description = forms.CharField(
        label=_("Describe the problem"),
        help_text=_("Tell us what is wrong and exactly where, for example outside number 12."),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 5}),
        error_messages={
            "required": _("Describe the problem"),
            "max_length": _("The description must be %(limit_value)s characters or fewer"),
        },
    )
    photos = PhotosField(
        label=_("Add photos (optional)"),
        required=False,
        help_text=_("Up to 3 photos: JPG, PNG or WebP, each smaller than 10 MB."),
        widget=MultipleFileInput(attrs={"class": "govuk-file-upload", "accept": "image/*"}),
    )

    def __init__(self, *args: Any, photos_kept: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.photos_kept = photos_kept
        self.cleaned_photos: list[tuple[str, bytes, str, str]] = []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        uploads = [f for f in self.files.getlist("photos") if f.name] if self.files else []
        if self.photos_kept + len(uploads) > MAX_PHOTOS:
            self.add_error("photos", _("You can add up to %(n)s photos") % {"n": MAX_PHOTOS})
            return cleaned
        for upload in uploads:
            name = (upload.name or "photo")[:200]
            if upload.size and upload.size > MAX_BYTES:
                self.add_error("photos", _("%(name)s must be smaller than 10 MB") % {"name": name})
                continue
            try:
                data, content_type, ext = clean_image(upload.read(MAX_BYTES + 1))
            except ValidationError as exc:
                message = exc.message_dict.get("file", exc.messages)[0]
                self.add_error("photos", f"{name}: {message}")
                continue
            self.cleaned_photos.append((name, data, content_type, ext))
        return cleaned


class TrackForm(PortalForm):
    reference = _text(
        _("Reference"),
        max_length=32,
        help_text=_("It is in the email or text message we sent you, for example FCC-2026-000123."),
        error_messages={"required": _("Enter your reference")},
        attrs={"spellcheck": "false", "autocomplete": "off"},
    )
    contact = _text(
        _("Email address or phone number"),
        max_length=254,
        help_text=_("The one you gave when you reported it."),
        error_messages={"required": _("Enter the email address or phone number you gave us")},
        attrs={"spellcheck": "false", "autocomplete": "email"},
    )


class ReopenForm(PortalForm):
    reason = forms.CharField(
        label=_("What is still wrong?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 4}),
        error_messages={
            "required": _("Tell us what is still wrong"),
            "max_length": _("This must be %(limit_value)s characters or fewer"),
        },
    )


class SurveyForm(PortalForm):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with how we dealt with your request?"),
        coerce=int,
        choices=[
            ("5", _("Very satisfied")),
            ("4", _("Satisfied")),
            ("3", _("Neither satisfied nor dissatisfied")),
            ("2", _("Dissatisfied")),
            ("1", _("Very dissatisfied")),
        ],
        widget=RADIO,
        error_messages={
            "required": _("Select how satisfied you are"),
            "invalid_choice": _("Select how satisfied you are"),
        },
    )
    comment = forms.CharField(
        label=_("How could we improve? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 4}),
        error_messages={
            "max_length": _("Your comment must be %(limit_value)s characters or fewer")
        },
    )


def posted(request: Any) -> Any:
    """The submitted data, even when it is empty (an unticked box is still an answer)."""
    return request.POST if request.method == "POST" else None
