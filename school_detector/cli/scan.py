"""``school-detector scan`` and ``school-detector merge``."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from ..core.distances import KNOWN_DISTANCE_M
from ..core.errors import InputError
from ..core.progress import Reporter
from ..inference.backend import BACKENDS
from . import cancel


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "scan",
        parents=[common],
        help="scan a region tile by tile and write candidate schools",
        description="Scores every tile of a region with a model (in-process, or through TF Serving) "
        "and writes a GeoPackage of scores and candidates. Resumable and shardable.",
    )
    p.add_argument("--imagery", required=True, help="GeoTIFF/COG/VRT path or XYZ URL template")
    _region_and_model(p)
    _places(p.add_argument_group("what is worth a visit"))
    p.add_argument("--resume", action="store_true", help="continue a scan into the same file (skip scored tiles)")
    p.add_argument("--shard", default="0/1", help="I/N: scan every N-th tile starting at I (N machines, one region)")
    p.add_argument("--out", required=True, type=Path, help="results GeoPackage")
    p.set_defaults(run=run_scan)
    _review_commands(sub, common)


def _region_and_model(p: argparse.ArgumentParser) -> None:
    region = p.add_mutually_exclusive_group()
    region.add_argument("--bbox", help="W,S,E,N (in --bbox-crs)")
    region.add_argument("--region", type=Path, help="GeoJSON or GeoPackage of polygons (e.g. districts)")
    p.add_argument("--bbox-crs", default="EPSG:4326")
    p.add_argument("--region-layer", default=None, help="GeoPackage layer of --region")
    p.add_argument("--model", type=Path, help="model folder: in-process prediction (and chip settings)")
    p.add_argument(
        "--backend",
        choices=BACKENDS,
        default="auto",
        help="in-process engine: onnx (the model's ONNX copy on ONNX Runtime), tensorflow (its SavedModel), "
        "or auto (default: ONNX Runtime when the model has a copy and it is installed)",
    )
    p.add_argument("--serving-url", help="TF Serving REST base URL, e.g. http://host:8501")
    p.add_argument("--serving-grpc", help="TF Serving gRPC target HOST:PORT (port 8500), instead of --serving-url")
    p.add_argument("--grpc-tls", action="store_true", help="use TLS for --serving-grpc")
    p.add_argument("--model-name", help="served model name (default: the model card's)")
    p.add_argument("--model-version", type=int, default=None)
    p.add_argument("--model-label", default=None)
    p.add_argument(
        "--serving-header",
        action="append",
        default=[],
        help="HTTP header for TF Serving, 'Name: value'; ${ENV_VAR} is expanded (keep keys out of argv)",
    )
    p.add_argument("--zoom", type=int, default=None, help="without --model: the model's zoom (default 18)")
    p.add_argument("--supertile", action="store_true", help="without --model: the model takes supertiles")
    p.add_argument("--threshold", type=float, default=None, help="candidate threshold (default: the card's)")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--workers", type=int, default=4, help="parallel imagery reads (default 4)")
    p.add_argument("--concurrency", type=int, default=4, help="REST requests in flight (default 4)")
    p.add_argument("--timeout", type=float, default=60.0, help="REST timeout in seconds")
    p.add_argument("--insecure", action="store_true", help="don't verify TLS certificates")
    p.add_argument("--header", action="append", default=[], help="HTTP header for XYZ imagery")
    p.add_argument("--min-valid", type=float, default=0.5, help="skip tiles with less imagery than this")


def _places(p: Any) -> None:
    p.add_argument(
        "--known-schools",
        type=Path,
        help="schools already mapped (GeoPackage, GeoJSON, CSV lon/lat, or a dataset folder): candidates on "
        "them are marked 'known' and left out of the review",
    )
    p.add_argument("--known-layer", default=None, help="GeoPackage layer of --known-schools")
    p.add_argument(
        "--no-training-schools",
        dest="training_schools",
        action="store_false",
        help="don't count the schools of the model's dataset as known (they are, by default, when the dataset "
        "is on this computer)",
    )
    p.add_argument(
        "--known-field", default="label", help="class field of --known-schools (without it, every feature counts)"
    )
    p.add_argument("--known-values", default="school", help="comma-separated values of --known-field meaning school")
    p.add_argument(
        "--known-distance",
        type=float,
        default=KNOWN_DISTANCE_M,
        help="metres between a candidate's point and a known school's for it to be that school "
        f"(default {KNOWN_DISTANCE_M:g})",
    )
    p.add_argument(
        "--buildings",
        type=Path,
        help="buildings (footprints or points: GeoPackage, GeoJSON, CSV) or a built-up raster (non-zero = built): "
        "tiles without a building are not fetched nor scored",
    )
    p.add_argument("--buildings-layer", default=None, help="GeoPackage layer of --buildings")


def _review_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    x = sub.add_parser("export", parents=[common], help="export reviewed candidates (e.g. confirmed schools)")
    x.add_argument("--results", required=True, type=Path, help="results GeoPackage of a scan")
    x.add_argument("--status", default="confirmed", help="comma-separated statuses to export (default confirmed)")
    x.add_argument("--format", choices=("geojson", "gpkg", "csv"), default="geojson")
    x.add_argument("--footprint", action="store_true", help="tile polygons instead of points")
    x.add_argument(
        "--one-per-place",
        "--one-per-site",  # its name before 0.3
        dest="one_per_place",
        action="store_true",
        help="one row per place: the candidates of one status that are one school seen from several tiles "
        "(the review dock's rule) become one, at the place's point",
    )
    x.add_argument("--out", required=True, type=Path)
    x.set_defaults(run=run_export_reviewed)

    r = sub.add_parser(
        "add-reviewed",
        parents=[common],
        help="add confirmed/rejected candidates to a dataset as school/not-school chips",
    )
    r.add_argument("--results", required=True, type=Path)
    r.add_argument("--imagery", required=True, help="the imagery the candidates were scanned on")
    r.add_argument("--data", required=True, type=Path, help="an existing dataset folder (with dataset.json)")
    r.add_argument("--header", action="append", default=[], help="HTTP header for XYZ imagery")
    r.set_defaults(run=run_add_reviewed)

    m = sub.add_parser(
        "merge",
        parents=[common],
        help="merge result GeoPackages: scan shards, or mappers' reviewed copies of one scan",
    )
    m.add_argument("inputs", nargs="+", type=Path)
    m.add_argument("--out", required=True, type=Path)
    m.set_defaults(run=run_merge)


def run_scan(args: argparse.Namespace, reporter: Reporter) -> dict[str, Any]:
    from ..scan.job import ScanJob

    job = ScanJob(scan_request(args))
    cancel.cooperate()
    return job.run(reporter, cancel.requested)


def predictor_spec(args: argparse.Namespace) -> Any:
    """The predictor a scan's flags ask for: the model in this process, or an endpoint."""
    from ..imagery.xyz import parse_headers
    from ..scan.job import PredictorSpec

    if not args.model and not args.serving_url and not args.serving_grpc:
        raise InputError("Give --model MODEL_DIR (in-process), --serving-url URL or --serving-grpc HOST:PORT.")
    if args.serving_url and args.serving_grpc:
        raise InputError("Use either --serving-url (REST) or --serving-grpc, not both.")
    if not args.serving_url and not args.serving_grpc:
        return PredictorSpec("model", args.model, backend=args.backend)
    if not args.model_name and not args.model:
        raise InputError("Give --model-name (or --model for its card).")
    return PredictorSpec(
        "grpc" if args.serving_grpc else "rest",
        args.model,
        url=args.serving_grpc or args.serving_url,
        name=args.model_name,
        version=args.model_version,
        label=args.model_label,
        headers=parse_headers(args.serving_header),
        verify_tls=not args.insecure,
        grpc_tls=args.grpc_tls,
        timeout=args.timeout,
        concurrency=args.concurrency,
    )


