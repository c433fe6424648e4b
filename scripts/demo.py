"""`make demo`: run the loop on the bundled sample scene, offline, through the same CLI
subprocesses the plugin uses, and print where everything is.

Steps that later releases add (build training data, train, scan, review map) slot in here;
today's loop: generate the scene, check the ML runtime, time a tiny model.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def cli(logs: Path, *args: str) -> dict[str, Any]:
    """One CLI job, JSON-lines progress echoed as text, stderr to a log; returns its result or exits."""
    cmd = [sys.executable, "-m", "school_detector.cli", *args, "--progress", "jsonl"]
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"{args[0]}.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True)
        result = _follow(proc)
    if proc.returncode != 0:
        sys.exit(f"demo step failed: {' '.join(args)}\n{log_path.read_text()[-3000:]}")
    return result


def _follow(proc: subprocess.Popen[str]) -> dict[str, Any]:
    assert proc.stdout is not None
    result: dict[str, Any] = {}
    for line in proc.stdout:
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            print("   ", line.rstrip())
            continue
        kind = event.get("event")
        if kind == "progress" and event.get("done") == event.get("total"):
            print(f"    {event.get('message', '')}: {event['done']}/{event['total']} {event.get('unit', '')}")
        elif kind == "log":
            print("   ", event.get("message", ""))
        elif kind == "error":
            print(f"error: {event.get('message')}", file=sys.stderr)
        elif kind == "result":
            result = event.get("data", {})
    proc.wait()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "demo_output")
    parser.add_argument("--tiles", type=int, default=16)
    args = parser.parse_args()
    out = args.out.resolve()
    logs = out / "logs"
    t0 = time.perf_counter()
    print("1/3 Sample scene")
    scene = cli(logs, "sample-scene", "--out", str(out / "scene"), "--tiles", str(args.tiles))
    print("2/3 ML runtime")
    info = cli(logs, "info")
    print("3/3 Tiny model on this machine")
    test = cli(logs, "selftest")
    tf = info.get("tensorflow", {})
    print("\nSummary")
    print(
        f"  scene          {out / 'scene' / 'scene.tif'} ({scene['size_px']} px square, "
        f"{scene['area_km2']} km², {'reused' if scene['reused'] else 'generated'})"
    )
    print(
        f"  labels         {out / 'scene' / 'labels.gpkg'} ({scene['label_points']} labeled points; "
        f"{scene['counts']['school']} schools, {scene['mapped_schools']} of them mapped)"
    )
    print(
        f"  ML runtime     Python {info['python']}, TensorFlow {tf.get('version', 'missing')}, "
        f"GPUs: {len(tf.get('gpus', []))}"
    )
    print(f"  tiny model     {test['images_per_s']} images/s on {test['device']}")
    print(f"  total          {time.perf_counter() - t0:.1f} s")
    print(
        "\nOpen scene.tif and labels.gpkg in QGIS to look at them; training and scanning arrive "
        "in the next releases (see CHANGELOG.md)."
    )


if __name__ == "__main__":
    main()
