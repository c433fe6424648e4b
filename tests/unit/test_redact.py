"""Secrets never reach a diagnostics report (or anything else that runs text through redact)."""

import pytest

from school_detector.core.redact import redact


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("GET https://t.example/1/2/3.png?key=S3CRET&style=x failed", "https://t.example/1/2/3.png?key=***&style=x"),
        ("https://t.example/a?x=1&access_token=S3CRET", "https://t.example/a?x=1&access_token=***"),
        ("https://user:S3CRET@host.example/v1", "https://***:***@host.example/v1"),
        ("header Authorization: Bearer S3CRET rejected", "Authorization: ***"),
        ("X-Api-Key: S3CRET", "Api-Key: ***"),
        ("password=S3CRET; next", "password=***"),
    ],
)
def test_secrets_are_masked(text: str, kept: str) -> None:
    out = redact(text)
    assert "S3CRET" not in out and kept in out


def test_ordinary_text_is_left_alone() -> None:
    text = "Scan of 18/1000/2000: 576 tiles, keyboard shortcuts Y/N, monkey=3, tokenizer ok"
    assert redact(text) == text
