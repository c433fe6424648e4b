"""Evaluate an exported model through its serving signature (the exact path TF Serving runs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.chip_plan import CLASSES, NOT_SCHOOL_ALIASES, SCHOOL
from ..core.errors import InputError, ModelCardError
from ..core.metrics import evaluate
from ..core.model_card import ModelCard
from ..core.progress import Reporter


def load_serving(model_dir: Path) -> tuple[ModelCard, Any]:
    import tensorflow as tf

    card = ModelCard.read(model_dir)
    loaded = tf.saved_model.load(str(card.version_dir(model_dir)))
    if "serving_default" not in loaded.signatures:
        raise ModelCardError(f"{model_dir} has no serving_default signature.")
    return card, loaded


def labeled_files(folder: Path) -> tuple[list[Path], list[int]]:
    folder = Path(folder)
    if (folder / "test").is_dir():
        folder = folder / "test"
    files: list[Path] = []
    labels: list[int] = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        name = sub.name.lower()
        if name != SCHOOL and name not in NOT_SCHOOL_ALIASES:
            continue
        for f in sorted(sub.iterdir()):
            if f.suffix.lower() in (".png", ".jpg", ".jpeg"):
                files.append(f)
                labels.append(1 if name == SCHOOL else 0)
    if not files or len(set(labels)) < 2:
        raise InputError(f"{folder} needs images in both {CLASSES[1]}/ and {CLASSES[0]}/ to evaluate.")
    return files, labels


def evaluate_model(
    model_dir: Path, data: Path, threshold: float | None, batch_size: int, reporter: Reporter
) -> dict[str, Any]:
    import tensorflow as tf

    card, loaded = load_serving(model_dir)
    serve = loaded.signatures["serving_default"]
    files, labels = labeled_files(data)
    scores: list[float] = []
    for i in range(0, len(files), batch_size):
        batch = [f.read_bytes() for f in files[i : i + batch_size]]
        out = serve(image_bytes=tf.constant(batch))
        scores.extend(float(v) for v in out["school_probability"].numpy())
        reporter.progress(min(i + batch_size, len(files)), len(files), unit="image", message="Evaluating")
    t = card.threshold if threshold is None else threshold
    return {"model": card.model_id, "data": str(data), **evaluate(labels, scores, t).to_dict()}
