"""Links for messages and feeds: a path on this site made absolute with the public address."""

from __future__ import annotations

from django.conf import settings

# Until config/settings.py reads the site's public_url from site.toml, messages point at the
# development server, as they always have.
_DEVELOPMENT_URL = "http://127.0.0.1:8000"


def public_url(path: str) -> str:
    """The address a resident or officer opens from an email: public_url("/motions/NOM-1/").

    `path` comes from reverse() or get_absolute_url(), so it starts with "/".
    """
    base = getattr(settings, "CRM_PUBLIC_URL", _DEVELOPMENT_URL)
    return str(base).rstrip("/") + path
