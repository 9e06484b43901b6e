"""Links in messages: a site path made absolute with the council's public address."""

from __future__ import annotations

from django.urls import reverse

from apps.council_crm.links import public_url


def test_public_url_joins_the_configured_address_and_the_path(settings):
    settings.CRM_PUBLIC_URL = "https://crm.example.gov.uk/"
    assert public_url(reverse("motions:register")) == "https://crm.example.gov.uk/motions/"
    settings.CRM_PUBLIC_URL = "https://example.ie/crm"
    assert public_url("/track/") == "https://example.ie/crm/track/"
