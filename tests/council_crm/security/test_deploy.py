"""Production settings pass `check --deploy`; DEBUG never serves a public host (issue 15 pt 4)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment README's "Production" paragraph lists, with a key in a mounted file."""
    key_file = tmp_path / "secret_key"
    key_file.write_text("k" * 20 + os.urandom(32).hex())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRM_", "DJANGO_"))}
    env.update(
        {
            "CRM_SITE": "demo",
            "CRM_SECRET_KEY_FILE": str(key_file),
            "CRM_REQUIRE_SECRET_KEY": "1",
            "CRM_ALLOWED_HOSTS": "crm.fernshire.example",
            "CRM_CSRF_TRUSTED_ORIGINS": "https://crm.fernshire.example",
            "CRM_TRUST_X_FORWARDED_PROTO": "1",
            "CRM_SSL_REDIRECT": "1",
        }
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_production_settings_pass_the_deployment_checks(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_the_demo_key_fails_the_deployment_checks(tmp_path):
    env = production_env(tmp_path)
    del env["CRM_SECRET_KEY_FILE"], env["CRM_REQUIRE_SECRET_KEY"]

    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode != 0
    assert "council_crm.W001" in result.stderr + result.stdout


@pytest.mark.slow
def test_a_missing_key_stops_a_production_server(tmp_path):
    env = production_env(tmp_path)
    del env["CRM_SECRET_KEY_FILE"]

    result = manage(env, "check")

    assert result.returncode != 0
    assert "CRM_SECRET_KEY or CRM_SECRET_KEY_FILE must be set" in result.stderr


@pytest.mark.slow
def test_a_key_file_inside_the_repository_is_refused(tmp_path):
    result = manage(production_env(tmp_path, CRM_SECRET_KEY_FILE=str(ROOT / "README.md")), "check")

    assert result.returncode != 0
    assert "inside the repository" in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("hosts", ["crm.fernshire.example", "127.0.0.1,crm.fernshire.example", "*"])
def test_debug_with_a_public_host_does_not_start(tmp_path, hosts):
    env = production_env(tmp_path, CRM_DEBUG="1", CRM_ALLOWED_HOSTS=hosts)

    result = manage(env, "check")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "CRM_DEBUG is on" in result.stderr


@pytest.mark.slow
def test_debug_on_this_machine_starts_as_make_run_does(tmp_path):
    env = production_env(tmp_path, CRM_DEBUG="1", CRM_ALLOWED_HOSTS="127.0.0.1,localhost")

    result = manage(env, "check")

    assert result.returncode == 0, result.stderr
