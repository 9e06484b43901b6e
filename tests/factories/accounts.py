"""Signed-in test clients as allauth would leave them."""

from __future__ import annotations

import time

from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY

from apps.council_crm.models import User

# allauth's session key naming whose authentication records those are (user id as a string)
_RECORDS_USER = "account_authentication_methods_user"


def sign_in_confirmed(client: object, user: User) -> None:
    """Sign `user` in as if they had just confirmed their password, which exports and erasure
    ask for (allauth's reauthentication, 5 minutes). Confirming needs a password: a user made
    without one is given one first."""
    if not user.has_usable_password():
        user.set_password("a-password-to-confirm")
        user.save(update_fields=["password"])
    client.force_login(user)  # type: ignore[attr-defined]
    session = client.session  # type: ignore[attr-defined]
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "reauthenticated": True}
    ]
    session[_RECORDS_USER] = str(user.pk)
    session.save()
