"""`make bench`: throughput measured in one run on this machine, printed as numbers and ratios.

Machines are noisy, so only ratios measured side by side in one run mean much; absolute
figures are for the closing notes. Runs in the ML runtime (.runtime).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from school_detector.core.chip_plan import ChipGeometry  # noqa: E402
from school_detector.core.progress import Reporter  # noqa: E402
from school_detector.dataset.builder import BuildOptions, build_dataset  # noqa: E402
from school_detector.dataset.labels_io import LabelMapping, read_labels  # noqa: E402
from school_detector.imagery.raster import RasterSource  # noqa: E402
from school_detector.imagery.xyz import XyzSource  # noqa: E402
from school_detector.sample.scene import SceneSpec, write_scene, write_xyz_tiles  # noqa: E402
from tests.support.tile_server import TileServer  # noqa: E402


def timed_build(points, source, out: Path, options: BuildOptions) -> tuple[int, float]:
    start = time.perf_counter()
    info = build_dataset(points, source, out, options, Reporter("callback"))
    return info["chips"], time.perf_counter() - start


def bench_chips(work: Path, tiles: int, workers: int) -> None:
    scene = work / "scene"
    write_scene(SceneSpec(tiles=tiles, seed=0), scene)
    write_xyz_tiles(scene / "scene.tif", scene / "tiles")
    points, _ = read_labels(scene / "labels.gpkg", LabelMapping())
    options = BuildOptions(background_ratio=2.0, workers=workers)
    n_tif, t_tif = timed_build(points, RasterSource(scene / "scene.tif"), work / "tif", options)
    with TileServer(scene / "tiles") as server:
        n_xyz, t_xyz = timed_build(points, XyzSource(server.template, cache_dir=work / "cache"), work / "xyz", options)
        n_hot, t_hot = timed_build(points, XyzSource(server.template, cache_dir=work / "cache"), work / "xyz2", options)
    sup = BuildOptions(geometry=ChipGeometry(supertile=True), background_ratio=2.0, workers=workers)
    n_sup, t_sup = timed_build(points, RasterSource(scene / "scene.tif"), work / "sup", sup)
    rate = {
        k: n / t
        for k, (n, t) in {
            "tif": (n_tif, t_tif),
            "xyz": (n_xyz, t_xyz),
            "xyz_cached": (n_hot, t_hot),
            "supertile": (n_sup, t_sup),
        }.items()
    }
    print(f"chips: {n_tif} chips of 256 px, {workers} workers")
    print(f"  GeoTIFF (rasterio WarpedVRT)      {rate['tif']:8.1f} chips/s")
    ratio = rate["xyz"] / rate["tif"]
    print(f"  XYZ over loopback HTTP (cold)     {rate['xyz']:8.1f} chips/s   ratio to GeoTIFF {ratio:.2f}")
    print(
        f"  XYZ from the tile cache           {rate['xyz_cached']:8.1f} chips/s   ratio to GeoTIFF "
        f"{rate['xyz_cached'] / rate['tif']:.2f}"
    )
    print(
        f"  GeoTIFF supertiles (512 px)       {rate['supertile']:8.1f} chips/s   ratio to tiles "
        f"{rate['supertile'] / rate['tif']:.2f}"
    )


def bench_train(batch: int = 16, steps: int = 4) -> None:
    """Training images/s per backbone at its default input size, frozen head and full fine-tuning,
    on synthetic batches (the input pipeline is measured by the chips numbers above)."""
    import keras
    import numpy as np

    from school_detector.ml.models import DEFAULT_INPUT, build_classifier, unfreeze_top

    print(f"training: batch {batch}, {steps} timed steps after one warm-up step")
    for backbone in ("mobilenetv2", "xception"):
        size = DEFAULT_INPUT[backbone]
        model, base = build_classifier(backbone, size, None)
        x = np.random.default_rng(0).uniform(0, 255, (batch, size, size, 3)).astype("float32")
        y = np.random.default_rng(1).integers(0, 2, (batch, 1)).astype("float32")
        rates = {}
        for phase in ("frozen head", "fine-tune all"):
            if phase == "frozen head":
                base.trainable = False
            else:
                unfreeze_top(base, 0)
            model.compile(optimizer=keras.optimizers.Adam(1e-4), loss="binary_crossentropy")
            model.train_on_batch(x, y)
            start = time.perf_counter()
            for _ in range(steps):
                model.train_on_batch(x, y)
            rates[phase] = batch * steps / (time.perf_counter() - start)
        print(
            f"  {backbone:12s} {size} px   frozen head {rates['frozen head']:6.1f} img/s   "
            f"fine-tune all {rates['fine-tune all']:6.1f} img/s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tiles", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench_chips(Path(tmp), args.tiles, args.workers)
    bench_train()
    import subprocess

    subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_scan.py")], check=True)


if __name__ == "__main__":
    main()
