"""The demo's QGIS half (run by scripts/demo.py with the QGIS Python): scan the scene exactly as
the plugin's "Scan region…" does (QGIS renders the layer, the local ``school-detector serve``
scores the chips over the TF Serving REST API: the plugin's ScanTask, run in this process), then
render a PNG map of the candidates, in the review layer's style, over the imagery."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def render_png(layers: list, extent: object, png: Path, legend: list, width: int = 1600) -> None:
    from qgis.core import QgsCoordinateReferenceSystem, QgsMapRendererSequentialJob, QgsMapSettings
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor

    settings = QgsMapSettings()
    settings.setLayers(layers)  # top first
    settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    settings.setExtent(extent)
    ratio = extent.height() / extent.width()
    settings.setOutputSize(QSize(width, max(1, round(width * ratio))))
    settings.setBackgroundColor(QColor("white"))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    draw_legend(image, legend)
    if not image.save(str(png), "PNG"):
        raise OSError(f"Could not write {png}")


def draw_legend(image: object, entries: list[tuple[str, str, bool]]) -> None:
    """A legend box in the top-left corner: (label, colour, outline only)."""
    from qgis.PyQt.QtCore import QRectF, Qt
    from qgis.PyQt.QtGui import QBrush, QColor, QFont, QPainter, QPen

    painter = QPainter(image)
    painter.setRenderHint(QPainter.Antialiasing)
    font = QFont()
    font.setPixelSize(22)
    painter.setFont(font)
    row = 34
    painter.setPen(Qt.NoPen)
    painter.setBrush(QBrush(QColor(255, 255, 255, 225)))
    painter.drawRect(QRectF(12, 12, 470, 20 + row * len(entries)))
    for k, (label, colour, outline) in enumerate(entries):
        y = 22 + k * row
        painter.setPen(QPen(QColor("#00e5ff" if outline else "black"), 3 if outline else 1.5))
        painter.setBrush(QBrush(Qt.NoBrush) if outline else QBrush(QColor(colour)))
        if outline:
            painter.drawRect(QRectF(24, y + 2, 24, 20))
        else:
            painter.drawEllipse(QRectF(26, y + 2, 20, 20))
        painter.setPen(QColor("black"))
        painter.drawText(QRectF(60, y, 420, 26), Qt.AlignVCenter, label)
    painter.end()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scene", type=Path, required=True)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--python", type=Path, required=True, help="the ML runtime's Python (for the local server)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--png", type=Path, required=True)
    args = parser.parse_args()

    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    try:
        return scan_and_render(args)  # every layer is gone when it returns: before exitQgis
    finally:
        app.exitQgis()


def scan_and_render(args: argparse.Namespace) -> int:
    from qgis.core import QgsFillSymbol, QgsRasterLayer, QgsVectorLayer

    from school_detector.qgis_io.layer_source import QgisLayerSource
    from school_detector.qgis_io.results import load_results
    from school_detector.runtime.local_server import LocalServer
    from school_detector.scan.job import PredictorSpec, ScanJob, ScanRequest
    from school_detector.tasks.scan_task import ScanTask

    raster = QgsRasterLayer(str(args.scene / "scene.tif"), "Sample scene")
    clone = raster.clone()
    spec = PredictorSpec("local", args.model, python=args.python)
    request = ScanRequest(QgisLayerSource(clone), args.out, spec, batch_size=32, workers=1, resume=True)
    server = LocalServer()
    task = ScanTask(ScanJob(request, server), clone)
    ok = False
    try:
        ok = task.run()
    finally:
        task.finished(ok)
        server.stop()
    if not ok:
        message = getattr(task.error, "message", str(task.error))
        print(json.dumps({"event": "error", "message": message}), flush=True)
        return 1
    candidates, _ = load_results(args.out, add=False)
    truth = QgsVectorLayer(f"{args.scene / 'labels.gpkg'}|layername=truth_footprints", "truth", "ogr")
    symbol = QgsFillSymbol.createSimple({"color": "0,0,0,0", "outline_color": "#00e5ff", "outline_width": "0.5"})
    truth.renderer().setSymbol(symbol)
    from school_detector.qgis_io.results import SCORE_CLASSES

    legend = [(f"candidate, {label.split(', ')[1]}", colour, False) for _, _, colour, label in SCORE_CLASSES]
    legend.append(("true school (ground truth)", "#00e5ff", True))
    render_png([candidates, truth, raster], raster.extent(), args.png, legend)
    print(json.dumps({"event": "result", "data": {**(task.result_data or {}), "png": str(args.png)}}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
