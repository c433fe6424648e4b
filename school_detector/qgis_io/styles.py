"""Layer styles that read well over satellite imagery (strong outlines, no fills)."""

from __future__ import annotations

from qgis.core import QgsCategorizedSymbolRenderer, QgsFillSymbol, QgsRendererCategory, QgsVectorLayer

from ..core.chip_plan import NOT_SCHOOL, SCHOOL

COLORS = {SCHOOL: "#ff3b30", NOT_SCHOOL: "#00c7ff"}


def style_chip_footprints(layer: QgsVectorLayer) -> None:
    categories = []
    for value in (SCHOOL, NOT_SCHOOL):
        symbol = QgsFillSymbol.createSimple(
            {"color": "0,0,0,0", "outline_color": COLORS[value], "outline_width": "0.5", "style": "no"}
        )
        categories.append(QgsRendererCategory(value, symbol, value))
    layer.setRenderer(QgsCategorizedSymbolRenderer("label", categories))
    layer.triggerRepaint()
