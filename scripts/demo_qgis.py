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


def draw_legend(image: object, entries: list[tuple[str, str, str]]) -> None:
    """A legend box in the top-left corner: (label, colour, shape: circle, square, outline or dash)."""
    from qgis.PyQt.QtCore import QRectF, Qt
    from qgis.PyQt.QtGui import QBrush, QColor, QFont, QPainter, QPen

    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont()
    font.setPixelSize(22)
    painter.setFont(font)
    row = 34
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(QColor(255, 255, 255, 225)))
    painter.drawRect(QRectF(12, 12, 470, 20 + row * len(entries)))
    for k, (label, colour, shape) in enumerate(entries):
        y = 22 + k * row
        box = QRectF(24, y + 2, 24, 20)
        if shape in ("outline", "dash"):
            pen = QPen(QColor(colour), 3)
            pen.setStyle(Qt.PenStyle.DashLine if shape == "dash" else Qt.PenStyle.SolidLine)
            painter.setPen(pen)
            painter.setBrush(QBrush(QColor(90, 90, 90) if shape == "dash" else QColor(0, 0, 0, 0)))
            painter.drawRect(box)
        else:
            painter.setPen(QPen(QColor("black"), 1.5))
            painter.setBrush(QBrush(QColor(colour)))
            if shape == "square":
                painter.drawRect(QRectF(27, y + 3, 18, 18))
            else:
                painter.drawEllipse(QRectF(26, y + 2, 20, 20))
        painter.setPen(QColor("black"))
        painter.drawText(QRectF(60, y, 420, 26), Qt.AlignmentFlag.AlignVCenter, label)
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


def scan(args: argparse.Namespace, raster: object) -> tuple[bool, object]:
    """The scan as the Scan dialog runs it: the district's polygons, the labels' schools as
    known schools, the buildings layer; QGIS renders, the local server scores."""
    from qgis.core import QgsVectorLayer

    from school_detector.qgis_io.layer_source import QgisLayerSource
    from school_detector.qgis_io.places import buildings_from_layer, known_from_layer
    from school_detector.qgis_io.region import layer_region
    from school_detector.runtime.local_server import LocalServer
    from school_detector.scan.job import PredictorSpec, ScanJob, ScanRequest
    from school_detector.tasks.scan_task import ScanTask

    labels = args.scene / "labels.gpkg"
    layers = {
        name: QgsVectorLayer(f"{labels}|layername={name}", name, "ogr") for name in ("labels", "buildings", "district")
    }
    clone = raster.clone()
    request = ScanRequest(
        QgisLayerSource(clone),
        args.out,
        PredictorSpec("local", args.model, python=args.python),
        polygons=layer_region(layers["district"], False),
        region="district",
        batch_size=32,
        workers=1,
        resume=True,
        known=known_from_layer(layers["labels"]),
        buildings=buildings_from_layer(layers["buildings"]),
    )
    server = LocalServer()
    task = ScanTask(ScanJob(request, server), clone)
    ok = False
    try:
        ok = task.run()
    finally:
        task.finished(ok)
        server.stop()
    return ok, task


def scan_and_render(args: argparse.Namespace) -> int:
    from qgis.core import QgsFillSymbol, QgsRasterLayer, QgsRectangle, QgsVectorLayer

    from school_detector.qgis_io.results import SCORE_CLASSES, STATUS_SYMBOLS, load_results

    raster = QgsRasterLayer(str(args.scene / "scene.tif"), "Sample scene")
    ok, task = scan(args, raster)
    if not ok:
        message = getattr(task.error, "message", str(task.error))
        print(json.dumps({"event": "error", "message": message}), flush=True)
        return 1
    candidates, _ = load_results(args.out, add=False)
    labels = args.scene / "labels.gpkg"
    truth = QgsVectorLayer(f"{labels}|layername=truth_footprints", "truth", "ogr")
    truth.renderer().setSymbol(
        QgsFillSymbol.createSimple({"color": "0,0,0,0", "outline_color": "#00e5ff", "outline_width": "0.5"})
    )
    district = QgsVectorLayer(f"{labels}|layername=district", "district", "ogr")
    district.renderer().setSymbol(
        QgsFillSymbol.createSimple(
            {"color": "0,0,0,0", "outline_color": "white", "outline_width": "0.8", "outline_style": "dash"}
        )
    )
    legend = [(f"to review, {label.split(', ')[1]}", colour, "circle") for _, _, colour, label in SCORE_CLASSES]
    legend += [(label, colour, "square") for status, _, colour, label in STATUS_SYMBOLS if status == "known"]
    legend += [("true school (ground truth)", "#00e5ff", "outline"), ("district outline", "white", "dash")]
    layers = [candidates, truth, district, raster]
    render_png(layers, raster.extent(), args.png, legend)
    e = raster.extent()  # a closer look: a quarter of the scene, where a mapper would zoom
    detail = QgsRectangle(e.xMinimum() + e.width() * 0.3, e.yMinimum() + e.height() * 0.3,
                          e.xMinimum() + e.width() * 0.65, e.yMinimum() + e.height() * 0.65)  # fmt: skip
    detail_png = args.png.with_name(args.png.stem + "-detail.png")
    render_png(layers, detail, detail_png, legend)
    data = {**(task.result_data or {}), "png": str(args.png), "detail_png": str(detail_png)}
    print(json.dumps({"event": "result", "data": data}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
