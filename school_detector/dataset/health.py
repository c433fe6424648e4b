"""Is a dataset folder ready to train on? Counts per split and class, and the warnings a mapper
should read before spending an hour training: the Train dialog shows them, the CLI and tests
use the same rules."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..core.chip_plan import NOT_SCHOOL, SCHOOL, SPLITS
from ..core.errors import InputError

#: classes more lopsided than this ratio get a warning (class weights compensate, up to a point)
IMBALANCE_RATIO = 10
#: fewer school chips than this to train on: expect a weak model
FEW_SCHOOLS = 50


@dataclass
class DatasetHealth:
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def text(self) -> str:
        return "; ".join(
            f"{s}: {self.counts[s].get(SCHOOL, 0)} school / {self.counts[s].get(NOT_SCHOOL, 0)} not-school"
            for s in SPLITS
            if s in self.counts
        )


def _recorded_counts(folder: Path, health: DatasetHealth) -> dict[str, dict[str, int]]:
    """The counts dataset.json records (and whether the build finished), when there is one."""
    info_path = folder / "dataset.json"
    if not info_path.is_file():
        return {}
    try:
        info = json.loads(info_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        health.warnings.append("dataset.json is unreadable; counting files instead.")
        return {}
    if not info.get("complete", True):
        health.warnings.append("The dataset build did not finish; build again into the same folder to complete it.")
    return dict(info.get("counts", {}))


def dataset_health(folder: Path) -> DatasetHealth:
    """Counts and warnings of a dataset folder (ours, or any train/valid/test with class folders).
    A folder that is not a dataset at all raises InputError."""
    from .builder import read_dataset_folder

    folder = Path(folder)
    health = DatasetHealth()
    counts = _recorded_counts(folder, health)
    if not counts:
        found = read_dataset_folder(folder)
        counts = {s: {c: len(files) for c, files in classes.items()} for s, classes in found.items()}
    health.counts = counts
    for split in ("train", "valid"):
        c = counts.get(split, {})
        if not c.get(SCHOOL) or not c.get(NOT_SCHOOL):
            health.warnings.append(f"{split}/ lacks a class: training needs schools and not-schools in it.")
    train = counts.get("train", {})
    pos, neg = train.get(SCHOOL, 0), train.get(NOT_SCHOOL, 0)
    if pos and neg and max(pos, neg) / min(pos, neg) > IMBALANCE_RATIO:
        health.warnings.append(
            f"Classes are imbalanced ({pos} schools : {neg} not-schools); class weights compensate, but "
            "more of the rarer class helps."
        )
    if 0 < pos < FEW_SCHOOLS:
        health.warnings.append(f"Only {pos} school chips to train on: expect a weak model; 200+ is better.")
    return health


def is_dataset_folder(folder: Path) -> bool:
    """A chip dataset (ours, with dataset.json, or any folder with train/ in it)."""
    return (Path(folder) / "dataset.json").is_file() or (Path(folder) / "train").is_dir()


def dataset_summary(folder: Path) -> tuple[str, list[str]]:
    """(counts line, warnings); a folder that is not a dataset gives its message as both."""
    try:
        health = dataset_health(folder)
    except InputError as exc:
        return exc.message, [exc.message]
    return health.text(), health.warnings
