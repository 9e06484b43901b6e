"""Attachments for these tests go to a temporary media folder."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
