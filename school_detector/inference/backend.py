"""Which engine runs a model: ONNX Runtime (its ONNX copy) or TensorFlow (its SavedModel).

``auto`` takes ONNX Runtime when the model has an ONNX copy and onnxruntime is installed (the
scan-only runtime has nothing else; on a CPU it is the faster one), else TensorFlow. Asking for
one that cannot run says why and what to do. Deciding imports neither engine.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import InputError

if TYPE_CHECKING:  # the CLI imports this module for every command, `info` in a bare venv included
    from ..core.model_card import ModelCard

BACKENDS = ("auto", "onnx", "tensorflow")
ONNX, TENSORFLOW = "onnx", "tensorflow"

#: what to say where TensorFlow is missing: this is the scan-only runtime
SCAN_ONLY = (
    "This ML runtime is the scan-only one (ONNX Runtime, no TensorFlow): it scans and serves "
    "models, it cannot {what}. Add training: in QGIS, Settings > 'Training too'; on the command "
    "line, pip install -r school_detector/runtime-requirements.txt into this runtime."
)


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def no_onnx_copy(card: ModelCard) -> InputError:
    """The error for ONNX Runtime asked to run a model without an ONNX copy, with why it has none."""
    why = card.onnx.get("skipped") or "it was exported before models carried one"
    return InputError(
        f"{card.model_id} has no ONNX copy ({why}). Scan it with --backend tensorflow, or export it "
        "again (retrain, or train a new version) in a runtime with TensorFlow."
    )


def choose_backend(card: ModelCard, model_dir: Path, requested: str = "auto") -> str:
    """ "onnx" or "tensorflow" for this model in this runtime, or an InputError that says why
    neither (or the one asked for) can run it."""
    if requested not in BACKENDS:
        raise InputError(f"--backend must be one of {', '.join(BACKENDS)}, not {requested!r}.")
    copy = card.onnx_path(model_dir)
    onnx_ok = copy is not None and installed("onnxruntime")
    if requested == ONNX or (requested == "auto" and onnx_ok):
        if copy is None:
            raise no_onnx_copy(card)
        if not installed("onnxruntime"):
            raise InputError("ONNX Runtime is not installed in this runtime: use --backend tensorflow.")
        return ONNX
    if not installed("tensorflow"):
        if requested == TENSORFLOW:
            raise InputError(SCAN_ONLY.format(what="run a SavedModel (--backend tensorflow)"))
        why = card.onnx.get("skipped") or "it was exported before models carried one"
        raise InputError(
            f"{card.model_id} has no ONNX copy ({why}), and this runtime has no TensorFlow to run its "
            "SavedModel. Export the model again in a training runtime, or scan in one."
        )
    return TENSORFLOW
