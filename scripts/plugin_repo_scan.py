"""The QGIS plugin repository's security scan, run on our packaged zip as the repository runs it.

plugins.qgis.org scans every uploaded version (QGIS-Plugins-Website, plugins/security_scanner.py)
and blocks a version on a finding: Bandit over the unzipped package with the repository's rule
list (``-t`` with every enabled rule, no severity filter; ``# nosec BXXX`` is honoured), and
detect-secrets with ``--all-files`` (metadata.txt excluded). This script does the same and
fails on any finding, so a zip that would be blocked never leaves ``make lint``.

Usage: python scripts/plugin_repo_scan.py dist/school_detector.zip
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

#: the rules enabled in the repository's configuration (management/commands/data/bandit_rules.json,
#: every rule with ``"enabled": true``; B109, B404, B410 and B411 are off there). B111 and B320 are
#: gone from current Bandit, which says so and runs the rest.
BANDIT_RULES = (
    "B101 B102 B103 B104 B105 B106 B107 B108 B110 B111 B112 B113 B201 B202 B301 B302 B303 B304 B305 "
    "B306 B307 B308 B310 B311 B312 B313 B314 B315 B316 B317 B318 B319 B320 B321 B323 B324 B401 B402 "
    "B403 B405 B406 B407 B408 B409 B412 B413 B501 B502 B503 B504 B505 B506 B507 B508 B509 B601 B602 "
    "B603 B604 B605 B606 B607 B608 B609 B610 B611 B612 B613 B614 B615 B701 B702 B703 B704"
).split()


def tool(name: str) -> str:
    """The scanner next to this Python (the dev venv's), else on PATH."""
    here = Path(sys.executable).parent / name
    return str(here) if here.is_file() else name


def bandit(folder: Path) -> list[str]:
    cmd = [tool("bandit"), "-r", str(folder), "-f", "json", "--quiet", "-t", ",".join(BANDIT_RULES)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"bandit did not run: {done.stderr.strip()[-2000:]}") from None
    found = [
        f"{r['test_id']} {Path(r['filename']).relative_to(folder)}:{r['line_number']}: {r['issue_text']}"
        for r in report.get("results", [])
    ]
    found += [f"bandit could not read {e.get('filename')}: {e.get('reason')}" for e in report.get("errors", [])]
    return found


def detect_secrets(folder: Path) -> list[str]:
    cmd = [tool("detect-secrets"), "scan", "--all-files", "--exclude-files", r"metadata\.txt", "."]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=folder, check=False)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"detect-secrets did not run: {done.stderr.strip()[-2000:]}") from None
    return [
        f"secret? {name}:{hit.get('line_number')}: {hit.get('type')}"
        for name, hits in report.get("results", {}).items()
        for hit in hits
    ]


def main() -> int:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    package = Path(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with zipfile.ZipFile(package) as zf:
            zf.extractall(folder)
        python_files = sum(1 for _ in folder.rglob("*.py"))
        findings = bandit(folder) + detect_secrets(folder)
    for line in findings:
        print(line)
    verdict = "BLOCKED" if findings else "accepted"
    print(
        f"plugin repository scan of {package.name}: {len(findings)} findings in {python_files} Python files "
        f"({len(BANDIT_RULES)} Bandit rules, all severities; detect-secrets --all-files): {verdict}"
    )
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
