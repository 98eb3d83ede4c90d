"""Check the installed Python dependencies against known vulnerabilities with pip-audit.

Run by `.ci/run`. pip-audit asks a vulnerability service (PyPI's JSON API or OSV) about each
installed package. When a package has a known vulnerability this exits 1 and names it. When the
service cannot be reached, pip-audit itself says "No known vulnerabilities found" and exits 0,
having audited nothing; this script says so plainly instead of letting that pass as a clean audit.
Set REQUIRE_AUDIT=1 to make an audit that could not run a failure (for machines that can reach
the service).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def summarise(report: dict) -> tuple[list[str], list[str], int]:
    """From pip-audit's JSON: (vulnerable packages described, skipped package names, audited count)."""
    vulnerable: list[str] = []
    skipped: list[str] = []
    audited = 0
    for dep in report.get("dependencies", []):
        if "skip_reason" in dep:
            skipped.append(dep["name"])
            continue
        audited += 1
        for vuln in dep.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed release yet"
            vulnerable.append(f"{dep['name']} {dep.get('version', '?')}: {vuln.get('id', '?')} (fixed in {fixes})")
    return vulnerable, skipped, audited


def verdict(vulnerable: list[str], skipped: list[str], audited: int, require_audit: bool) -> tuple[int, str]:
    """The exit code and the message for a summarised report."""
    if vulnerable:
        return 1, "pip-audit: known vulnerabilities:\n  " + "\n  ".join(vulnerable)
    if audited == 0:
        message = (
            f"pip-audit: NOT AUDITED: the vulnerability service could not be reached from this machine, "
            f"so none of the {len(skipped)} installed packages was checked."
        )
        return (1 if require_audit else 0), message
    note = f" ({len(skipped)} could not be checked: {', '.join(skipped)})" if skipped else ""
    return 0, f"pip-audit: {audited} packages audited, no known vulnerabilities{note}."


def main() -> int:
    """Audit the environment this script runs in (the project's .venv in CI)."""
    pip_audit = Path(sys.executable).with_name("pip-audit")
    result = subprocess.run(  # noqa: S603 - fixed command, no user input
        [str(pip_audit), "--format", "json", "--progress-spinner", "off", "--skip-editable"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(f"pip-audit failed to run (exit {result.returncode}):\n{result.stderr[-2000:]}")
        return 1
    code, message = verdict(*summarise(report), require_audit=os.environ.get("REQUIRE_AUDIT") == "1")
    print(message)
    return code


if __name__ == "__main__":
    sys.exit(main())
