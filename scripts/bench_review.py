"""`make bench`, review part: how long a key press takes in the review dock on a queue of
50,000 candidates (the target is at most 50 ms without the chip preview), and how long opening
the layer takes. Runs in QGIS's Python (the dev venv), headless.

Each key press decides the current candidate (or place), writes it to the GeoPackage and moves
on: the time is from the key event to the dock showing the next one.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import QgsApplication, QgsProject  # noqa: E402
from qgis.PyQt.QtCore import Qt  # noqa: E402
from qgis.PyQt.QtTest import QTest  # noqa: E402


def results(path: Path, n: int, located: bool) -> Path:
    from school_detector.core.results import Prediction
    from school_detector.core.tiles import Tile
    from school_detector.scan.store import ResultStore

    rng = random.Random(0)
    side = int(n**0.5) + 1
    tiles = [Tile(150000 + k % side, 130000 + k // side, 18) for k in range(n)]
    store = ResultStore(path, "schools:1", 0.5)
    store.commit(
        (t, Prediction(rng.uniform(0.5, 1.0), rng.random(), rng.random()) if located else rng.uniform(0.5, 1.0))
        for t in tiles
    )
    store.close()
    return path


def bench(n: int, presses: int, places: bool, located: bool, work: Path) -> None:
    from school_detector.gui.review_dock import ReviewDock
    from school_detector.qgis_io.results import load_results

    layer, _ = load_results(results(work / f"r-{places}-{located}.gpkg", n, located))
    dock = ReviewDock(None)
    dock.preview_check.setChecked(False)
    dock.places_check.setChecked(places)
    start = time.perf_counter()
    dock.set_layer(layer)
    dock.show()
    opened = time.perf_counter() - start
    keys = (Qt.Key.Key_Y, Qt.Key.Key_N, Qt.Key.Key_U, Qt.Key.Key_S)
    times = []
    for k in range(presses):
        start = time.perf_counter()
        QTest.keyClick(dock.widget(), keys[k % len(keys)])
        QgsApplication.processEvents()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    what = ("places" if places else "one by one") + (", model points" if located else ", tile centres")
    print(
        f"  {n} candidates, {what:30s} open {opened:5.2f} s   key press median {statistics.median(times):5.1f} ms"
        f"   p95 {times[int(0.95 * len(times))]:5.1f} ms   max {times[-1]:5.1f} ms"
    )
    dock.set_layer(None)
    dock.deleteLater()
    QgsProject.instance().removeAllMapLayers()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--candidates", type=int, default=50_000)
    parser.add_argument("--presses", type=int, default=200)
    args = parser.parse_args()
    app = QgsApplication([], True)
    app.initQgis()
    print(f"Review dock, no chip preview (target: a key press in at most 50 ms), {args.presses} presses:")
    with tempfile.TemporaryDirectory() as tmp:
        for places, located in ((False, True), (True, True), (True, False)):
            bench(args.candidates, args.presses, places, located, Path(tmp))
    app.exitQgis()


if __name__ == "__main__":
    main()
