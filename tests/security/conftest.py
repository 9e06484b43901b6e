"""The security suite's world, built once for the whole package (tests/security/world.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import override_settings

from .world import World, build


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    """Built in one transaction that is rolled back when the package is done; each test runs
    in its own savepoint inside it (pytest-django's `db`), so nothing a test does is kept."""
    media = tmp_path_factory.mktemp("media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        yield build()
        transaction.set_rollback(True)
