"""The privacy notice and accessibility statement: the site's own text, or sensible defaults."""

from __future__ import annotations

import dataclasses

import pytest

from config.site import load_site

pytestmark = pytest.mark.django_db


def test_the_default_privacy_notice_names_the_council_its_dpo_and_the_regulator(client, demo_site):
    body = client.get("/privacy/").content.decode()
    assert "Fernshire County Council is the data controller" in body
    assert "dpo@fernshire.example" in body
    assert "Information Commissioner" in body
    assert 'href="/privacy/"' in client.get("/").content.decode()


def test_the_default_accessibility_statement(client, demo_site):
    body = client.get("/accessibility/").content.decode()
    assert "This website is run by Fernshire County Council" in body
    assert "accessibility@fernshire.example" in body
    assert "Equality and Human Rights Commission" in body


def test_an_irish_council_points_to_the_irish_regulators(client, settings, demo_site):
    settings.CRM_SITE = dataclasses.replace(settings.CRM_SITE, region="IE")
    assert "Data Protection Commission" in client.get("/privacy/").content.decode()
    assert "National Disability Authority" in client.get("/accessibility/").content.decode()


def test_a_council_can_use_its_own_text(client, settings, demo_site, tmp_path):
    site = tmp_path / "own"
    site.mkdir()
    (site / "site.toml").write_text(
        '[council]\nname = "Own Council"\nregion = "GB-WLS"\nreference_prefix = "OWN"\n'
        '[pages]\nprivacy_notice = """First paragraph.\n\nSecond & last."""\n'
        'accessibility_statement = "Our statement."\n',
        encoding="utf-8",
    )
    settings.CRM_SITE = load_site("own", sites_dir=tmp_path)
    body = client.get("/privacy/").content.decode()
    assert "<p>First paragraph.</p>" in body
    assert "<p>Second &amp; last.</p>" in body
    assert "data controller" not in body
    assert "Our statement." in client.get("/accessibility/").content.decode()


def test_pages_default_to_empty_in_a_minimal_site(tmp_path):
    (tmp_path / "min").mkdir()
    (tmp_path / "min" / "site.toml").write_text(
        '[council]\nname = "Min"\nregion = "GB-ENG"\nreference_prefix = "MIN"\n', encoding="utf-8"
    )
    site = load_site("min", sites_dir=tmp_path)
    assert (site.privacy_notice, site.accessibility_statement, site.privacy_contact) == ("", "", "")
