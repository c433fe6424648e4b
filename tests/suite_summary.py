"""A summary line per suite (faults, bad input): cases tried and passed, printed at the end of
a pytest run. A conftest imports these hooks; a test file belongs to a suite by its name."""

from __future__ import annotations

from collections import Counter
from typing import Any

SUITES = (("test_bad_input", "bad-input suite"), ("", "fault suite"))
_outcomes: dict[str, Counter[str]] = {}


def suite_of(nodeid: str, tier: str) -> str | None:
    if f"tests/{tier}/" not in nodeid:
        return None
    name = nodeid.split("::")[0].rsplit("/", 1)[-1]
    for prefix, suite in SUITES:
        if name.startswith(prefix):
            return suite if prefix or tier == "faults" else None
    return None


def record(report: Any, tier: str) -> None:
    suite = suite_of(report.nodeid, tier)
    if suite is None:
        return
    counts = _outcomes.setdefault(suite, Counter())
    if report.when == "call":
        counts["tried"] += 1
        counts["passed" if report.passed else "failed"] += 1
    elif report.failed:  # a fixture failed: the case was tried and did not pass
        counts["tried"] += 1
        counts["failed"] += 1


def summary_lines() -> list[str]:
    return [
        f"{suite}: {c['tried']} cases tried, {c['passed']} passed, {c['failed']} failed"
        for suite, c in sorted(_outcomes.items())
    ]
