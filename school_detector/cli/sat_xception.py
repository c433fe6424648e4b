"""``sat_xception train -model=mobilenetv2 -train=train -valid=valid``: the original tool's
command line, for users of Development Seed's Sat-Xception, mapped onto ``school-detector train``."""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..dataset.builder import SPLITS_JSON

USAGE = (
    "usage: sat_xception train -model={mobilenetv2,xception} -train=DIR -valid=DIR [-test=DIR] "
    "[-epochs=N] [-fine_tune_epochs=N] [-weights=imagenet|none|PATH] [-batch_size=N] [-out=DIR]"
)


def translate(argv: Sequence[str], workdir: Path) -> list[str]:
    """Old-style ``-key=value`` arguments -> ``school-detector train`` arguments. The train/valid
    (test) folders are named in one dataset root's ``splits.json`` (no symbolic links)."""
    if not argv or argv[0] != "train":
        raise SystemExit(USAGE)
    opts = {}
    for arg in argv[1:]:
        key, sep, value = arg.lstrip("-").partition("=")
        if not sep:
            raise SystemExit(f"sat_xception: expected -key=value, got {arg!r}\n{USAGE}")
        opts[key.replace("-", "_")] = value
    if "train" not in opts or "valid" not in opts:
        raise SystemExit(USAGE)
    root = workdir / "dataset"
    root.mkdir(parents=True, exist_ok=True)
    named = {split: str(Path(opts[split]).resolve()) for split in ("train", "valid", "test") if split in opts}
    (root / SPLITS_JSON).write_text(json.dumps(named, indent=1), encoding="utf-8")
    out = ["train", "--data", str(root), "--model", opts.get("model", "xception"), "--out", opts.get("out", "model")]
    for key, flag in (
        ("epochs", "--epochs"),
        ("fine_tune_epochs", "--fine-tune-epochs"),
        ("weights", "--weights"),
        ("batch_size", "--batch-size"),
        ("name", "--name"),
    ):
        if key in opts:
            out += [flag, opts[key]]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    from .main import main as school_detector

    with tempfile.TemporaryDirectory() as tmp:
        return school_detector(translate(list(sys.argv[1:] if argv is None else argv), Path(tmp)))


if __name__ == "__main__":
    sys.exit(main())
