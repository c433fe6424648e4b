"""The review dock's chip preview: the imagery exactly as the model saw it for a candidate's
tile, with a mark where the model placed the school. Rendering a web layer can take seconds,
so it runs in a background task: the dock asks for a tile and goes on; a preview that arrives
after the mapper has moved on is dropped, and at most one render runs at a time (the latest
request waits for it)."""

from __future__ import annotations

from dataclasses import dataclass

from qgis.core import QgsApplication, QgsRasterLayer, QgsTask
from qgis.PyQt.QtCore import QObject, QPointF, Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor, QImage, QPainter, QPen, QPixmap

from ..core.tiles import Tile, bounds_3857
from ..qgis_io.layer_source import QgisLayerSource, rgb_to_qimage

PREVIEW_PX = 160


@dataclass(frozen=True)
class PreviewRequest:
    tile: Tile
    chip_px: int
    point: tuple[float, float] | None  # where the model placed the school: fractions of the chip (x, y)
    generation: int


class _RenderTask(QgsTask):
    def __init__(self, source: QgisLayerSource, request: PreviewRequest) -> None:
        # hidden from the task manager where QGIS can (3.26+): previews come and go every key press
        super().__init__("School detector: chip preview", getattr(QgsTask.Flag, "Hidden", QgsTask.Flags()))
        self.source, self.request = source, request
        self.image: QImage | None = None

    def run(self) -> bool:
        try:
            chip = self.source.read(bounds_3857(self.request.tile), self.request.chip_px)
            self.image = rgb_to_qimage(chip.rgb)
            return True
        except Exception:  # noqa: BLE001 - a preview that can't be drawn is just not shown
            return False


def marked(image: QImage, point: tuple[float, float] | None) -> QPixmap:
    """The chip scaled to the preview, with a ring where the model placed the school."""
    pixmap = QPixmap.fromImage(image).scaled(
        PREVIEW_PX, PREVIEW_PX, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
    if point is not None:
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        centre = QPointF(point[0] * pixmap.width(), point[1] * pixmap.height())
        for colour, width in ((QColor("black"), 4), (QColor("#ff2d55"), 2)):
            painter.setPen(QPen(colour, width))
            painter.drawEllipse(centre, 9, 9)
        painter.end()
    return pixmap


class PreviewRenderer(QObject):
    """Renders previews of one imagery layer in the background; emits ``ready`` with the
    pixmap of the latest request only."""

    ready = pyqtSignal(object, object)  # PreviewRequest, QPixmap

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._layer: QgsRasterLayer | None = None
        self._source: QgisLayerSource | None = None
        self._task: _RenderTask | None = None
        self._waiting: PreviewRequest | None = None
        self.generation = 0

    def set_layer(self, layer: QgsRasterLayer | None) -> None:
        """The imagery to preview (a clone is rendered: the project's layer stays untouched)."""
        if layer is self._layer:
            return
        self.cancel()
        self._layer = layer
        self._source = QgisLayerSource(layer.clone()) if layer is not None else None

    def request(self, tile: Tile, chip_px: int, point: tuple[float, float] | None) -> int:
        """Ask for a preview; returns its generation (newer requests make older ones stale)."""
        self.generation += 1
        self._waiting = PreviewRequest(tile, chip_px, point, self.generation)
        self._start()
        return self.generation

    def cancel(self) -> None:
        """Nothing pending is wanted any more (a running render finishes and is dropped)."""
        self.generation += 1
        self._waiting = None

    def _start(self) -> None:
        if self._task is not None or self._waiting is None or self._source is None:
            return
        task = _RenderTask(self._source, self._waiting)
        self._waiting = None
        self._task = task
        task.taskCompleted.connect(self._finished)
        task.taskTerminated.connect(self._finished)
        QgsApplication.taskManager().addTask(task)

    def _finished(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.source = None  # type: ignore[assignment]  # the layer clone goes on the main thread
            if task.image is not None and task.request.generation == self.generation:
                self.ready.emit(task.request, marked(task.image, task.request.point))
        self._start()  # the latest request, if the mapper moved on meanwhile

    def close(self) -> None:
        self.cancel()
        if self._task is not None:
            self._task.cancel()
        self._source = None
        self._layer = None


def chip_fractions(point: tuple[float, float], tile: Tile) -> tuple[float, float]:
    """Where an EPSG:3857 point lies in a tile's chip: fractions from its west and north edges."""
    b = bounds_3857(tile)
    return (point[0] - b.west) / (b.east - b.west), (b.north - point[1]) / (b.north - b.south)
