"""Load a scan's results GeoPackage as map layers, styled to read over imagery."""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsFillSymbol,
    QgsGraduatedSymbolRenderer,
    QgsMarkerSymbol,
    QgsProject,
    QgsRendererRange,
    QgsVectorLayer,
)

from ..core.results import CANDIDATES_TABLE, FOOTPRINTS_TABLE

SCORE_CLASSES = (
    (0.0, 0.5, "#ffd60a", "below 0.5"),
    (0.5, 0.8, "#ff9500", "0.5 – 0.8"),
    (0.8, 1.01, "#ff2d55", "0.8 – 1"),
)


def style_candidates(layer: QgsVectorLayer) -> None:
    ranges = []
    for lo, hi, color, label in SCORE_CLASSES:
        symbol = QgsMarkerSymbol.createSimple(
            {"name": "circle", "color": color, "outline_color": "black", "outline_width": "0.4", "size": "3.6"}
        )
        ranges.append(QgsRendererRange(lo, hi, symbol, label))
    layer.setRenderer(QgsGraduatedSymbolRenderer("score", ranges))


def load_results(
    path: Path, name: str = "Candidate schools", add: bool = True
) -> tuple[QgsVectorLayer, QgsVectorLayer]:
    """(candidates, footprints); footprints are added but hidden, as a reviewer wants points first."""
    candidates = QgsVectorLayer(f"{path}|layername={CANDIDATES_TABLE}", name, "ogr")
    footprints = QgsVectorLayer(f"{path}|layername={FOOTPRINTS_TABLE}", f"{name} — tiles", "ogr")
    if not candidates.isValid():
        raise OSError(f"{path} has no readable '{CANDIDATES_TABLE}' layer")
    style_candidates(candidates)
    if footprints.isValid() and footprints.renderer() is not None:
        symbol = QgsFillSymbol.createSimple({"color": "0,0,0,0", "outline_color": "#ff2d55", "outline_width": "0.4"})
        footprints.renderer().setSymbol(symbol)
    if add:
        project = QgsProject.instance()
        project.addMapLayer(candidates)
        if footprints.isValid():
            project.addMapLayer(footprints)
            node = project.layerTreeRoot().findLayer(footprints.id())
            if node is not None:
                node.setItemVisibilityChecked(False)
    return candidates, footprints
