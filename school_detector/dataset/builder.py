"""Cut chips for a plan and write the dataset folder, resumably.

Layout (what Sat-Xception users know)::

    OUT/{train,valid,test}/{school,not-school}/z-x-y.png
    OUT/manifest.csv     one row per chip written
    OUT/skipped.csv      chips left out, with the reason
    OUT/dataset.json     settings, imagery, counts, skipped, fingerprint, complete flag

Every chip is written to a temporary name and renamed, and the manifest and dataset.json are
rewritten atomically, so a killed or cancelled run leaves a consistent folder; running the same
command again reuses the chips already there and finishes the rest.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import platform
import shutil
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from ..core.dataset import (
    CLASSES,
    DATASET_FORMAT,
    DATASET_VERSION,
    NOT_SCHOOL_ALIASES,
    SCHOOL,
    SPLITS,
    ChipGeometry,
    ChipPlan,
    LabeledPoint,
    PlanStats,
    add_background,
    assign_splits,
    fingerprint,
    plan_chips,
    split_counts,
)
from ..core.errors import InputError, JobCancelled
from ..core.progress import Reporter
from ..core.tiles import Bounds, lonlat_to_xy
from ..imagery.base import Chip, ChipSource, ImageryError
from ..imagery.xyz import TileFetchError
from ..version import __version__

MANIFEST = "manifest.csv"
SKIPPED = "skipped.csv"
DATASET_JSON = "dataset.json"
MANIFEST_FIELDS = ("tile", "file", "split", "label", "origin", "point_ids", "lon", "lat", "imagery", "valid_fraction")

SavePng = Callable[[np.ndarray, Path], None]


@dataclass
class BuildOptions:
    geometry: ChipGeometry = field(default_factory=ChipGeometry)
    split: tuple[float, float, float] = (0.7, 0.15, 0.15)
    seed: int = 0
    conflict_rule: str = "drop"
    background_ratio: float = 0.0
    background_distance_m: float = 300.0
    min_valid_fraction: float = 0.8
    block_levels: int | None = None  # None: automatic (see core.dataset.auto_block_levels)
    workers: int = 4

    def settings(self) -> dict[str, Any]:
        """What must match for a folder to be resumed rather than mixed with another dataset."""
        return {
            "geometry": asdict(self.geometry),
            "split": list(self.split),
            "seed": self.seed,
            "conflict_rule": self.conflict_rule,
            "background_ratio": self.background_ratio,
            "background_distance_m": self.background_distance_m,
            "block_levels": self.block_levels,
        }


def pil_save_png(rgb: np.ndarray, path: Path) -> None:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(buf, format="PNG", compress_level=3)
    path.write_bytes(buf.getvalue())


def imagery_id(description: dict[str, Any]) -> str:
    return hashlib.sha1(json.dumps(description, sort_keys=True, default=str).encode()).hexdigest()[:10]


def labels_extent(points: Sequence[LabeledPoint], margin_m: float = 500.0) -> Bounds:
    xy = [lonlat_to_xy(p.lon, p.lat) for p in points]
    xs, ys = [p[0] for p in xy], [p[1] for p in xy]
    return Bounds(min(xs) - margin_m, min(ys) - margin_m, max(xs) + margin_m, max(ys) + margin_m)


def atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def check_writable(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise InputError(
            f"Cannot write to the output folder {out}: {exc.strerror or exc}. Choose a folder you can write to."
        ) from exc


def check_resumable(out: Path, options: BuildOptions) -> bool:
    """True when ``out`` holds a dataset made with the same settings (resume); refuse others."""
    path = out / DATASET_JSON
    if not path.exists():
        stray = [p for p in SPLITS if (out / p).exists()]
        if stray:
            raise InputError(
                f"{out} already has {', '.join(stray)}/ folders but no {DATASET_JSON}; "
                "choose an empty folder so datasets don't mix."
            )
        return False
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path} is unreadable; choose another output folder.", str(exc)) from exc
    if old.get("settings") != options.settings():
        raise InputError(
            f"{out} holds a dataset built with other settings (zoom, split, seed…). "
            "Choose an empty folder, or the same settings to resume it."
        )
    return True


def build_dataset(
    points: Sequence[LabeledPoint],
    source: ChipSource,
    out: Path,
    options: BuildOptions,
    reporter: Reporter | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    save_png: SavePng = pil_save_png,
    source_notes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Plan, cut and write; returns the dataset.json content. Raises JobCancelled on cancel
    after writing a consistent, resumable folder."""
    reporter = reporter or Reporter("text")
    out = Path(out)
    plans, stats = plan_chips(points, options.geometry, options.conflict_rule)
    extent = source.extent_3857() or labels_extent(points)
    stats.background = add_background(
        plans, options.geometry, extent, options.background_ratio, options.background_distance_m, options.seed
    )
    block_levels = assign_splits(plans, options.split, options.seed, options.block_levels)
    created = not out.exists()
    check_writable(out)
    resumed = check_resumable(out, options)
    description = source.describe()
    img_id = imagery_id(description)
    geometry = options.geometry
    rows: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    reused = 0
    total = len(plans)
    reporter.log(
        f"{total} chips planned ({stats.duplicates} duplicate points merged, {stats.conflicts} conflicting "
        f"tiles {'dropped' if options.conflict_rule == 'drop' else 'resolved'}, {stats.background} background)"
    )

    def flush(complete: bool) -> dict[str, Any]:
        return _write_outputs(
            out,
            rows,
            skipped,
            plans,
            stats,
            options,
            description,
            img_id,
            reused,
            resumed,
            complete,
            source_notes,
            block_levels,
        )

    def read(plan: ChipPlan) -> Chip | str:
        """A chip, or the reason it is skipped (imagery problems of one tile are not fatal)."""
        bounds = plan.bounds(geometry.zoom, geometry.chip_px)
        ext = source.extent_3857()
        if ext is not None and (
            bounds.east <= ext.west or bounds.west >= ext.east or bounds.north <= ext.south or bounds.south >= ext.north
        ):
            return "outside imagery"
        try:
            return source.read(bounds, geometry.chip_px)
        except TileFetchError as exc:
            return f"fetch failed: {exc}"

    def handle(plan: ChipPlan, result: Chip | str) -> None:
        nonlocal reused
        target = out / plan.relative_path()
        if isinstance(result, str):
            skipped.append({"key": plan.key, "label": plan.label, "reason": result, "lon": plan.lon, "lat": plan.lat})
            return
        if result.valid_fraction < options.min_valid_fraction:
            reason = "no imagery" if result.valid_fraction == 0 else "mostly no-data"
            skipped.append({"key": plan.key, "label": plan.label, "reason": reason, "lon": plan.lon, "lat": plan.lat})
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        try:
            save_png(result.rgb, tmp)
        except BaseException:
            tmp.unlink(missing_ok=True)  # a disk-full write leaves no partial file behind
            raise
        os.replace(tmp, target)
        rows.append(_row(plan, img_id, result.valid_fraction))

    done = 0
    write_every = max(50, total // 20)
    flush(complete=False)  # from the first chip on, a killed run leaves a folder the next run resumes
    try:
        with ThreadPoolExecutor(max_workers=max(1, options.workers)) as pool:
            pending: list[tuple[ChipPlan, Future[Chip | str]]] = []
            queue = iter(plans)
            exhausted = False
            while pending or not exhausted:
                while not exhausted and len(pending) < 2 * max(1, options.workers):
                    plan = next(queue, None)
                    if plan is None:
                        exhausted = True
                        break
                    if (out / plan.relative_path()).exists():
                        reused += 1
                        rows.append(_row(plan, img_id, None))
                        done += 1
                        continue
                    pending.append((plan, pool.submit(read, plan)))
                if not pending:
                    break
                plan, fut = pending.pop(0)
                handle(plan, fut.result())
                done += 1
                reporter.progress(done, total, unit="chip", message="Cutting chips")
                if done % write_every == 0:
                    flush(complete=False)
                if cancelled():
                    for _, f in pending:
                        f.cancel()
                    raise JobCancelled("Cancelled; the chips written so far are kept and a re-run resumes.")
    except (JobCancelled, KeyboardInterrupt, ImageryError, OSError):
        flush(complete=False)  # a consistent, resumable folder whatever stopped us
        raise
    reporter.progress(total, total, unit="chip", message="Cutting chips", force=True)
    if not rows:
        if created:
            shutil.rmtree(out, ignore_errors=True)  # nothing half-done left behind
        if not plans:
            raise InputError(
                f"Nothing to cut: the {stats.points} labeled points gave no chip ({stats.conflicts} tiles had "
                "conflicting labels and were dropped). Check the label values, or keep conflicts with "
                "another conflict rule."
            )
        reasons = Counter(s["reason"].split(":")[0] for s in skipped)
        raise InputError(
            "No chip could be cut: "
            + ", ".join(f"{n} {r}" for r, n in reasons.items())
            + ". Are the points inside the imagery, and is the imagery readable there?"
        )
    info = flush(complete=True)
    write_footprints(out, sorted(rows, key=lambda r: r["file"]), geometry)
    return info


def _row(plan: ChipPlan, img_id: str, valid: float | None) -> dict[str, Any]:
    return {
        "tile": plan.tile.id,
        "file": plan.relative_path(),
        "split": plan.split,
        "label": plan.label,
        "origin": plan.origin,
        "point_ids": ";".join(plan.point_ids),
        "lon": f"{plan.lon:.7f}",
        "lat": f"{plan.lat:.7f}",
        "imagery": img_id,
        "valid_fraction": "" if valid is None else f"{valid:.3f}",
    }


def _write_outputs(
    out: Path,
    rows: list[dict[str, Any]],
    skipped: list[dict[str, Any]],
    plans: list[ChipPlan],
    stats: PlanStats,
    options: BuildOptions,
    description: dict[str, Any],
    img_id: str,
    reused: int,
    resumed: bool,
    complete: bool,
    source_notes: dict[str, Any] | None,
    block_levels: int,
) -> dict[str, Any]:
    rows = sorted(rows, key=lambda r: r["file"])
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=MANIFEST_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(out / MANIFEST, buf.getvalue())
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=("key", "label", "reason", "lon", "lat"), lineterminator="\n")
    writer.writeheader()
    writer.writerows(skipped)
    atomic_write_text(out / SKIPPED, buf.getvalue())
    counts = {s: dict.fromkeys(CLASSES, 0) for s in SPLITS}
    for r in rows:
        counts[r["split"]][r["label"]] += 1
    geometry = options.geometry
    info = {
        "format": DATASET_FORMAT,
        "format_version": DATASET_VERSION,
        "complete": complete,
        "dataset_version": 1,  # add-reviewed counts up from here
        "zoom": geometry.zoom,
        "tile_size": geometry.tile_size,
        "chip_size": geometry.chip_px,
        "supertile": geometry.supertile,
        "centered": geometry.centered,
        "classes": list(CLASSES),
        "positive_class": SCHOOL,
        "imagery": {"id": img_id, **description, **(source_notes or {})},
        "settings": options.settings(),
        "split": {"fractions": list(options.split), "seed": options.seed, "block_levels": block_levels},
        "counts": counts,
        "chips": len(rows),
        "planned": len(plans),
        "planned_counts": split_counts(plans),
        "reused": reused,
        "resumed": resumed,
        "skipped": dict(Counter(s["reason"].split(":")[0] for s in skipped)),
        "labels": stats.to_dict(),
        "fingerprint": fingerprint(f"{r['file']},{r['label']}" for r in rows),
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": {"school_detector": __version__, "python": platform.python_version(), "numpy": np.__version__},
    }
    atomic_write_text(out / DATASET_JSON, json.dumps(info, indent=2, default=str) + "\n")
    return info


