"""An exported model's ONNX copy, run by ONNX Runtime: the scan-only runtime's engine (no
TensorFlow), and the faster one on a laptop CPU.

The copy (``NAME/VERSION/model.onnx``, made at export: ml.export.export_onnx) takes the
network's input at its own size, float32 0-255 (N, S, S, 3), and gives ``school_probability``
and, for a classifier that can say where the school is, ``school_location``. The antialiased
resize from the chip to S happens in numpy exactly as in the SavedModel (core.resize), so both
backends score the same pixels.

Execution providers, chosen in this order when the installed onnxruntime has them: CUDA (the
onnxruntime-gpu package and an NVIDIA GPU), DirectML (onnxruntime-directml: any Windows GPU),
CoreML (Apple), else the CPU with one thread per core.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import InputError
from ..core.signatures import LOCATION, OUTPUT
from .resize import resize_images

ONNX_FILE = "model.onnx"
#: providers in order of preference, with the words the plugin shows for them
PROVIDERS = (
    ("CUDAExecutionProvider", "GPU (CUDA)"),
    ("DmlExecutionProvider", "GPU (DirectML)"),
    ("CoreMLExecutionProvider", "Apple Neural Engine/GPU (CoreML)"),
    ("CPUExecutionProvider", "CPU"),
)


def choose_providers(available: list[str]) -> list[str]:
    """The best provider that is available, then the CPU (ONNX Runtime falls back op by op)."""
    ranked = [name for name, _ in PROVIDERS if name in available]
    best = ranked[0] if ranked else "CPUExecutionProvider"
    return [best] if best == "CPUExecutionProvider" else [best, "CPUExecutionProvider"]


def provider_words(name: str) -> str:
    return dict(PROVIDERS).get(name, name)


def cpu_threads() -> int:
    """One intra-op thread per core this process may use (a container's CPU limit included)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # Windows, macOS
        return max(1, os.cpu_count() or 1)


def runs_on_words(provider: str, version: str, threads: int) -> str:
    """ "CPU, ONNX Runtime 1.32.0, 2 threads" / "GPU (CUDA), ONNX Runtime 1.32.0"."""
    on_cpu = provider == "CPUExecutionProvider"
    return f"{provider_words(provider)}, ONNX Runtime {version}" + (f", {threads} threads" if on_cpu else "")


def scanning_on() -> str | None:
    """What a scan would run on in this runtime, without loading a model (None: no onnxruntime)."""
    try:
        import onnxruntime as ort
    except ImportError:
        return None
    return runs_on_words(choose_providers(ort.get_available_providers())[0], ort.__version__, cpu_threads())


SPINNING = "session.intra_op.allow_spinning"


class OnnxModel:
    """A session over one ONNX copy; ``run`` takes chips of any size, uint8 or float 0-255."""

    def __init__(self, path: Path, threads: int | None = None) -> None:
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise InputError(
                "ONNX Runtime is not installed in this runtime: install the scan runtime's packages "
                "(school_detector/scan-requirements.txt) or scan with --backend tensorflow."
            ) from exc
        self.path = Path(path)
        options = ort.SessionOptions()
        self.threads = threads or cpu_threads()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # The scan reads and resizes the next batch on another thread while this one runs; ORT's
        # idle workers spin by default and take the cores that thread needs. Measured in-process
        # (MobileNetV2, 2 cores, 3 runs each): 169 tiles/s without spinning vs 150 with it.
        options.add_session_config_entry(SPINNING, "0")
        try:
            self.session = ort.InferenceSession(
                str(self.path), options, providers=choose_providers(ort.get_available_providers())
            )
        except Exception as exc:
            raise InputError(f"ONNX Runtime cannot load {self.path}: {exc}") from exc
        self.version = str(ort.__version__)
        self.provider = self.session.get_providers()[0]
        first = self.session.get_inputs()[0]
        self.input_name = first.name
        self.size = int(first.shape[1])
        self.outputs = [o.name for o in self.session.get_outputs()]
        self.locates = LOCATION in self.outputs

    def run(self, images: Any) -> tuple[Any, Any | None]:
        """(probabilities (N,), locations (N, 2) or None) for (N, H, W, 3) chips."""
        pixels = resize_images(images, self.size)
        wanted = [OUTPUT, LOCATION] if self.locates else [OUTPUT]
        found = self.session.run(wanted, {self.input_name: np.ascontiguousarray(pixels, dtype=np.float32)})
        scores = np.asarray(found[0], dtype=np.float32).reshape(-1)
        return scores, (np.asarray(found[1], dtype=np.float32) if self.locates else None)

    def describe(self) -> dict[str, Any]:
        """What runs the model, in the words the plugin shows ("CPU, ONNX Runtime 1.32, 2 threads")."""
        on_cpu = self.provider == "CPUExecutionProvider"
        return {
            "engine": f"ONNX Runtime {self.version}",
            "provider": self.provider,
            "device": provider_words(self.provider),
            "threads": self.threads if on_cpu else None,
            "text": runs_on_words(self.provider, self.version, self.threads),
        }
