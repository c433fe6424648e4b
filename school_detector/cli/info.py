"""``school-detector info``: what this runtime is (Settings shows it; bug reports quote it)."""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import sys
from typing import Any

from ..core.progress import Reporter
from ..inference.backend import installed
from ..runtime.install import SCAN_ONLY, TRAINING
from ..version import __version__

PACKAGES = (
    "numpy",
    "rasterio",
    "requests",
    "pillow",
    "mercantile",
    "onnxruntime",
    "onnxruntime-gpu",
    "onnxruntime-directml",
    "keras",
    "tensorflow-cpu",
    "tensorflow",
)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("info", parents=[common], help="describe this ML runtime: versions, TensorFlow, GPUs")
    p.add_argument("--no-tensorflow", action="store_true", help="skip importing TensorFlow (fast)")
    p.set_defaults(run=run)


def _versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out


def tensorflow_info() -> dict[str, Any]:
    """TF version, build flavour and the devices TF can really use."""
    try:
        import tensorflow as tf
    except Exception as exc:  # noqa: BLE001 - a broken TF install is exactly what we report
        return {"available": False, "error": f"{type(exc).__name__}: {exc}"}
    gpus = []
    for dev in tf.config.list_physical_devices("GPU"):
        try:
            details = tf.config.experimental.get_device_details(dev)
        except Exception:  # noqa: BLE001 - details are optional
            details = {}
        gpus.append(
            {
                "name": dev.name,
                "model": details.get("device_name", ""),
                "compute_capability": str(details.get("compute_capability", "")),
            }
        )
    build = dict(tf.sysconfig.get_build_info())
    return {
        "available": True,
        "version": tf.__version__,
        "cuda_build": bool(build.get("is_cuda_build", False)),
        "gpus": gpus,
        "cpu_threads": os.cpu_count(),
    }


def onnx_info() -> dict[str, Any]:
    """ONNX Runtime's version and providers, and what a scan would run on ("CPU, ONNX Runtime
    1.32.0, 2 threads"), without loading a model."""
    if not installed("onnxruntime"):
        return {"available": False}
    import onnxruntime as ort

    from ..inference.onnx_model import choose_providers, scanning_on

    return {
        "available": True,
        "version": ort.__version__,
        "providers": ort.get_available_providers(),
        "provider": choose_providers(ort.get_available_providers())[0],
        "scanning_on": scanning_on(),
    }


def run(args: argparse.Namespace, reporter: Reporter) -> dict[str, Any]:
    trains = installed("tensorflow")
    data: dict[str, Any] = {
        "school_detector": __version__,
        "python": platform.python_version(),
        "executable": sys.executable,
        "platform": platform.platform(),
        "packages": _versions(),
        "onnxruntime": onnx_info(),
        "kind": TRAINING if trains else SCAN_ONLY,
    }
    if not trains:
        data["tensorflow"] = {"available": False, "installed": False, "error": "not installed (scan-only runtime)"}
    elif not args.no_tensorflow:
        reporter.log("Importing TensorFlow (the first time after install can take ~30 s)…")
        data["tensorflow"] = tensorflow_info()
    return data
