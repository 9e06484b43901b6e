"""The DPO's commands: thin wrappers over the services."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command

from apps.council_crm import models as m
from tests.factories.cases import report_pothole, resident

pytestmark = pytest.mark.usefixtures("demo_site")


@pytest.fixture
def citizen():
    return report_pothole(contact=resident(email="eve.cmd@example.com")).case.citizen


def test_privacy_export_writes_the_zip(citizen, tmp_path):
    out = tmp_path / "eve.zip"
    stdout = io.StringIO()

    call_command(
        "privacy_export", citizen=citizen.pk, out=str(out), actor="aisha.okafor", stdout=stdout
    )

    assert f"to {out}" in stdout.getvalue()
    with zipfile.ZipFile(out) as archive:
        assert "summary.html" in archive.namelist()
        assert b"eve.cmd@example.com" in archive.read("data/council_crm.Citizen.json")
    event = m.AuditEvent.objects.get(action="subject_access_export")
    assert event.actor.username == "aisha.okafor"


def test_privacy_anonymise_erases_and_reports_counts(citizen):
    stdout = io.StringIO()

    call_command("privacy_anonymise", citizen=citizen.pk, reason="Request 12", stdout=stdout)

    assert f"Citizen {citizen.pk} anonymised" in stdout.getvalue()
    assert "council_crm.Citizen: 1" in stdout.getvalue()
    citizen.refresh_from_db()
    assert citizen.anonymised_at is not None
    assert citizen.email == ""


def test_the_commands_refuse_bad_input(citizen, tmp_path):
    with pytest.raises(CommandError, match="No citizen"):
        call_command("privacy_export", citizen=999999, out=str(tmp_path / "x.zip"))
    with pytest.raises(CommandError, match="No user"):
        call_command("privacy_export", citizen=citizen.pk, out="x.zip", actor="nobody-here")
    with pytest.raises(CommandError, match="leave out the person's name"):
        call_command("privacy_anonymise", citizen=citizen.pk, reason="eve.cmd@example.com")
    assert not (tmp_path / "x.zip").exists()
    citizen.refresh_from_db()
    assert citizen.anonymised_at is None
