"""The active-learning step: reviewed candidates become training chips.

Confirmed candidates become ``school`` chips and rejected ones ``not-school`` hard negatives,
cut from the imagery exactly as the dataset's other chips (its zoom, tile or supertile) and
added to an existing dataset folder under the same split rules: a candidate whose block is
already in the dataset joins that block's split (no leaks), new blocks are split by the seeded
rule. Tiles already in the dataset are not added twice, with one exception: a tile the dataset
holds as a not-school chip (a random background tile, say) that a mapper confirmed as a school
is relabeled a school chip (its history says so), or the next model would learn that school
is not one. dataset.json gets a new version."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..core.chip_plan import (
    CLASSES,
    NOT_SCHOOL,
    SCHOOL,
    SPLITS,
    ChipGeometry,
    ChipPlan,
    assign_splits,
    block_of,
    fingerprint,
)
from ..core.errors import InputError, JobCancelled
from ..core.files import replace_file, write_text
from ..core.imagery import imagery_id
from ..core.progress import Reporter
from ..core.results import ReviewStatus
from ..core.tiles import Tile, bounds_3857, parse_tile_id
from ..dataset.builder import (
    DATASET_JSON,
    MANIFEST,
    MANIFEST_FIELDS,
    SCHOOL_POINT_FIELDS,
    SCHOOL_POINTS,
    pil_save_png,
    school_point,
    write_csv,
)
from .export import read_candidates


def add_reviewed(
    results: Path,
    source: Any,
    data_dir: Path,
    min_valid: float = 0.8,
    save_png: Callable[[Any, Path], None] = pil_save_png,
    reporter: Reporter | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> dict[str, Any]:
    """``save_png`` and the source differ between the CLI (Pillow, rasterio) and QGIS (Qt,
    QGIS rendering); the chips and the dataset rules are the same. Cancel stops before the
    manifest is rewritten: chips already cut are kept as files and the next run reuses them."""
    data_dir = Path(data_dir)
    info, manifest = _read_dataset(data_dir)
    stats: Counter[str] = Counter()
    plans, confirmed_there = _plan(results, info, manifest, stats)
    added = _cut(plans, source, data_dir, info, min_valid, save_png, reporter or Reporter("callback"), cancelled, stats)
    relabeled = _relabel(data_dir, manifest, confirmed_there)
    rows = sorted(manifest + added, key=lambda r: r["file"])
    version = _write(data_dir, info, rows, added, relabeled, results, stats)
    return {
        "added": len(added),
        "relabeled": len(relabeled),
        "by_label": dict(Counter(r["label"] for r in added)),
        "by_split": dict(Counter(r["split"] for r in added)),
        "skipped": dict(stats),
        "dataset_version": version,
        "chips": len(rows),
    }


def _read_dataset(data_dir: Path) -> tuple[dict[str, Any], list[dict[str, str]]]:
    info_path = data_dir / DATASET_JSON
    if not info_path.is_file():
        raise InputError(
            f"{data_dir} has no {DATASET_JSON}: add reviewed tiles to a dataset made by 'Build training data…'."
        )
    info = json.loads(info_path.read_text(encoding="utf-8"))
    if info.get("centered"):
        raise InputError("This dataset has point-centred chips; reviewed tiles can only join grid datasets.")
    with (data_dir / MANIFEST).open(newline="", encoding="utf-8") as f:
        return info, list(csv.DictReader(f))


def _plan(
    results: Path, info: dict[str, Any], manifest: list[dict[str, str]], stats: Counter[str]
) -> tuple[list[ChipPlan], list[dict[str, Any]]]:
    """A chip per decided candidate not in the dataset yet, in the split its block already has
    (no leaks), or a new block's split by the dataset's seeded rule; and the confirmed
    candidates whose tile the dataset holds only as not-school (to relabel)."""
    key_zoom = ChipGeometry.from_record(info).key_zoom
    present: dict[str, set[str]] = {}
    for r in manifest:
        present.setdefault(r["tile"], set()).add(r["label"])
    levels = int((info.get("split") or {}).get("block_levels") or 0)
    block_split = {block_of(ChipPlan("", parse_tile_id(r["tile"]), r["label"]), levels): r["split"] for r in manifest}
    decided = {ReviewStatus.CONFIRMED.value: SCHOOL, ReviewStatus.REJECTED.value: NOT_SCHOOL}
    plans: list[ChipPlan] = []
    relabel: list[dict[str, Any]] = []
    for row in read_candidates(results):
        label = decided.get(row.get("status") or "")
        if label is None:
            continue
        tile = Tile(int(row["x"]), int(row["y"]), int(row["z"]))
        if tile.z != key_zoom:
            raise InputError(
                f"The scan's tiles are zoom {tile.z}; this dataset's chips are zoom {key_zoom}. "
                "Add them to a dataset of the model's own zoom."
            )
        if tile.id in present:
            if label == SCHOOL and present[tile.id] == {NOT_SCHOOL}:
                relabel.append(row)
            else:
                stats[f"already in the dataset as {'/'.join(sorted(present[tile.id]))}"] += 1
            continue
        origin = f"review-{row['status']}"
        plans.append(ChipPlan(f"{tile.file_stem}-rv", tile, label, [row["tile"]], row["lon"], row["lat"], origin))
    new = [p for p in plans if block_of(p, levels) not in block_split]
    for p in plans:
        p.split = block_split.get(block_of(p, levels), "")
    settings = info.get("settings", {})
    if new:
        assign_splits(new, tuple(settings.get("split", (0.7, 0.15, 0.15))), int(settings.get("seed", 0)), levels)
    return plans, relabel


def _relabel(data_dir: Path, manifest: list[dict[str, Any]], confirmed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Not-school chips of tiles a mapper confirmed as schools become school chips: the file
    moves to its split's school folder, the row says so (``origin`` keeps where it came from)."""
    by_tile = {row["tile"]: row for row in confirmed}
    changed = []
    for r in manifest:
        candidate = by_tile.get(r["tile"])
        if candidate is None or r["label"] != NOT_SCHOOL:
            continue
        old = data_dir / r["file"]
        new_file = str(Path(r["file"]).parent.parent / SCHOOL / Path(r["file"]).name).replace("\\", "/")
        if old.is_file():
            (data_dir / new_file).parent.mkdir(parents=True, exist_ok=True)
            replace_file(old, data_dir / new_file)
        r.update(file=new_file, label=SCHOOL, origin=f"{r['origin']}, then review-confirmed")
        changed.append({**r, "lon": candidate["lon"], "lat": candidate["lat"]})
    return changed


