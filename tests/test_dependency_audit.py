"""The dependency audit in CI fails on a known vulnerability and never calls an audit that could not run clean."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "audit_dependencies.py"
spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)


def _report(*deps):
    return {"dependencies": list(deps), "fixes": []}


def test_a_known_vulnerability_fails_and_is_named():
    report = _report(
        {"name": "flask", "version": "3.1.0", "vulns": []},
        {"name": "jinja2", "version": "3.1.2", "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"]}]},
    )
    code, message = audit.verdict(*audit.summarise(report), require_audit=False)
    assert code == 1
    assert "jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)" in message


def test_an_audit_that_reached_no_service_says_so_and_fails_when_required():
    report = _report(
        {"name": "flask", "skip_reason": "Dependency not found on PyPI and could not be audited: flask (3.1.0)"},
        {"name": "jinja2", "skip_reason": "Dependency not found on PyPI and could not be audited: jinja2 (3.1.6)"},
    )
    code, message = audit.verdict(*audit.summarise(report), require_audit=False)
    assert code == 0 and "NOT AUDITED" in message and "2 installed packages" in message
    code, _ = audit.verdict(*audit.summarise(report), require_audit=True)
    assert code == 1


def test_a_clean_audit_counts_what_it_checked():
    report = _report(
        {"name": "flask", "version": "3.1.0", "vulns": []},
        {"name": "private-pkg", "skip_reason": "Dependency not found on PyPI"},
    )
    code, message = audit.verdict(*audit.summarise(report), require_audit=True)
    assert code == 0
    assert message == "pip-audit: 1 packages audited, no known vulnerabilities (1 could not be checked: private-pkg)."
