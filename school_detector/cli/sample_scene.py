"""``school-detector sample-scene``: write the demo/test scene (GeoTIFF + labels GeoPackage)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..core.progress import Reporter


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("sample-scene", parents=[common], help="generate the sample scene with known schools")
    p.add_argument("--out", required=True, type=Path, help="output folder (scene.tif, labels.gpkg, scene.json)")
    p.add_argument("--tiles", type=int, default=16, help="scene width in zoom-18 tiles (default 16: ~6 km²)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--schools", type=int, default=None, help="number of schools (default: one per ~6 tiles)")
    p.add_argument(
        "--layout",
        choices=("town", "district"),
        default="town",
        help="town: houses everywhere; district: villages among fields and empty land, with a district outline",
    )
    p.add_argument("--force", action="store_true", help="rewrite even if an identical scene is there")
    p.add_argument("--xyz-tiles", action="store_true", help="also write tiles/{z}/{x}/{y}.png (an XYZ source)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, reporter: Reporter) -> dict[str, Any]:
    from ..sample.scene import SCENE_TIF, SceneSpec, write_scene, write_xyz_tiles  # numpy/rasterio: only now

    spec = SceneSpec(tiles=args.tiles, seed=args.seed, schools=args.schools, layout=args.layout)
    reporter.progress(0, 1, unit="scene", message="Drawing the scene", force=True)
    meta = write_scene(spec, args.out, force=args.force)
    reporter.progress(1, 1, unit="scene", message="Scene written", force=True)
    meta["out"] = str(Path(args.out).resolve())
    if args.xyz_tiles:
        tiles = Path(args.out) / "tiles"
        meta["xyz_tiles"] = write_xyz_tiles(Path(args.out) / SCENE_TIF, tiles, spec.zoom)
        meta["xyz_template"] = tiles.resolve().as_uri() + "/{z}/{x}/{y}.png"
    return meta