def read_dataset_folder(folder: Path) -> dict[str, dict[str, list[Path]]]:
    """Image files per split and class of any dataset folder, ours or Sat-Xception's
    (``not_school/`` and friends are read as ``not-school``)."""
    folder = Path(folder)
    out: dict[str, dict[str, list[Path]]] = {}
    for split in SPLITS:
        sdir = folder / split
        if not sdir.is_dir():
            continue
        out[split] = {c: [] for c in CLASSES}
        for cdir in sorted(p for p in sdir.iterdir() if p.is_dir()):
            name = cdir.name.lower()
            cls = SCHOOL if name == SCHOOL else ("not-school" if name in NOT_SCHOOL_ALIASES else None)
            if cls is None:
                continue
            out[split][cls].extend(
                sorted(
                    p
                    for p in cdir.iterdir()
                    if p.suffix.lower() in (".png", ".jpg", ".jpeg") and not p.name.startswith(".")
                )
            )
    if not out:
        raise InputError(f"{folder} has no train/, valid/ or test/ folder: it is not a chip dataset.")
    return out


FOOTPRINTS_GPKG = "chips.gpkg"


def write_footprints(out: Path, rows: Sequence[dict[str, Any]], geometry: ChipGeometry) -> Path:
    """``chips.gpkg``: every chip's footprint (EPSG:3857) with split, label and file, so the
    dataset can be inspected on the map."""
    from ..core.dataset import ChipPlan
    from ..core.gpkg import GeoPackage
    from ..core.tiles import parse_tile_id

    target = out / FOOTPRINTS_GPKG
    tmp = out / f".{FOOTPRINTS_GPKG}.tmp"
    tmp.unlink(missing_ok=True)
    features = []
    for r in rows:
        plan = ChipPlan("", parse_tile_id(r["tile"]), r["label"])
        if geometry.centered:
            plan.center_xy = lonlat_to_xy(float(r["lon"]), float(r["lat"]))
        b = plan.bounds(geometry.zoom, geometry.chip_px)
        ring = [(b.west, b.south), (b.east, b.south), (b.east, b.north), (b.west, b.north), (b.west, b.south)]
        features.append(([ring], {k: r[k] for k in ("file", "split", "label", "origin", "tile")}))
    with GeoPackage(tmp) as g:
        g.create_feature_table(
            "chips",
            "POLYGON",
            3857,
            [(k, "TEXT") for k in ("file", "split", "label", "origin", "tile")],
            description="Footprints of the chips in this dataset",
        )
        g.insert_features("chips", features)
    os.replace(tmp, target)
    return target
