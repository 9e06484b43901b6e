"""The layers of ADR 0015 hold, and the import contract would catch an import that breaks one.

`make lint` runs the contract on the tree itself; this test shows, on a throwaway copy, that an
upward import and an import between two interfaces each fail it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.slow


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    ignore = shutil.ignore_patterns("__pycache__", "migrations", "static", "templates", "locale")
    for name in ("apps", "config"):
        shutil.copytree(ROOT / name, tree / name, ignore=ignore)
    shutil.copy(ROOT / ".importlinter", tree / ".importlinter")
    return tree


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True, check=False
    )


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text() + f"\n{line}\n")


def test_the_tree_keeps_its_layers_and_a_broken_layer_fails(tmp_path):
    tree = _copy(tmp_path)
    kept = _lint(tree)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert re.search(r"Contracts: \d+ kept, 0 broken", kept.stdout)

    # a model reaching up into the write path
    _append(tree / "apps/council_crm/models/geography.py", "import apps.council_crm.services.cases")
    broken = _lint(tree)

    assert broken.returncode != 0
    assert "apps.council_crm.models.geography -> apps.council_crm.services.cases" in broken.stdout


def test_one_interface_importing_another_fails(tmp_path):
    tree = _copy(tmp_path)
    _append(tree / "apps/council_crm/member/urls.py", "import apps.council_crm.desk.urls")

    broken = _lint(tree)

    assert broken.returncode != 0
    assert "apps.council_crm.member is not allowed to import apps.council_crm.desk" in broken.stdout
