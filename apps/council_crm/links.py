"""Links for messages and feeds: a path on this site made absolute with the public address."""

from __future__ import annotations

from django.conf import settings


def public_url(path: str) -> str:
    """The address a resident or officer opens from an email: public_url("/motions/NOM-1/").

    `path` comes from reverse() or get_absolute_url(), so it starts with "/". The address is
    the site's `public_url` (site.toml; CRM_PUBLIC_URL in the environment overrides it).
    """
    return str(settings.CRM_PUBLIC_URL).rstrip("/") + path
