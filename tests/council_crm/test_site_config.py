"""Site configuration: site.toml is read and validated; SQLite runs durable."""

from __future__ import annotations

import sqlite3
from datetime import time

import pytest
from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper

from config.site import SiteConfigError, load_site


def test_demo_site_is_the_default_and_english():
    site = settings.CRM_SITE
    assert site.slug == "demo"
    assert site.name == "Fernshire County Council"
    assert site.region == "GB-ENG"
    assert settings.TIME_ZONE == "Europe/London"
    assert settings.LANGUAGE_CODE == "en"


def test_irish_sample_site_differs_in_everything_council_specific():
    demo, kilbrack = load_site("demo"), load_site("kilbrack")
    assert kilbrack.region == "IE"
    assert kilbrack.timezone == "Europe/Dublin"
    assert kilbrack.languages == ("en", "ga")
    assert kilbrack.reference_prefix == "KCC"
    assert kilbrack.small_number_threshold == 10
    assert kilbrack.working_day_start == time(9, 30)
    for attr in ("name", "reference_prefix", "map_centre", "primary_colour", "mail_sender"):
        assert getattr(demo, attr) != getattr(kilbrack, attr)
    assert kilbrack.fixtures_dir.name == "kilbrack"


def _write_site(tmp_path, body: str):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "site.toml").write_text(body)
    return tmp_path


VALID = """
[council]
name = "Test Council"
region = "GB-SCT"
reference_prefix = "TC"
"""


def test_minimal_site_gets_sensible_defaults(tmp_path):
    site = load_site("x", sites_dir=_write_site(tmp_path, VALID))
    assert site.short_name == "Test Council"
    assert site.languages == ("en",)
    assert site.small_number_threshold == 5
    assert site.public_url == "http://127.0.0.1:8000"


def test_public_url_is_read_without_its_trailing_slash(tmp_path):
    body = VALID.replace("[council]", '[council]\npublic_url = "https://report.test.gov.uk/"')
    site = load_site("x", sites_dir=_write_site(tmp_path, body))
    assert site.public_url == "https://report.test.gov.uk"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (VALID.replace('region = "GB-SCT"', 'region = "FR"'), "region must be one of"),
        (VALID.replace('"TC"', '"tc1"'), "reference_prefix"),
        (VALID.replace('name = "Test Council"\n', ""), "name is required"),
        (VALID + '[branding]\nprimary_colour = "blue"\n', "primary_colour"),
        (VALID.replace("[council]", '[council]\nlanguages = ["fr"]'), "languages"),
        (VALID.replace("[council]", '[council]\npublic_url = "report.example"'), "public_url"),
        (
            VALID.replace("[council]", '[council]\npublic_url = "https://x.gov.uk/?a=1"'),
            "public_url",
        ),
    ],
)
def test_bad_site_configuration_is_rejected_with_the_key_named(tmp_path, body, message):
    with pytest.raises(SiteConfigError, match=message):
        load_site("x", sites_dir=_write_site(tmp_path, body))


def test_unknown_site_is_a_clear_error(tmp_path):
    with pytest.raises(SiteConfigError, match="does not exist"):
        load_site("nowhere", sites_dir=tmp_path)
    with pytest.raises(SiteConfigError, match="not a valid site slug"):
        load_site("../etc", sites_dir=tmp_path)


def test_sqlite_connections_use_wal_and_full_synchronous(tmp_path, django_db_blocker):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the site runs on PostgreSQL in this pass")
    # given a connection opened with the site's own database settings, on a file
    params = {**settings.DATABASES["default"], "NAME": str(tmp_path / "db.sqlite3")}
    params.setdefault("TIME_ZONE", None)
    params.setdefault("CONN_HEALTH_CHECKS", False)
    params.setdefault("CONN_MAX_AGE", 0)
    params.setdefault("AUTOCOMMIT", True)
    params.setdefault("ATOMIC_REQUESTS", False)
    wrapper = DatabaseWrapper(params, alias="durability-check")
    try:
        with django_db_blocker.unblock(), wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 2  # FULL
    finally:
        wrapper.close()
    raw = sqlite3.connect(tmp_path / "db.sqlite3")
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # persisted in the file
    raw.close()
