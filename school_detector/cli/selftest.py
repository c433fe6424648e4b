"""``school-detector selftest``: prove the runtime can build and run a Keras model here.

Settings runs it as "Test runtime"; it is also the smallest real job the plugin can start,
cancel and watch, and it reports the inference speed on this machine's device.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from ..core.errors import RuntimeJobError
from ..core.progress import Reporter


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("selftest", parents=[common], help="build a tiny model and time predictions")
    p.add_argument("--batches", type=int, default=20, help="prediction batches to run (default 20)")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--size", type=int, default=128, help="input size in pixels (default 128)")
    p.add_argument("--step-delay", type=float, default=0.0, help=argparse.SUPPRESS)  # tests: a slow job
    p.set_defaults(run=run, needs_tensorflow="run the self-test (it builds a TensorFlow model)")


def run(args: argparse.Namespace, reporter: Reporter) -> dict[str, Any]:
    if args.batches < 1 or args.batch_size < 1:
        raise RuntimeJobError("--batches and --batch-size must be at least 1.")
    reporter.log("Importing TensorFlow…")
    import numpy as np
    import tensorflow as tf

    keras = tf.keras
    inputs = keras.Input((args.size, args.size, 3), dtype="uint8")
    x = keras.layers.Rescaling(1 / 255.0)(inputs)
    x = keras.layers.Conv2D(8, 3, strides=2, activation="relu")(x)
    x = keras.layers.Conv2D(16, 3, strides=2, activation="relu")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    batch = np.random.default_rng(0).integers(0, 256, (args.batch_size, args.size, args.size, 3), dtype=np.uint8)
    model.predict_on_batch(batch)  # warm-up: graph tracing is not inference speed
    start = time.perf_counter()
    for i in range(args.batches):
        preds = model.predict_on_batch(batch)
        if not np.all(np.isfinite(preds)):
            raise RuntimeJobError("The model produced non-finite predictions; the runtime is broken.")
        if args.step_delay:
            time.sleep(args.step_delay)
        reporter.progress(i + 1, args.batches, unit="batch", message="Predicting")
    elapsed = max(time.perf_counter() - start, 1e-9)
    gpus = tf.config.list_physical_devices("GPU")
    return {
        "ok": True,
        "tensorflow": tf.__version__,
        "device": "GPU" if gpus else "CPU",
        "images_per_s": round(args.batches * args.batch_size / elapsed, 1),
        "batches": args.batches,
        "batch_size": args.batch_size,
    }
