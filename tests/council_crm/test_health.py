"""Liveness, readiness and the council's home page."""

from __future__ import annotations

import pytest
from django.db import DatabaseError


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_the_database_when_migrated(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_readyz_is_unavailable_when_migrations_are_pending(client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(
        MigrationExecutor, "migration_plan", lambda self, targets: [(_FakeMigration(), False)]
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["pending_migrations"] == ["council_crm.9999_pending"]


@pytest.mark.django_db
def test_readyz_is_unavailable_when_the_database_is_down(client, monkeypatch):
    from django.db import connection

    def down():
        raise DatabaseError("connection refused")

    monkeypatch.setattr(connection, "ensure_connection", down)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


class _FakeMigration:
    app_label = "council_crm"
    name = "9999_pending"


def test_home_page_shows_the_council(client, demo_site):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Fernshire County Council" in body
    assert '<html lang="en"' in body
    assert "Skip to main content" in body
    assert "Missed bin" in body or "missed bin" in body.lower()


def test_favicon_is_the_councils_logo(client):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/council_crm/branding/fernshire-logo.svg"
    assert finders.find("council_crm/branding/fernshire-logo.svg")


def test_favicon_without_a_logo_is_empty_not_missing(client, settings):
    import dataclasses

    settings.CRM_SITE = dataclasses.replace(settings.CRM_SITE, logo="")

    assert client.get("/favicon.ico").status_code == 204
