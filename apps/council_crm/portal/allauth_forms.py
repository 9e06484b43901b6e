"""django-allauth's forms with GOV.UK wording: labels, hints and error messages.

Kept apart from `allauth_adapter` because allauth's forms module imports the sign-up form class
named in the settings (which lives there) while it loads.
"""

from __future__ import annotations

from typing import Any

from allauth.account import forms as allauth_forms
from django.utils.translation import gettext_lazy as _

EMAIL_ERRORS = {
    "required": _("Enter your email address"),
    "invalid": _("Enter an email address in the correct format, like name@example.com"),
}
PASSWORD_HINT = _("Use at least 8 characters. Avoid common passwords and only numbers.")


def _set(form: Any, name: str, *, label: Any = None, help_text: Any = "", **errors: Any) -> None:
    field = form.fields.get(name)
    if field is None:
        return
    if label is not None:
        field.label = label
    field.help_text = help_text
    field.error_messages.update(errors)


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(
            self,
            "login",
            label=_("Email address"),
            help_text=_("Council staff and councillors can use their username"),
            required=_("Enter your email address"),
        )
        self.fields["login"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        _set(self, "password", label=_("Password"), required=_("Enter your password"))


class SignupForm(allauth_forms.SignupForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "email", label=_("Email address"), **EMAIL_ERRORS)
        self.fields["email"].help_text = _(
            "We will send you a link to confirm it. Use the address you give when you report "
            "a problem, so that your earlier requests show in your account."
        )
        _set(
            self,
            "password1",
            label=_("Create a password"),
            help_text=PASSWORD_HINT,
            required=_("Enter a password"),
        )
        _set(
            self,
            "password2",
            label=_("Confirm your password"),
            required=_("Enter your password again"),
        )
        self.order_fields(["first_name", "last_name", "email", "password1", "password2"])


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "email", label=_("Email address"), **EMAIL_ERRORS)


def _new_password(form: Any) -> None:
    _set(
        form,
        "password1",
        label=_("New password"),
        help_text=PASSWORD_HINT,
        required=_("Enter a new password"),
    )
    _set(
        form,
        "password2",
        label=_("Confirm your new password"),
        required=_("Enter your new password again"),
    )


class ResetPasswordKeyForm(allauth_forms.ResetPasswordKeyForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _new_password(self)


class ChangePasswordForm(allauth_forms.ChangePasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "oldpassword", label=_("Current password"), required=_("Enter your password"))
        _new_password(self)


class ReauthenticateForm(allauth_forms.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "password", label=_("Password"), required=_("Enter your password"))
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"