def _cut(
    plans: list[ChipPlan],
    source: Any,
    data_dir: Path,
    info: dict[str, Any],
    min_valid: float,
    save_png: Callable[[Any, Path], None],
    reporter: Reporter,
    cancelled: Callable[[], bool],
    stats: Counter[str],
) -> list[dict[str, Any]]:
    chip_px = ChipGeometry.from_record(info).chip_px
    img = imagery_id(source.describe())
    added: list[dict[str, Any]] = []
    for done, p in enumerate(plans):
        if cancelled():
            raise JobCancelled("Cancelled: the dataset is unchanged (chips cut so far are reused next time).")
        reporter.progress(done, len(plans), unit="chip", message="Cutting reviewed chips")
        chip = source.read(bounds_3857(p.tile), chip_px)
        if chip.valid_fraction < min_valid:
            stats["no imagery"] += 1
            continue
        target = data_dir / p.relative_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        save_png(chip.rgb, tmp)
        replace_file(tmp, target)
        added.append(
            {
                "tile": p.tile.id,
                "file": p.relative_path(),
                "split": p.split,
                "label": p.label,
                "origin": p.origin,
                "point_ids": ";".join(p.point_ids),
                "lon": f"{p.lon:.7f}",
                "lat": f"{p.lat:.7f}",
                "imagery": img,
                "valid_fraction": f"{chip.valid_fraction:.3f}",
            }
        )
    return added


def _write(
    data_dir: Path,
    info: dict[str, Any],
    rows: list[dict[str, Any]],
    added: list[dict[str, Any]],
    relabeled: list[dict[str, Any]],
    results: Path,
    stats: Counter[str],
) -> int:
    """The manifest and a new dataset version in dataset.json (atomically); returns the version.
    ``added``: new chips; ``relabeled``: not-school chips that are school chips now."""
    write_csv(data_dir / MANIFEST, MANIFEST_FIELDS, rows)
    changed = added + relabeled
    confirmed = [school_point(r["tile"], r["lon"], r["lat"], "review") for r in changed if r["label"] == SCHOOL]
    points = data_dir / SCHOOL_POINTS
    if confirmed and points.is_file():  # a dataset made before schools.csv: its manifest says it all
        with points.open(newline="", encoding="utf-8") as f:
            earlier = list(csv.DictReader(f))
        write_csv(points, SCHOOL_POINT_FIELDS, earlier + confirmed)
    counts = {s: dict.fromkeys(CLASSES, 0) for s in SPLITS}
    for r in rows:
        counts[r["split"]][r["label"]] += 1
    version = int(info.get("dataset_version", 1)) + (1 if changed else 0)
    info.update(
        counts=counts,
        chips=len(rows),
        dataset_version=version,
        fingerprint=fingerprint(f"{r['file']},{r['label']}" for r in rows),
    )
    info.setdefault("history", []).append(
        {
            "version": version,
            "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "added_from_review": len(added),
            "relabeled_school": [r["tile"] for r in relabeled],
            "source": str(results),
            "by_label": dict(Counter(r["label"] for r in changed)),
            "skipped": dict(stats),
        }
    )
    write_text(data_dir / DATASET_JSON, json.dumps(info, indent=2, default=str) + "\n")
    return version
