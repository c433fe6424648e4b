"""Any QGIS raster layer (GeoTIFF, XYZ, WMS/WMTS, …) as a chip source, by rendering it.

QGIS renders the layer into an image whose extent is the chip's EPSG:3857 footprint and
whose size is the chip's pixel size, so what the model sees is what the mapper sees. The
background is transparent: pixels the layer did not paint (outside its extent, no-data,
tiles that failed to load) have alpha 0 and count as no-data. Rendering uses
QgsMapRendererCustomPainterJob synchronously, which is safe in a QgsTask thread; give it a
clone of the layer made on the main thread.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsMapRendererCustomPainterJob,
    QgsMapSettings,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
)
from qgis.PyQt.QtCore import QSize, Qt
from qgis.PyQt.QtGui import QColor, QImage, QPainter

from ..core.tiles import ORIGIN_SHIFT, Bounds
from ..imagery.base import Chip, ImageryError

EPSG_3857 = "EPSG:3857"
STRIP = 8  # tiles rendered at once for grid-aligned chips


def qimage_to_rgba(image: QImage) -> np.ndarray:
    """(H, W, 4) uint8 RGBA copy of a QImage."""
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    ptr = image.constBits()
    ptr.setsize(image.sizeInBytes() if hasattr(image, "sizeInBytes") else image.byteCount())
    rows = np.frombuffer(ptr, dtype=np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 4].reshape(image.height(), image.width(), 4).copy()


def rgb_to_qimage(rgb: np.ndarray) -> QImage:
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def qimage_save_png(rgb: np.ndarray, path: Any) -> None:
    """The QGIS side's PNG writer (no PIL needed in QGIS)."""
    if not rgb_to_qimage(rgb).save(str(path), "PNG"):
        raise OSError(f"Could not write {path} (disk full or not writable?)")


def layer_description(layer: QgsRasterLayer) -> dict[str, Any]:
    """Provider and CRS, never the full source: a URL can carry an API key."""
    source = layer.source()
    kind = "xyz" if "type=xyz" in source else layer.providerType()
    description = {
        "type": f"qgis-{kind}",
        "layer": layer.name(),
        "layer_id": layer.id(),
        "crs": layer.crs().authid(),
        "provider": layer.providerType(),
        "stretch": None,
    }
    if layer.providerType() == "gdal" and Path(source.split("|")[0]).is_file():
        description["path"] = source.split("|")[0]  # a local file: no secret in it, and it finds the layer again
    return description


class QgisLayerSource:
    def __init__(self, layer: QgsRasterLayer) -> None:
        if not layer.crs().isValid():
            raise ImageryError(
                f"The layer '{layer.name()}' has no coordinate reference system (no georeference): set it in "
                "Layer Properties → Source, or georeference the image (Raster → Georeferencer) first."
            )
        self.layer = layer
        self.crs = QgsCoordinateReferenceSystem(EPSG_3857)
        self._description = layer_description(layer)
        self._extent = self._layer_extent_3857()
        self._lock = threading.Lock()
        self._strip: np.ndarray | None = None
        self._strip_key: tuple[int, float, int, int] | None = None

    def _layer_extent_3857(self) -> Bounds | None:
        if self._description["type"] in ("qgis-xyz", "qgis-wms"):
            return None  # web layers cover the world or don't say; no-data shows as transparency
        try:
            tr = QgsCoordinateTransform(self.layer.crs(), self.crs, QgsProject.instance())
            r = tr.transformBoundingBox(self.layer.extent())
        except Exception:  # noqa: BLE001 - an untransformable extent just means "unknown"
            return None
        return Bounds(r.xMinimum(), r.yMinimum(), r.xMaximum(), r.yMaximum())

    def describe(self) -> dict[str, Any]:
        return dict(self._description)

    def extent_3857(self) -> Bounds | None:
        return self._extent

    def render(self, bounds: Bounds, size: int, width: int | None = None) -> QImage:
        settings = QgsMapSettings()
        settings.setLayers([self.layer])
        settings.setDestinationCrs(self.crs)
        settings.setExtent(QgsRectangle(bounds.west, bounds.south, bounds.east, bounds.north))
        settings.setOutputSize(QSize(width or size, size))
        settings.setOutputDpi(96)
        settings.setBackgroundColor(QColor(0, 0, 0, 0))
        settings.setFlag(QgsMapSettings.Flag.Antialiasing, False)
        settings.setFlag(QgsMapSettings.Flag.RenderMapTile, True)
        image = QImage(width or size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        job = QgsMapRendererCustomPainterJob(settings, painter)
        job.renderSynchronously()
        painter.end()
        return image

    def read(self, bounds: Bounds, size: int) -> Chip:
        rgba = self._from_strip(bounds, size)
        if rgba is None:
            rgba = qimage_to_rgba(self.render(bounds, size))
        valid = rgba[..., 3] == 255
        rgb = rgba[..., :3].copy()
        rgb[~valid] = 0
        return Chip(rgb, valid)

    def _from_strip(self, bounds: Bounds, size: int) -> np.ndarray | None:
        """Grid-aligned chips come from a rendered strip of STRIP tiles: scans visit tiles row by
        row, and one render of 8 tiles costs far less than 8 renders (each has a fixed setup)."""
        tile_m = bounds.east - bounds.west
        x = (bounds.west + ORIGIN_SHIFT) / tile_m
        y = (ORIGIN_SHIFT - bounds.north) / tile_m
        if abs(x - round(x)) > 1e-6 or abs(y - round(y)) > 1e-6:
            return None
        col, row = round(x), round(y)
        first = col - col % STRIP
        key = (size, round(tile_m, 6), row, first)
        west = -ORIGIN_SHIFT + first * tile_m
        strip = Bounds(west, bounds.south, west + STRIP * tile_m, bounds.north)
        ext = self._extent
        if ext is not None and (strip.west < ext.west or strip.east > ext.east):
            return None  # QGIS resamples a raster differently when the view runs past its edge
        with self._lock:
            if self._strip is None or self._strip_key != key:
                self._strip = qimage_to_rgba(self.render(strip, size, width=STRIP * size))
                self._strip_key = key
            offset = (col - first) * size
            return self._strip[:, offset : offset + size].copy()

    def close(self) -> None:
        self._strip = None
        self._strip_key = None
