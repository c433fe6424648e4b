"""`.runtime/bin/python scripts/mapper_eval.py`: the figures that count for a mapper, measured on sample districts other
than the demo's, each with the demo's recipe (train on its mapped schools, scan it with them as
known schools, its buildings and its outline), scored against its ground truth:

* places to visit per new school found, and the unmapped schools found (recall);
* how far each point is from its school (every candidate tile that holds a school's centre);
* candidates left in the queue on known schools;
* the unmapped schools that reach the queue, near a mapped school (160 m) and farther away:
  setting known schools aside must cost nothing.

Other scenes and backbones: ``--layout town --tiles 14 --schools 120`` is a dense town (schools
80-250 m apart, unmapped ones beside mapped ones; its labels give few not-school chips, so scan it
with a model trained on a district: ``--model .cache/mapper-eval/seed2/model``);
``--backbone mobilenetv2 --input-size 224`` trains the default backbone from scratch (no
ImageNet weights offline), slower.

Runs in the ML runtime (in-process scans: the same scan job as the plugin's). Prints one line
per scene and the totals over all of them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from demo import CHIPS_ARGS, TRAIN_ARGS, against_truth, cli  # noqa: E402

from school_detector.sample.score import median_p90  # noqa: E402


def recipe(backbone: str, input_size: int | None, epochs: int | None) -> list[str]:
    """The demo's training recipe, for another backbone (from scratch), size or length."""
    args = list(TRAIN_ARGS)
    for flag, value in (("--model", backbone), ("--input-size", input_size), ("--epochs", epochs)):
        if value is not None:
            args[args.index(flag) + 1] = str(value)
    return args


def one_scene(work: Path, seed: int, args: argparse.Namespace) -> dict[str, Any]:
    logs, scene = work / "logs", work / "scene"
    cli(logs, "sample-scene", "--out", str(scene), "--layout", args.layout, "--tiles", str(args.tiles), "--schools",
        str(args.schools), "--seed", str(seed))  # fmt: skip
    labels = scene / "labels.gpkg"
    if args.model is not None:  # a model trained elsewhere (a dense town has too few negatives of its own)
        if not (work / "model").exists():
            shutil.copytree(args.model, work / "model")
    elif not (work / "model" / "model_card.json").is_file():
        cli(logs, "chips", "--imagery", str(scene / "scene.tif"), "--labels", str(labels), *CHIPS_ARGS, "--out",
            str(work / "dataset"))  # fmt: skip
        trained = cli(logs, "train", "--data", str(work / "dataset"),
                      *recipe(args.backbone, args.input_size, args.epochs), "--out", str(work / "model"))  # fmt: skip
        m = trained["metrics"]
        print(f"  trained {args.backbone}: test ROC AUC {m['roc_auc']:.3f}, recall {m['recall']:.2f}, precision "
              f"{m['precision']:.2f} ({trained['stopping']['text']})", flush=True)  # fmt: skip
    results = work / "results.gpkg"
    results.unlink(missing_ok=True)
    cli(logs, "scan", "--imagery", str(scene / "scene.tif"), "--model", str(work / "model"), "--known-schools",
        str(labels), "--known-layer", "labels", "--buildings", str(labels), "--buildings-layer", "buildings",
        "--region", str(labels), "--region-layer", "district", "--out", str(results))  # fmt: skip
    return against_truth(results, scene)


def share(row: dict[str, Any], group: str) -> str:
    g = row["unmapped_reaching_the_queue"][group]
    return f"{g['queued']}/{g['schools']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / ".cache" / "mapper-eval")
    parser.add_argument("--seeds", default="2,3,4", help="scene seeds (the demo's is 1)")
    parser.add_argument("--layout", choices=("district", "town"), default="district")
    parser.add_argument("--tiles", type=int, default=24)
    parser.add_argument("--schools", type=int, default=90)
    parser.add_argument("--backbone", choices=("tiny", "mobilenetv2", "xception"), default="tiny")
    parser.add_argument("--input-size", type=int, default=None, help="default: the demo recipe's (128)")
    parser.add_argument("--epochs", type=int, default=None, help="default: the demo recipe's (30)")
    parser.add_argument("--model", type=Path, default=None, help="scan with this model instead of training one")
    args = parser.parse_args()
    rows = []
    for seed in (int(s) for s in args.seeds.split(",")):
        start = time.perf_counter()
        row = one_scene(args.out / f"seed{seed}", seed, args)
        rows.append(row)
        d = row["point_to_school_m"] or {}
        print(
            f"seed {seed}: {row['places_to_visit']} places, {row['new_schools_found']}/{row['unmapped']} unmapped "
            f"found, {row['places_per_new_school']} places per new school; point to school median {d.get('median')} m, "
            f"p90 {d.get('p90')} m; {row['places_on_known_schools']} on known schools; unmapped reaching the "
            f"queue: {share(row, 'near_mapped')} near a mapped school, {share(row, 'farther')} farther "
            f"({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
    places = sum(r["places_to_visit"] for r in rows)
    found = sum(r["new_schools_found"] for r in rows)
    unmapped = sum(r["unmapped"] for r in rows)
    distances = [d for r in rows for d in r["point_to_school_all_m"]]
    spread = median_p90(distances) if distances else {}
    total = {
        "scenes": len(rows),
        "places_per_new_school": round(places / found, 2) if found else None,
        "unmapped_recall": round(found / unmapped, 3) if unmapped else None,
        "point_to_school_median_m": spread.get("median"),
        "point_to_school_p90_m": spread.get("p90"),
        "tiles_holding_a_school": len(distances),
        "places_on_known_schools": sum(r["places_on_known_schools"] for r in rows),
        "unmapped_reaching_the_queue": {
            group: {
                "schools": sum(r["unmapped_reaching_the_queue"][group]["schools"] for r in rows),
                "queued": sum(r["unmapped_reaching_the_queue"][group]["queued"] for r in rows),
            }
            for group in ("near_mapped", "farther")
        },
    }
    print("all scenes:", json.dumps(total))
    (args.out / "summary.json").write_text(json.dumps({"scenes": rows, "total": total}, indent=2) + "\n")


if __name__ == "__main__":
    main()