def scan_request(args: argparse.Namespace) -> Any:
    from ..imagery.open import open_source
    from ..scan.buildings import BuildingsSource
    from ..scan.job import ScanRequest
    from ..scan.known import read_known
    from ..scan.region import parse_bbox, read_region
    from ..scan.scanner import parse_shard

    spec = predictor_spec(args)
    polygons = None
    if args.bbox:
        polygons = parse_bbox(args.bbox, args.bbox_crs)
    elif args.region:
        polygons = read_region(args.region, args.region_layer)
    source = open_source(
        args.imagery, args.header, cache_dir=args.out.parent / ".tile-cache", concurrency=args.workers,
        verify_tls=not args.insecure,
    )  # fmt: skip
    return ScanRequest(
        source,
        args.out,
        spec,
        polygons=polygons,
        region=args.bbox or (str(args.region) if args.region else "imagery extent"),
        threshold=args.threshold,
        zoom=args.zoom,
        supertile=args.supertile,
        batch_size=args.batch_size,
        workers=args.workers,
        min_valid=args.min_valid,
        shard=parse_shard(args.shard),
        resume=args.resume,
        known=None
        if args.known_schools is None
        else read_known(
            args.known_schools,
            args.known_field,
            [v.strip() for v in args.known_values.split(",") if v.strip()],
            args.known_layer,
            args.known_distance,
        ),
        training_schools=args.training_schools,
        buildings=None if args.buildings is None else BuildingsSource(args.buildings, args.buildings_layer),
    )


def run_merge(args: argparse.Namespace, reporter: Reporter) -> dict[str, Any]:
    from ..scan.store import merge

    if args.out.exists():
        raise InputError(f"{args.out} exists; merge into a new file.")
    counts = merge(args.out, args.inputs)
    reporter.log(f"Merged {len(args.inputs)} files into {args.out}")
    return {"out": str(args.out), **counts, "pid": os.getpid()}


def run_export_reviewed(args: argparse.Namespace, reporter: Reporter) -> dict[str, Any]:
    from ..review.export import export

    return export(
        args.results,
        args.out,
        args.format,
        [v.strip() for v in args.status.split(",") if v.strip()],
        args.footprint,
        args.one_per_place,
    )


def run_add_reviewed(args: argparse.Namespace, reporter: Reporter) -> dict[str, Any]:
    from ..imagery.open import open_source
    from ..review.add_reviewed import add_reviewed

    source = open_source(args.imagery, args.header, cache_dir=args.data / ".tile-cache")
    try:
        return add_reviewed(args.results, source, args.data)
    finally:
        source.close()
