"""The visibility world (one case in FE01, someone in every relation to it) for member tests."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.council_crm import models as m
from tests.council_crm.visibility.conftest import World, world  # noqa: F401 - a fixture


def signed_in(user: m.User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cllr(world: World) -> m.Councillor:  # noqa: F811
    """The councillor of FE01, with an email address for their case emails."""
    c = world.cllr_division
    c.user.email = "cllr.fe01@example.com"
    c.user.first_name = "Pat"
    c.user.save()
    return c
