"""`make demo`: run the loop on the bundled sample scene, offline, through the same CLI
subprocesses the plugin uses, and print where everything is.

The loop: check the ML runtime, generate the scene, build training data, train a small model,
evaluate it on the held-out test split, scan the scene through the plugin's own path (QGIS
rendering + the local TF-Serving-compatible server) into the review GeoPackage, render a PNG
map of the detections with QGIS, and score the candidates against the scene's ground truth.
A second run reuses the scene, the dataset and the model.
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
    """One CLI job in this (the ML runtime's) Python."""
    return step(logs, args[0], [sys.executable, "-m", "school_detector.cli", *args, "--progress", "jsonl"])


def step(logs: Path, name: str, cmd: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one step: JSON-lines progress echoed as text, stderr to logs/NAME.log; returns its
    result, or exits with the log's tail when the step failed or gave no result."""
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"{name}.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True, env=env)
        result = _follow(proc)
    if proc.returncode != 0 or not result:
        sys.exit(f"demo step failed: {' '.join(cmd[1:])}\n{log_path.read_text()[-3000:]}")
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


def qgis_scan(logs: Path, scene: Path, model_dir: Path, results: Path, png: Path) -> dict[str, Any]:
    """scripts/demo_qgis.py in the QGIS Python: the plugin's ScanTask, then the PNG map."""
    import os

    qgis_python = ROOT / ".venv" / "bin" / "python"
    cmd = [str(qgis_python), str(ROOT / "scripts" / "demo_qgis.py"), "--scene", str(scene), "--model", str(model_dir)]
    cmd += ["--python", sys.executable, "--out", str(results), "--png", str(png)]
    xdg = ROOT / ".cache" / "xdg"
    xdg.mkdir(parents=True, exist_ok=True, mode=0o700)
    return step(logs, "scan", cmd, dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(xdg)))


def against_truth(results: Path, labels: Path) -> dict[str, Any]:
    """Recall: schools whose centre tile is a candidate. Precision: candidates whose tile
    touches a school compound (a tile with part of a school is a fair find for a reviewer)."""
    sys.path.insert(0, str(ROOT))
    from school_detector.core.cover import iter_cover
    from school_detector.core.gpkg import GeoPackage
    from school_detector.core.tiles import Tile, tile_for_lonlat

    with GeoPackage(results, create=False) as g:
        candidates = {Tile(a["x"], a["y"], a["z"]) for _, _, a in g.features("candidates")}
    with GeoPackage(labels, create=False) as g:
        schools = [(tile_for_lonlat(lon, lat, 18), a["mapped"]) for _, (lon, lat), a in g.features("truth")]
        touched = {t for _, rings, _ in g.features("truth_footprints") for t in iter_cover([rings], 18)}
    found = sum(1 for t, _ in schools if t in candidates)
    unmapped = [t for t, mapped in schools if not mapped]
    return {
        "candidates": len(candidates),
        "schools": len(schools),
        "found": found,
        "recall": found / max(1, len(schools)),
        "unmapped": len(unmapped),
        "unmapped_found": sum(1 for t in unmapped if t in candidates),
        "precision": sum(1 for t in candidates if t in touched) / max(1, len(candidates)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "demo_output")
    parser.add_argument("--tiles", type=int, default=20)
    parser.add_argument("--schools", type=int, default=100)
    args = parser.parse_args()
    out = args.out.resolve()
    logs = out / "logs"
    t0 = time.perf_counter()
    print("1/6 ML runtime")
    info = cli(logs, "info")
    print("2/6 Sample scene")
    scene = cli(
        logs, "sample-scene", "--out", str(out / "scene"), "--tiles", str(args.tiles), "--schools", str(args.schools)
    )
    print("3/6 Build training data")
    data = cli(
        logs,
        "chips",
        "--imagery",
        str(out / "scene" / "scene.tif"),
        "--labels",
        str(out / "scene" / "labels.gpkg"),
        "--background-ratio",
        "2",
        "--out",
        str(out / "dataset"),
    )
    model_dir = out / "model"
    print("4/6 Train (tiny CNN from scratch: offline and CPU-friendly)")
    if (model_dir / "model_card.json").is_file() and (model_dir / "metrics.json").is_file():
        trained = json.loads((model_dir / "metrics.json").read_text())
        print("    reusing the model trained by an earlier run")
    else:
        trained = cli(
            logs,
            "train",
            "--data",
            str(out / "dataset"),
            "--model",
            "tiny",
            "--weights",
            "none",
            "--input-size",
            "128",
            "--epochs",
            "30",
            "--fine-tune-epochs",
            "0",
            "--patience",
            "8",
            "--batch-size",
            "16",
            "--out",
            str(model_dir),
        )
    print("5/6 Evaluate the exported model through its serving signature")
    evaluation = cli(logs, "evaluate", "--model", str(model_dir), "--data", str(out / "dataset" / "test"))
    print("6/6 Scan the whole scene the plugin's way (QGIS renders, the local TF-Serving-compatible server scores)")
    results = out / "results.gpkg"
    png = out / "detections.png"
    scanned = qgis_scan(logs, out / "scene", model_dir, results, png)
    truth = against_truth(results, out / "scene" / "labels.gpkg")
    tf = info.get("tensorflow", {})
    counts = data["counts"]
    m = evaluation
    print("\nSummary")
    print(
        f"  ML runtime     Python {info['python']}, TensorFlow {tf.get('version', 'missing')}, "
        f"GPUs: {len(tf.get('gpus', []))}"
    )
    print(
        f"  scene          {out / 'scene' / 'scene.tif'} ({scene['area_km2']} km², "
        f"{scene['counts']['school']} schools, {scene['mapped_schools']} mapped)"
    )
    per_split = ", ".join(f"{s} {c['school']}/{c['not-school']}" for s, c in counts.items())
    rate = f", {data['chips_per_s']} chips/s" if data.get("chips_per_s") else ""
    print(f"  chips          {out / 'dataset'}: {data['chips']} chips, {per_split} (school/not-school){rate}")
    print(
        f"  model          {model_dir} (tiny, trained in {trained['card']['training_seconds']:.0f} s, "
        f"{len(trained['history'])} epochs)"
    )
    print(
        f"  test split     ROC AUC {m['roc_auc']:.3f}, precision {m['precision']:.2f}, recall {m['recall']:.2f} "
        f"at threshold {m['threshold']:.2f} ({m['positives']} schools, {m['n'] - m['positives']} not-schools)"
    )
    print(f"  report         {model_dir / 'report.html'}")
    rate = scanned.get("tiles_per_s") or "(resumed)"
    print(f"  scan           {scanned['tiles']} tiles, {rate} tiles/s, {truth['candidates']} candidates -> {results}")
    print(
        f"  vs truth       recall {truth['recall']:.2f} ({truth['found']}/{truth['schools']} schools have a "
        f"candidate in their tile, {truth['unmapped_found']}/{truth['unmapped']} of the unmapped ones); "
        f"precision {truth['precision']:.2f} (candidates touching a school compound)"
    )
    print(f"  map            {png} (candidates in the review style over the imagery; cyan: true schools)")
    total = time.perf_counter() - t0
    print(f"  total          {total:.1f} s")
    summary = {
        "chips": data["chips"],
        "training_seconds": trained["card"]["training_seconds"],
        "test": {k: m[k] for k in ("roc_auc", "precision", "recall", "threshold")},
        "tiles": scanned["tiles"],
        "tiles_per_s": scanned.get("tiles_per_s"),
        "candidates": truth["candidates"],
        "truth": truth,
        "outputs": {"dataset": str(out / "dataset"), "model": str(model_dir), "results": str(results), "map": str(png)},
        "seconds": round(total, 1),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(
        f"\nOpen {results} in QGIS (School detector → Review detections) to confirm or reject the "
        f"candidates over scene.tif; the numbers above are in {out / 'summary.json'}."
    )


if __name__ == "__main__":
    main()
