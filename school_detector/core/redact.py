"""Masking secrets in text that leaves the program (results, logs, reports).

URL query values and user info, and header-like ``key: value`` / ``key=value`` pairs whose key
looks like a credential (api key, token, secret, password, auth, signature), wherever they
appear: an error message can quote a URL with a key in it.
"""

from __future__ import annotations

import re

# the names of parameters whose values are secrets (the values are masked), no secret itself
SECRET_KEYS = r"(?:api[_-]?key|apikey|key|token|access[_-]?token|secret|password|passwd|pwd|auth|authorization|sig)"  # nosec B105
_PATTERNS = (
    (re.compile(r"(?i)([?&]" + SECRET_KEYS + r"=)[^&\s\"']+"), r"\1***"),
    (re.compile(r"(?i)(://)[^/@\s:]+:[^/@\s]+@"), r"\1***:***@"),
    (re.compile(r"(?i)\b(" + SECRET_KEYS + r"\s*[:=]\s*)(?:Bearer\s+|Basic\s+)?[^\s,;\"'&]+"), r"\1***"),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
