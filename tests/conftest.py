"""Shared test fixtures."""

from __future__ import annotations

import pytest
from django.conf import settings

from apps.council_crm import config_cache
from apps.council_crm.demo.motions import demo_register_load
from apps.council_crm.models import ServiceCategory
from apps.council_crm.services.site_setup import site_load
from config.site import SiteConfig, load_site


def _load_demo(site: SiteConfig) -> None:
    """The site's reference data and, where it has one, its register of motions."""
    demo_register_load(site=site, report=site_load(site=site))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo council once per test database; each test then runs in a rolled-back
    transaction on top of it. Loading it per test cost a second or more each."""
    with django_db_blocker.unblock():
        _load_demo(settings.CRM_SITE)


@pytest.fixture
def demo_site(db):
    """The demo council's reference data, loaded through the real loader.

    A transactional test empties the tables when it ends; load again if that happened.
    """
    if not ServiceCategory.objects.filter(code="pothole").exists():
        _load_demo(settings.CRM_SITE)
    return settings.CRM_SITE


@pytest.fixture
def kilbrack_site(db):
    """The Irish sample council's reference data (its own site.toml and fixtures)."""
    return site_load(site=load_site("kilbrack"))


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """PBKDF2's deliberate slowness is for production, not for the test suite; tests change
    configuration between steps, so nothing of it is cached."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CRM_CONFIG_CACHE_SECONDS = 0
    # the worker's giving way to the web server reads the machine's CPU pressure, which a
    # parallel test run keeps high: tested on its own with given readings (test_contention.py)
    settings.CRM_WORKER_GIVE_WAY_SECONDS = 0
    config_cache.clear()
