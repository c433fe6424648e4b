"""``school-detector chips``: labeled points + imagery -> chip dataset folder."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from ..core.errors import InputError
from ..core.progress import Reporter
from . import cancel


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "chips",
        parents=[common],
        help="build a training dataset of image chips from labeled points",
        description="Cut one chip per labeled tile from imagery into OUT/{train,valid,test}/"
        "{school,not-school}/z-x-y.png with manifest.csv and dataset.json.",
    )
    p.add_argument(
        "--imagery", required=True, help="GeoTIFF/COG/VRT path, or XYZ URL template https://host/{z}/{x}/{y}.png"
    )
    p.add_argument("--labels", type=Path, help="points (GeoPackage, GeoJSON or CSV lon,lat,label) with a class field")
    p.add_argument("--layer", help="GeoPackage layer name (default: 'labels' or the first layer)")
    p.add_argument("--label-field", default="label", help="class field (default: label)")
    p.add_argument("--positive-values", default="school", help="comma-separated values meaning school")
    p.add_argument(
        "--negative-values", default=None, help="comma-separated values meaning not-school (default: every other value)"
    )
    p.add_argument("--positives", type=Path, help="a file whose features are all schools (instead of --labels)")
    p.add_argument("--negatives", type=Path, help="a file whose features are all not-school")
    p.add_argument("--zoom", type=int, default=18, help="tile zoom (default 18, ~0.6 m/px at the equator)")
    p.add_argument("--supertile", action="store_true", help="512 px chips: the zoom-1 tile from its 4 children")
    p.add_argument("--centered", action="store_true", help="centre chips on the points instead of the tile grid")
    p.add_argument("--split", default="0.7,0.15,0.15", help="train,valid,test fractions (default 0.7,0.15,0.15)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--conflicts",
        choices=("drop", "school", "not-school"),
        default="drop",
        help="a tile labeled both ways: drop it (default) or let one class win",
    )
    p.add_argument(
        "--background-ratio",
        type=float,
        default=0.0,
        help="random not-school tiles per school chip, away from schools (default 0)",
    )
    p.add_argument(
        "--background-distance",
        type=float,
        default=300.0,
        help="minimum distance in metres from any school for background tiles (default 300)",
    )
    p.add_argument(
        "--block-levels",
        type=int,
        default=None,
        help="split blocks are the tiles' ancestors this many zooms up (3: 8x8 tiles; default: the coarsest "
        "level that still gives 24 blocks)",
    )
    p.add_argument(
        "--min-valid",
        type=float,
        default=0.8,
        help="skip chips with less than this fraction of real imagery (default 0.8)",
    )
    p.add_argument(
        "--header",
        action="append",
        default=[],
        help="HTTP header for XYZ, 'Name: value'; ${ENV_VAR} in the value is expanded",
    )
    p.add_argument("--cache", type=Path, default=None, help="XYZ tile cache folder (default OUT/.tile-cache)")
    p.add_argument("--workers", type=int, default=4, help="parallel reads (default 4)")
    p.add_argument("--insecure", action="store_true", help="don't verify TLS certificates (not recommended)")
    p.add_argument("--out", required=True, type=Path, help="output dataset folder")
    p.set_defaults(run=run)


def load_points(args: argparse.Namespace) -> tuple[list[Any], int]:
    from ..core.chip_plan import NOT_SCHOOL, SCHOOL
    from ..dataset.labels_io import LabelMapping, read_labels

    if args.labels and (args.positives or args.negatives):
        raise InputError("Use either --labels (one layer with a class field) or --positives/--negatives.")
    if args.labels:
        mapping = LabelMapping(
            args.label_field,
            [v for v in args.positive_values.split(",") if v],
            args.negative_values.split(",") if args.negative_values else None,
        )
        return read_labels(args.labels, mapping, layer=args.layer)
    if not (args.positives or args.negatives):
        raise InputError("Give the labels: --labels FILE, or --positives FILE and/or --negatives FILE.")
    points, unlabeled = [], 0
    for path, label in ((args.positives, SCHOOL), (args.negatives, NOT_SCHOOL)):
        if path:
            pts, n = read_labels(path, fixed_label=label, layer=args.layer)
            points += [type(p)(f"{label}-{p.pid}", p.lon, p.lat, p.label) for p in pts]
            unlabeled += n
    return points, unlabeled


def run(args: argparse.Namespace, reporter: Reporter) -> dict[str, Any]:
    from ..core.chip_plan import ChipGeometry, parse_split
    from ..dataset.builder import BuildOptions, build_dataset
    from ..imagery.open import open_source

    points, unlabeled = load_points(args)
    if unlabeled:
        reporter.log(f"{unlabeled} features have no mapped class value and were left out", "warning")
    options = BuildOptions(
        geometry=ChipGeometry(zoom=args.zoom, supertile=args.supertile, centered=args.centered),
        split=parse_split(args.split),
        seed=args.seed,
        conflict_rule=args.conflicts,
        background_ratio=args.background_ratio,
        background_distance_m=args.background_distance,
        min_valid_fraction=args.min_valid,
        workers=args.workers,
        block_levels=args.block_levels,
    )
    cache = args.cache if args.cache is not None else args.out / ".tile-cache"
    source = open_source(
        args.imagery, args.header, cache_dir=cache, concurrency=args.workers, verify_tls=not args.insecure
    )
    start = time.perf_counter()
    try:
        cancel.cooperate()
        info = build_dataset(points, source, args.out, options, reporter, cancelled=cancel.requested)
    finally:
        source.close()
    elapsed = time.perf_counter() - start
    cut = info["chips"] - info["reused"]
    info["seconds"] = round(elapsed, 2)
    info["chips_per_s"] = round(cut / elapsed, 1) if elapsed > 0 and cut else None
    info["unlabeled_features"] = unlabeled
    info["out"] = str(Path(args.out).resolve())
    return info
