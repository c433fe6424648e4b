"""`make demo`: run the loop on a sample district, offline, through the same CLI subprocesses
the plugin uses, and print what a mapper gets out of it.

The district: villages among fields and empty land, schools among the houses, 70 % of them
already mapped (the labels). The loop: check the ML runtime, generate the district, build
training data from the mapped schools, train a small model, evaluate it on the held-out test
split, scan the district through the plugin's own path (QGIS rendering + the local
TF-Serving-compatible server) with the labels' schools as known schools, the buildings layer
(tiles without a building are skipped) and the district's outline, render a PNG map, and score
the review queue against the scene's ground truth: places to visit per new school found, the
unmapped schools found, how far each point is from its school. A second run reuses the scene,
the dataset and the model.
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


#: the training recipe (a tiny CNN from scratch: offline and CPU-friendly); scripts/mapper_eval.py
#: measures the mapper figures on other scenes with the same recipe
CHIPS_ARGS = ("--layer", "labels", "--background-ratio", "2")
TRAIN_ARGS = (
    "--model", "tiny", "--weights", "none", "--input-size", "128", "--epochs", "30", "--fine-tune-epochs", "0",
    "--patience", "8", "--batch-size", "16",
)  # fmt: skip


def against_truth(results: Path, scene: Path) -> dict[str, Any]:
    """The mapper's figures for the review queue (school_detector.sample.score), in the district."""
    sys.path.insert(0, str(ROOT))
    from school_detector.sample.score import score
    from school_detector.scan.region import read_region

    labels = scene / "labels.gpkg"
    return score(results, labels, read_region(labels, "district"))


def build_and_train(logs: Path, out: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Steps 3 and 4: chips from the scene's labels, and the model (reused when it is there)."""
    print("3/6 Build training data from the schools already mapped (and not-school buildings)")
    data = cli(logs, "chips", "--imagery", str(out / "scene" / "scene.tif"), "--labels", str(out / "scene" /
               "labels.gpkg"), *CHIPS_ARGS, "--out", str(out / "dataset"))  # fmt: skip
    model_dir = out / "model"
    print("4/6 Train (tiny CNN from scratch: offline and CPU-friendly)")
    if (model_dir / "model_card.json").is_file() and (model_dir / "metrics.json").is_file():
        print("    reusing the model trained by an earlier run")
        return data, json.loads((model_dir / "metrics.json").read_text())
    return data, cli(logs, "train", "--data", str(out / "dataset"), *TRAIN_ARGS, "--out", str(model_dir))


def print_summary(out: Path, steps: dict[str, dict[str, Any]]) -> None:
    """What each step gave, and what a mapper gets: ``steps`` by name (info, scene, data,
    trained, test, scanned, truth)."""
    info, scene, data, trained = steps["info"], steps["scene"], steps["data"], steps["trained"]
    m, scanned, truth = steps["test"], steps["scanned"], steps["truth"]
    tf = info.get("tensorflow", {})
    per_split = ", ".join(f"{s} {c['school']}/{c['not-school']}" for s, c in data["counts"].items())
    dist = truth.get("point_to_school_m") or {}
    print("\nSummary")
    print(
        f"  ML runtime     Python {info['python']}, TensorFlow {tf.get('version', 'missing')}, "
        f"GPUs: {len(tf.get('gpus', []))}"
    )
    print(
        f"  district       {out / 'scene' / 'scene.tif'} ({scene['area_km2']} km², {scene['counts']['school']} "
        f"schools, {scene['mapped_schools']} already mapped; {truth['schools_in_region']} in the district outline)"
    )
    print(f"  chips          {out / 'dataset'}: {data['chips']} chips, {per_split} (school/not-school)")
    print(
        f"  model          {out / 'model'} (tiny, trained in {trained['card']['training_seconds']:.0f} s, "
        f"{len(trained['history'])} epochs)"
    )
    print(
        f"  test split     ROC AUC {m['roc_auc']:.3f}, precision {m['precision']:.2f}, recall {m['recall']:.2f} at "
        f"threshold {m['threshold']:.2f} ({m['positives']} schools, {m['n'] - m['positives']} not-schools)"
    )
    for warning in trained["card"].get("warnings") or []:  # what the figures can't claim
        print(f"  caution        {warning}")
    print(
        f"  scan           {scanned['tiles']} tiles in the district, {truth['uninhabited_tiles']} skipped as "
        f"uninhabited (no building), {scanned.get('tiles_per_s') or '(resumed)'} tiles/s on "
        f"{(scanned.get('predictor') or {}).get('runs_on', '?')}"
    )
    print(
        f"  set aside      {truth['known_set_aside']} candidates on known schools, {scanned.get('outside_region', 0)} "
        "outside the district"
    )
    print(
        f"  to visit       {truth['places_to_visit']} places; {truth['new_schools_found']} of the "
        f"{truth['unmapped']} unmapped schools found (recall {truth['unmapped_recall']}); "
        f"{truth['places_per_new_school']} places to visit per new school"
    )
    print(
        f"  on the school  point to school centre: median {dist.get('median')} m, 90th percentile {dist.get('p90')} m "
        f"({truth['places_on_known_schools']} visits on a known school)"
    )
    print(f"  map            {scanned['png']} and {scanned['detail_png']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "demo_output")
    parser.add_argument("--tiles", type=int, default=24)
    parser.add_argument("--schools", type=int, default=90)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    out = args.out.resolve()
    logs = out / "logs"
    t0 = time.perf_counter()
    print("1/6 ML runtime")
    info = cli(logs, "info")
    print("2/6 Sample district (villages among fields; 70 % of the schools already mapped)")
    scene = cli(logs, "sample-scene", "--out", str(out / "scene"), "--layout", "district", "--tiles", str(args.tiles),
                "--schools", str(args.schools), "--seed", str(args.seed))  # fmt: skip
    data, trained = build_and_train(logs, out)
    print("5/6 Evaluate the exported model through its serving signature")
    m = cli(logs, "evaluate", "--model", str(out / "model"), "--data", str(out / "dataset" / "test"))
    print("6/6 Scan the district the plugin's way (QGIS renders, the local server scores), known schools set aside")
    results, png = out / "results.gpkg", out / "detections.png"
    scanned = qgis_scan(logs, out / "scene", out / "model", results, png)
    truth = against_truth(results, out / "scene")
    steps = {"info": info, "scene": scene, "data": data, "trained": trained, "test": m, "scanned": scanned}
    print_summary(out, {**steps, "truth": truth})
    total = time.perf_counter() - t0
    print(f"  total          {total:.1f} s")
    summary = {
        "chips": data["chips"],
        "training_seconds": trained["card"]["training_seconds"],
        "test": {k: m[k] for k in ("roc_auc", "precision", "recall", "threshold")},
        "tiles": scanned["tiles"],
        "tiles_per_s": scanned.get("tiles_per_s"),
        "to_review": scanned["to_review"],
        "places": scanned["places"],
        "truth": truth,
        "outputs": {
            "dataset": str(out / "dataset"),
            "model": str(out / "model"),
            "results": str(results),
            "map": str(png),
            "detail": scanned["detail_png"],
        },
        "seconds": round(total, 1),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(
        f"\nOpen {results} in QGIS (School detector → Review detections) to visit the places to review over "
        f"scene.tif; the numbers above are in {out / 'summary.json'}."
    )


if __name__ == "__main__":
    main()
