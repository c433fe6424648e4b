"""One run of the threshold-slider stress (run by test_threshold_stress.py in a subprocess, so
that a crash is a failed run and not a dead test session).

The dock's layers sit in the layer tree with a legend shown in a layer tree view and in a map
canvas that redraws; the slider moves back and forth across the scan's threshold MOVES times,
going lower now and then (the kept scores add candidates and the layers reload), through the
dock's own timer. Prints "moves N" at the end: a run that does not print it crashed or hung.
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

from qgis.core import QgsApplication, QgsLayerTreeModel, QgsProject
from qgis.gui import QgsLayerTreeMapCanvasBridge, QgsLayerTreeView, QgsMapCanvas
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtTest import QTest

MOVES = 200
SCAN_THRESHOLD = 0.5


def results(path: Path, seed: int) -> Path:
    from school_detector.core.tiles import Tile
    from school_detector.scan.store import ResultStore

    rng = random.Random(seed)
    store = ResultStore(path, "schools:1", SCAN_THRESHOLD)
    tiles = [Tile(150000 + i, 130000 + j, 18) for i in range(20) for j in range(15)]
    store.commit((t, rng.random()) for t in tiles)
    store.close()
    return path


def main(seed: int) -> int:
    app = QgsApplication([], True)
    app.initQgis()
    from school_detector.gui.review_dock import ReviewDock
    from school_detector.qgis_io.results import load_results

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        layer, _ = load_results(results(Path(tmp) / "r.gpkg", seed))
        root = QgsProject.instance().layerTreeRoot()
        model = QgsLayerTreeModel(root)
        model.setFlag(QgsLayerTreeModel.Flag.ShowLegend, True)
        view = QgsLayerTreeView()
        view.setModel(model)
        view.expandAll()
        view.show()
        canvas = QgsMapCanvas()
        bridge = QgsLayerTreeMapCanvasBridge(root, canvas)
        canvas.setDestinationCrs(layer.crs())
        canvas.setExtent(layer.extent())
        canvas.show()
        dock = ReviewDock(None)
        dock._threshold_timer.setInterval(1)  # the dock's own debounce, shortened for 200 moves
        dock.set_layer(layer)
        dock.show()
        low = SCAN_THRESHOLD
        renderer = None  # the address of the layer's renderer: the filter changes, the renderer stays
        for move in range(MOVES):
            if move % 20 == 10:
                low = max(0.05, low - 0.03)  # further below: the kept scores add candidates, layers reload
            value = low if move % 2 else rng.uniform(SCAN_THRESHOLD, 0.95)
            dock.threshold_slider.setValue(round(value * 100))
            QTest.qWait(3)  # the timer fires, the filter applies, the legend and canvas follow
            if move % 10 == 0:
                view.expandAll()
                canvas.refresh()
                canvas.waitWhileRendering()
            QCoreApplication.processEvents()
            renderer = renderer or sip.unwrapinstance(layer.renderer())
            if sip.unwrapinstance(layer.renderer()) != renderer:
                print(f"the renderer was swapped at move {move}", flush=True)
                return 1
        canvas.waitWhileRendering()
        shown, last = layer.featureCount(), dock.threshold_slider.value()
        dock.set_layer(None)
        QgsProject.instance().removeAllMapLayers()
        for widget in (dock, view, canvas):
            widget.close()
            widget.deleteLater()
        del bridge, model
        QTest.qWait(10)
    print(f"moves {MOVES} candidates {shown} threshold {last}", flush=True)
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
