"""bin/audit's decisions over pip-audit's and npm audit's reports (issue 15 point 5)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from importlib.machinery import SourceFileLoader
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
_loader = SourceFileLoader("crm_audit", str(ROOT / "bin" / "audit"))
_spec = importlib.util.spec_from_loader("crm_audit", _loader)
audit = importlib.util.module_from_spec(_spec)
sys.modules["crm_audit"] = audit  # its dataclasses look themselves up there
_loader.exec_module(audit)

PIP_REPORT = {
    "dependencies": [
        {"name": "django", "version": "5.2.0", "vulns": [
            {"id": "PYSEC-2025-1", "aliases": ["CVE-2025-1"], "fix_versions": ["5.2.1"]},
        ]},
        {"name": "pillow", "version": "13.0.0", "vulns": [
            {"id": "GHSA-aaaa-bbbb-cccc", "aliases": [], "fix_versions": []},
        ]},
        {"name": "shapely", "version": "2.2.0", "vulns": []},
    ]
}  # fmt: skip


def test_a_vulnerability_with_a_fix_fails_the_audit():
    found = audit.python_findings(PIP_REPORT, {})

    assert found.failing == ["django 5.2.0: PYSEC-2025-1, CVE-2025-1 (fixed in 5.2.1)"]
    assert found.unfixed == ["pillow 13.0.0: GHSA-aaaa-bbbb-cccc"]
    assert audit.report([found], []) == 1


def test_an_accepted_vulnerability_passes_by_any_of_its_ids():
    found = audit.python_findings(PIP_REPORT, {"CVE-2025-1": {"reason": "x"}})

    assert found.failing == []
    assert found.accepted == ["django 5.2.0: PYSEC-2025-1, CVE-2025-1"]
    assert audit.report([found], []) == 0


def test_an_unreachable_service_is_not_a_pass(capsys):
    pip = audit.python_findings(
        {"dependencies": [{"name": "django", "skip_reason": "Dependency not found on PyPI"}]}, {}
    )
    npm = audit.npm_findings({"message": "405 Method Not Allowed", "statusCode": 405}, {})

    assert audit.report([pip, npm], []) == audit.UNREACHABLE
    assert capsys.readouterr().out.count("NOT AUDITED") == 2


def test_npm_advisories_fail_when_a_fix_exists():
    report = {
        "vulnerabilities": {
            "leaflet": {
                "severity": "high",
                "via": [{"source": 1, "url": "https://github.com/advisories/GHSA-1111-2222-3333"}],
                "fixAvailable": True,
            },
            "sass": {"severity": "low", "via": ["leaflet"], "fixAvailable": True},
        }
    }

    assert audit.npm_findings(report, {}).failing == ["leaflet (high): GHSA-1111-2222-3333"]
    assert audit.npm_findings(report, {"GHSA-1111-2222-3333": {}}).failing == []


def test_allow_list_entries_need_a_reason_and_expire(tmp_path):
    path = tmp_path / "allow.toml"
    path.write_text(
        '[[python]]\nid = "GHSA-x"\npackage = "a"\nreason = "not our code"\n'
        "review_by = 2027-01-01\n"
        '[[npm]]\nid = "GHSA-y"\npackage = "b"\n'
    )

    allowed, problems = audit.load_allowlist(path, today=dt.date(2027, 2, 1))

    assert list(allowed["python"]) == ["GHSA-x"]
    assert len(problems) == 2  # GHSA-x past its date, GHSA-y without a reason


def test_the_committed_allow_list_is_valid():
    _, problems = audit.load_allowlist()

    assert problems == []
