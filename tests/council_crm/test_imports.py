"""Modules that import django-allauth import on their own in a fresh process: allauth 65 has
an import cycle (stages <-> internal.flows) that only bites when a worker's system checks
happen to load our adapter first."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

import apps.council_crm

pytestmark = pytest.mark.slow  # each module is imported in a fresh Python process

ROOT = Path(__file__).resolve().parents[2]


def test_each_module_using_allauth_imports_first_in_a_fresh_process():
    modules = sorted(
        m.name
        for m in pkgutil.walk_packages(apps.council_crm.__path__, "apps.council_crm.")
        if not m.ispkg and "allauth" in Path(find_spec(m.name).origin).read_text()
    )
    assert "apps.council_crm.portal.allauth_adapter" in modules
    script = (
        "import importlib, os, sys\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings')\n"
        "import django\n"
        "django.setup(set_prefix=False)\n"
        "importlib.import_module(sys.argv[1])\n"
    )
    # django.setup() imports the models only; each module is then the first thing loaded
    failures = {}
    for name in modules:
        result = subprocess.run(
            [sys.executable, "-c", script, name],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if result.returncode != 0:
            failures[name] = result.stderr.strip().splitlines()[-1]
    assert failures == {}
