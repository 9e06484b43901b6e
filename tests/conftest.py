"""Shared test fixtures."""

from __future__ import annotations

import pytest
from django.conf import settings

from apps.council_crm.services.site_setup import site_load
from config.site import load_site


@pytest.fixture
def demo_site(db):
    """The demo council's reference data, loaded through the real loader."""
    return site_load(site=settings.CRM_SITE)


@pytest.fixture
def kilbrack_site(db):
    """The Irish sample council's reference data (its own site.toml and fixtures)."""
    return site_load(site=load_site("kilbrack"))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's deliberate slowness is for production, not for the test suite."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
