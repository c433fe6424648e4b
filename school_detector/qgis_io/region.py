"""Regions from QGIS: the map extent, selected polygons, or a layer's extent, in EPSG:3857."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCsException,
    QgsFeatureRequest,
    QgsPointXY,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsVectorLayer,
)

from ..core.cover import Polygon, bbox_polygon, polygons_to_3857
from ..core.errors import InputError
from ..qgis_compat import GEOMETRY_POLYGON


def to_3857(crs: QgsCoordinateReferenceSystem) -> Any:
    tr = QgsCoordinateTransform(crs, QgsCoordinateReferenceSystem("EPSG:3857"), QgsProject.instance())

    def f(xs: Sequence[float], ys: Sequence[float]) -> tuple[list[float], list[float]]:
        try:
            pts = [tr.transform(QgsPointXY(x, y)) for x, y in zip(xs, ys)]
        except QgsCsException as exc:
            raise InputError(
                f"The region cannot be placed on the web-mercator grid (is its CRS right?): {str(exc).splitlines()[0]}"
            ) from exc
        return [p.x() for p in pts], [p.y() for p in pts]

    return f


def extent_region(rect: QgsRectangle, crs: QgsCoordinateReferenceSystem) -> list[Polygon]:
    if rect.isEmpty() or not all(
        math.isfinite(v) for v in (rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum())
    ):
        raise InputError("The map extent is empty or not set yet; zoom to the area to scan.")
    if not crs.isValid():
        raise InputError("The map has no CRS; set the project CRS first.")
    if crs.isGeographic():  # web mercator stops at ±85.05°: a world view must not break the cover
        rect = QgsRectangle(
            max(rect.xMinimum(), -180.0),
            max(rect.yMinimum(), -85.05),
            min(rect.xMaximum(), 180.0),
            min(rect.yMaximum(), 85.05),
        )
    return polygons_to_3857(
        [bbox_polygon(rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum())], to_3857(crs)
    )


def layer_region(layer: QgsVectorLayer | None, selected_only: bool) -> list[Polygon]:
    """Polygons (e.g. districts) of a layer; only the selected ones when asked."""
    if layer is None or not layer.isValid() or layer.geometryType() != GEOMETRY_POLYGON:
        raise InputError("Choose a polygon layer for the region.")
    request = QgsFeatureRequest()
    if selected_only:
        ids = layer.selectedFeatureIds()
        if not ids:
            raise InputError(f"Nothing is selected in '{layer.name()}': select the districts to scan.")
        request.setFilterFids(ids)
    return features_region(layer.getFeatures(request), layer.crs(), layer.name())


def features_region(features: Iterable[Any], crs: QgsCoordinateReferenceSystem, name: str) -> list[Polygon]:
    """The polygons of features (a layer's, or a Processing feature source's), in EPSG:3857."""
    polygons: list[Polygon] = []
    for feature in features:
        geom = feature.geometry()
        if geom is None or geom.isEmpty():
            continue
        parts = geom.asMultiPolygon() if geom.isMultipart() else [geom.asPolygon()]
        for part in parts:
            polygons.append([[(p.x(), p.y()) for p in ring] for ring in part])
    if not polygons:
        raise InputError(f"'{name}' has no polygon to scan.")
    return polygons_to_3857(polygons, to_3857(crs))


def imagery_under_extent(canvas: Any) -> QgsRasterLayer | None:
    """The raster a one-click scan of the map should read: the topmost visible raster layer
    under the map's extent (what the mapper looks at); a web layer (XYZ, WMS: no extent of its
    own) covers any extent. None when no visible raster covers it."""
    project = QgsProject.instance()
    extent = canvas.extent()
    crs = canvas.mapSettings().destinationCrs()
    covering: list[QgsRasterLayer] = []
    for node in project.layerTreeRoot().findLayers():
        layer = node.layer()
        if not node.isVisible() or not isinstance(layer, QgsRasterLayer) or not layer.isValid():
            continue
        web = layer.providerType() in ("wms", "xyz") or "type=xyz" in layer.source()
        if web or _meets(layer, extent, crs):
            covering.append(layer)
    return covering[0] if covering else None


def _meets(layer: QgsRasterLayer, extent: QgsRectangle, crs: QgsCoordinateReferenceSystem) -> bool:
    try:
        there = QgsCoordinateTransform(layer.crs(), crs, QgsProject.instance()).transformBoundingBox(layer.extent())
    except QgsCsException:
        return False
    return there.intersects(extent)
