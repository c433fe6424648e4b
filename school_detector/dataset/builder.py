"""Cut chips for a plan and write the dataset folder, resumably.

Layout (what Sat-Xception users know)::

    OUT/{train,valid,test}/{school,not-school}/z-x-y.png
    OUT/manifest.csv     one row per chip written
    OUT/schools.csv      every school point the chips were cut for (labels, then schools
                         confirmed in review): a scan with the model sets them aside as known
    OUT/skipped.csv      chips left out, with the reason
    OUT/dataset.json     settings, imagery, counts, skipped, fingerprint, complete flag

Every chip is written to a temporary name and renamed, and the manifest and dataset.json are
rewritten atomically, so a killed or cancelled run leaves a consistent folder; running the same
command again reuses the chips already there and finishes the rest.
"""

from __future__ import annotations

import csv
import io
import json
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

from ..core.chip_plan import (
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
from ..core.errors import InputError, JobCancelled, NoChipsError
from ..core.files import replace_file, write_text
from ..core.imagery import imagery_id
from ..core.progress import Reporter
from ..core.tiles import Bounds, lonlat_to_xy
from ..imagery.base import Chip, ChipSource, ImageryError
from ..imagery.xyz import TileFetchError
from ..version import __version__

MANIFEST = "manifest.csv"
SKIPPED = "skipped.csv"
DATASET_JSON = "dataset.json"
SCHOOL_POINTS = "schools.csv"
SCHOOL_POINT_FIELDS = ("point_id", "lon", "lat", "origin")
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
    block_levels: int | None = None  # None: automatic (see core.chip_plan.auto_block_levels)
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


def labels_extent(points: Sequence[LabeledPoint], margin_m: float = 500.0) -> Bounds:
    xy = [lonlat_to_xy(p.lon, p.lat) for p in points]
    xs, ys = [p[0] for p in xy], [p[1] for p in xy]
    return Bounds(min(xs) - margin_m, min(ys) - margin_m, max(xs) + margin_m, max(ys) + margin_m)


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


class DatasetWriter:
    """Cuts a plan's chips and keeps the folder consistent while it does: each chip lands whole
    (a temporary name, then a rename), and :meth:`flush` rewrites the manifest, skipped.csv and
    dataset.json atomically, so a killed run leaves a folder the next run resumes."""

    def __init__(
        self,
        plans: list[ChipPlan],
        stats: PlanStats,
        source: ChipSource,
        out: Path,
        options: BuildOptions,
        block_levels: int,
        save_png: SavePng,
        source_notes: dict[str, Any] | None,
    ) -> None:
        self.plans, self.stats, self.source, self.out, self.options = plans, stats, source, out, options
        self.block_levels, self.save_png, self.source_notes = block_levels, save_png, source_notes
        self.created = not out.exists()
        check_writable(out)
        self.resumed = check_resumable(out, options)
        self.description = source.describe()
        self.img_id = imagery_id(self.description)
        self.rows: list[dict[str, Any]] = []
        self.skipped: list[dict[str, Any]] = []
        self.reused = 0

    # -- one chip -----------------------------------------------------------------------------
    def read(self, plan: ChipPlan) -> Chip | str:
        """A chip, or the reason it is skipped (imagery problems of one tile are not fatal)."""
        geometry = self.options.geometry
        bounds = plan.bounds(geometry.zoom, geometry.chip_px)
        ext = self.source.extent_3857()
        if ext is not None and (
            bounds.east <= ext.west or bounds.west >= ext.east or bounds.north <= ext.south or bounds.south >= ext.north
        ):
            return "outside imagery"
        try:
            return self.source.read(bounds, geometry.chip_px)
        except TileFetchError as exc:
            return f"fetch failed: {exc}"

    def skip(self, plan: ChipPlan, reason: str) -> None:
        self.skipped.append({"key": plan.key, "label": plan.label, "reason": reason, "lon": plan.lon, "lat": plan.lat})

    def handle(self, plan: ChipPlan, result: Chip | str) -> None:
        """Write a chip read for ``plan`` (or record why there is none)."""
        if isinstance(result, str):
            self.skip(plan, result)
            return
        if result.valid_fraction < self.options.min_valid_fraction:
            self.skip(plan, "no imagery" if result.valid_fraction == 0 else "mostly no-data")
            return
        target = self.out / plan.relative_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        try:
            self.save_png(result.rgb, tmp)
        except BaseException:
            tmp.unlink(missing_ok=True)  # a disk-full write leaves no partial file behind
            raise
        replace_file(tmp, target)
        self.rows.append(_row(plan, self.img_id, result.valid_fraction))

    def reuse(self, plan: ChipPlan) -> bool:
        """A chip an earlier run wrote is kept as it is."""
        if not (self.out / plan.relative_path()).exists():
            return False
        self.reused += 1
        self.rows.append(_row(plan, self.img_id, None))
        return True

    # -- the folder -----------------------------------------------------------------------------
    def flush(self, complete: bool) -> dict[str, Any]:
        rows = sorted(self.rows, key=lambda r: r["file"])
        write_csv(self.out / MANIFEST, MANIFEST_FIELDS, rows)
        write_csv(self.out / SKIPPED, ("key", "label", "reason", "lon", "lat"), self.skipped)
        info = self.info(rows, complete)
        write_text(self.out / DATASET_JSON, json.dumps(info, indent=2, default=str) + "\n")
        return info

    def info(self, rows: list[dict[str, Any]], complete: bool) -> dict[str, Any]:
        counts = {s: dict.fromkeys(CLASSES, 0) for s in SPLITS}
        for r in rows:
            counts[r["split"]][r["label"]] += 1
        geometry, options = self.options.geometry, self.options
        return {
            "format": DATASET_FORMAT,
            "format_version": DATASET_VERSION,
            "complete": complete,
            "dataset_version": 1,  # add-reviewed counts up from here
            **geometry.record(),
            "centered": geometry.centered,
            "classes": list(CLASSES),
            "positive_class": SCHOOL,
            "imagery": {"id": self.img_id, **self.description, **(self.source_notes or {})},
            "settings": options.settings(),
            "split": {"fractions": list(options.split), "seed": options.seed, "block_levels": self.block_levels},
            "counts": counts,
            "chips": len(rows),
            "planned": len(self.plans),
            "planned_counts": split_counts(self.plans),
            "reused": self.reused,
            "resumed": self.resumed,
            "skipped": dict(Counter(s["reason"].split(":")[0] for s in self.skipped)),
            "labels": self.stats.to_dict(),
            "fingerprint": fingerprint(f"{r['file']},{r['label']}" for r in rows),
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "versions": {"school_detector": __version__, "python": platform.python_version(), "numpy": np.__version__},
        }

    def nothing_cut(self) -> InputError:
        """Why no chip came out (and the folder this run created is removed)."""
        if self.created:
            shutil.rmtree(self.out, ignore_errors=True)  # nothing half-done left behind
        if not self.plans:
            return InputError(
                f"Nothing to cut: the {self.stats.points} labeled points gave no chip ({self.stats.conflicts} tiles "
                "had conflicting labels and were dropped). Check the label values, or keep conflicts with "
                "another conflict rule."
            )
        reasons = Counter(s["reason"].split(":")[0] for s in self.skipped)
        return NoChipsError(
            "No chip could be cut: "
            + ", ".join(f"{n} {r}" for r, n in reasons.items())
            + ". Are the points inside the imagery, and is the imagery readable there?"
        )

    # -- the run ------------------------------------------------------------------------------
    def cut(self, reporter: Reporter, cancelled: Callable[[], bool]) -> None:
        """Read chips in a pool (a bounded window of them in flight) and write them in plan order."""
        workers = max(1, self.options.workers)
        total = len(self.plans)
        write_every = max(50, total // 20)
        done = 0
        with ThreadPoolExecutor(max_workers=workers) as pool:
            pending: list[tuple[ChipPlan, Future[Chip | str]]] = []
            queue = iter(self.plans)
            exhausted = False
            while pending or not exhausted:
                while not exhausted and len(pending) < 2 * workers:
                    plan = next(queue, None)
                    if plan is None:
                        exhausted = True
                    elif self.reuse(plan):
                        done += 1
                    else:
                        pending.append((plan, pool.submit(self.read, plan)))
                if not pending:
                    break
                plan, fut = pending.pop(0)
                self.handle(plan, fut.result())
                done += 1
                reporter.progress(done, total, unit="chip", message="Cutting chips")
                if done % write_every == 0:
                    self.flush(complete=False)
                if cancelled():
                    for _, f in pending:
                        f.cancel()
                    raise JobCancelled("Cancelled; the chips written so far are kept and a re-run resumes.")


def write_csv(path: Path, fields: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
    """A CSV table written atomically (a manifest is whole or not changed)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_text(path, buf.getvalue())


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
    writer = DatasetWriter(plans, stats, source, out, options, block_levels, save_png, source_notes)
    reporter.log(
        f"{len(plans)} chips planned ({stats.duplicates} duplicate points merged, {stats.conflicts} conflicting "
        f"tiles {'dropped' if options.conflict_rule == 'drop' else 'resolved'}, {stats.background} background)"
    )
    writer.flush(complete=False)  # from the first chip on, a killed run leaves a folder the next run resumes
    write_csv(
        out / SCHOOL_POINTS,
        SCHOOL_POINT_FIELDS,
        [school_point(p.pid, p.lon, p.lat, "label") for p in points if p.label == SCHOOL],
    )  # each labeled school as given: two schools in one tile stay two, a tile labeled both ways keeps its school
    try:
        writer.cut(reporter, cancelled)
    except (JobCancelled, KeyboardInterrupt, ImageryError, OSError):
        writer.flush(complete=False)  # a consistent, resumable folder whatever stopped us
        raise
    reporter.progress(len(plans), len(plans), unit="chip", message="Cutting chips", force=True)
    if not writer.rows:
        raise writer.nothing_cut()
    info = writer.flush(complete=True)
    write_footprints(out, sorted(writer.rows, key=lambda r: r["file"]), options.geometry)
    return info


def school_point(point_id: str, lon: float, lat: float, origin: str) -> dict[str, str]:
    return {"point_id": point_id, "lon": f"{float(lon):.7f}", "lat": f"{float(lat):.7f}", "origin": origin}


def read_school_points(folder: Path) -> list[tuple[float, float]] | None:
    """The dataset's school points (lon, lat), or None for a dataset made before they were kept."""
    path = Path(folder) / SCHOOL_POINTS
    if not path.is_file():
        return None
    with path.open(newline="", encoding="utf-8") as f:
        return [(float(r["lon"]), float(r["lat"])) for r in csv.DictReader(f) if r.get("lon") and r.get("lat")]


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


def read_dataset_folder(folder: Path) -> dict[str, dict[str, list[Path]]]:
    """Image files per split and class of any dataset folder, ours or Sat-Xception's
    (``not_school/`` and friends are read as ``not-school``). A ``splits.json`` in the folder
    names split folders that live elsewhere (``sat_xception -train=DIR -valid=DIR``: no
    symbolic links, which Windows allows only to administrators)."""
    folder = Path(folder)
    elsewhere = folder / SPLITS_JSON
    named = json.loads(elsewhere.read_text(encoding="utf-8")) if elsewhere.is_file() else {}
    out: dict[str, dict[str, list[Path]]] = {}
    for split in SPLITS:
        sdir = Path(named[split]) if split in named else folder / split
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
#: split name -> folder, for a dataset whose split folders live elsewhere (read_dataset_folder)
SPLITS_JSON = "splits.json"


def write_footprints(out: Path, rows: Sequence[dict[str, Any]], geometry: ChipGeometry) -> Path:
    """``chips.gpkg``: every chip's footprint (EPSG:3857) with split, label and file, so the
    dataset can be inspected on the map."""
    from ..core.chip_plan import ChipPlan
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
    replace_file(tmp, target)
    return target
