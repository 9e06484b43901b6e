"""allauth.mfa's forms with GOV.UK wording: labels, hints and error messages."""

from __future__ import annotations

from typing import Any

from allauth.mfa.base import forms as base_forms
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.webauthn import forms as webauthn_forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CODE_ATTRS = {
    "autocomplete": "one-time-code",
    "inputmode": "numeric",
    "spellcheck": "false",
    "autocapitalize": "off",
}


def _code(form: Any, label: Any, hint: Any) -> None:
    field = form.fields["code"]
    field.label = label
    field.help_text = hint
    field.error_messages["required"] = _("Enter the code")
    field.widget.attrs.update(CODE_ATTRS)


class AuthenticateForm(base_forms.AuthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _code(
            self,
            _("Code"),
            _("The 6-digit code your authenticator app shows, or one of your recovery codes"),
        )


class ReauthenticateForm(base_forms.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _code(
            self,
            _("Code"),
            _("The 6-digit code your authenticator app shows, or one of your recovery codes"),
        )


class ActivateTOTPForm(totp_forms.ActivateTOTPForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _code(self, _("Code from your authenticator app"), _("6 digits, like 123456"))

    def clean_code(self) -> str:
        try:
            return str(super().clean_code())
        except ValidationError as exc:
            if exc.code == "incorrect_code":
                raise ValidationError(
                    _("Enter the code your authenticator app shows now"), code="incorrect_code"
                ) from exc
            raise


class AddWebAuthnForm(webauthn_forms.AddWebAuthnForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name = self.fields["name"]
        name.label = _("Name of the key")
        name.help_text = _("So that you can tell your keys apart, for example ‘Blue USB key’")
        name.widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        if "passwordless" in self.fields:
            passwordless = self.fields["passwordless"]
            passwordless.label = _("Also use it as a passkey, to sign in with this key alone")
            passwordless.help_text = _(
                "The key must then ask for your fingerprint, face or PIN each time"
            )


class EditWebAuthnForm(webauthn_forms.EditWebAuthnForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Name of the key")
        self.fields["name"].error_messages["required"] = _("Enter a name for the key")
