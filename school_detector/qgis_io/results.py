"""Load a scan's results GeoPackage as map layers, styled to read over imagery."""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsFillSymbol,
    QgsMarkerSymbol,
    QgsProject,
    QgsProviderRegistry,
    QgsRuleBasedRenderer,
    QgsVectorLayer,
)

from ..core.results import CANDIDATES_TABLE, FOOTPRINTS_TABLE

SCORE_CLASSES = (
    (0.0, 0.5, "#ffd60a", "unreviewed, score below 0.5"),
    (0.5, 0.8, "#ff9500", "unreviewed, score 0.5 – 0.8"),
    (0.8, 1.01, "#ff2d55", "unreviewed, score 0.8 – 1"),
)
#: decided candidates: shapes as well as colours, so they read for colour-blind mappers too
STATUS_SYMBOLS = (
    ("confirmed", "circle", "#34c759", "confirmed school"),
    ("unsure", "diamond", "#bf5af2", "unsure"),
    ("rejected", "cross_fill", "#d1d1d6", "rejected"),
    ("known", "square", "#0a84ff", "known school (set aside)"),
)


def table_of(layer: QgsVectorLayer) -> str | None:
    """The GeoPackage table a vector layer reads (its source's ``layername``), or None."""
    if layer.providerType() != "ogr":
        return None
    name = QgsProviderRegistry.instance().decodeUri("ogr", layer.source()).get("layerName")
    return str(name) if name else None


def _marker(shape: str, color: str, size: float = 3.6) -> QgsMarkerSymbol:
    return QgsMarkerSymbol.createSimple(
        {"name": shape, "color": color, "outline_color": "black", "outline_width": "0.4", "size": str(size)}
    )


#: marks the rule that holds the review panel's threshold (its filter); the style's rules sit under it
THRESHOLD_RULE = "school_detector:threshold"
#: the layer variable the threshold rule reads: moving the threshold sets it, and the renderer
#: (and the legend built from it) stays as it is
THRESHOLD_VARIABLE = "school_detector_threshold"
THRESHOLD_FILTER = f'"score" >= coalesce(@{THRESHOLD_VARIABLE}, 0)'


def threshold_rule() -> QgsRuleBasedRenderer.Rule:
    return QgsRuleBasedRenderer.Rule(None, 0, 0, THRESHOLD_FILTER, "score ≥ the review threshold", THRESHOLD_RULE)


def _set_rules(layer: QgsVectorLayer, rules: list[QgsRuleBasedRenderer.Rule]) -> None:
    root = QgsRuleBasedRenderer.Rule(None)
    wrapper = threshold_rule()
    root.appendChild(wrapper)
    for rule in rules:
        wrapper.appendChild(rule)
    layer.setRenderer(QgsRuleBasedRenderer(root))
    layer.triggerRepaint()


def style_candidates(layer: QgsVectorLayer) -> None:
    """By status once decided, by score while unreviewed; black outlines read over imagery."""
    rules = [
        QgsRuleBasedRenderer.Rule(_marker(shape, color), 0, 0, f"\"status\" = '{status}'", label)
        for status, shape, color, label in STATUS_SYMBOLS
    ]
    for lo, hi, color, label in SCORE_CLASSES:
        expression = f'coalesce("status", \'unreviewed\') = \'unreviewed\' AND "score" >= {lo} AND "score" < {hi}'
        rules.append(QgsRuleBasedRenderer.Rule(_marker("circle", color), 0, 0, expression, label))
    _set_rules(layer, rules)


def style_footprints(layer: QgsVectorLayer) -> None:
    symbol = QgsFillSymbol.createSimple({"color": "0,0,0,0", "outline_color": "#ff2d55", "outline_width": "0.4"})
    _set_rules(layer, [QgsRuleBasedRenderer.Rule(symbol, 0, 0, "", "candidate tile")])


def scan_group_name(path: Path) -> str:
    """A scan's layer group, named what tells scans apart first: the time of a dated results
    file ("15:30:12 · 4 Dec scan"; the Layers panel cuts long names at their end), else its name."""
    import re
    from datetime import datetime

    found = re.fullmatch(r"scan-(\d{8})-(\d{6})", Path(path).stem)
    if found is None:
        return Path(path).stem
    when = datetime.strptime("".join(found.groups()), "%Y%m%d%H%M%S")
    return f"{when:%H:%M:%S} · {when.day} {when:%b} scan"


def show_results(path: Path, partial: bool = False) -> QgsVectorLayer:
    """A scan's layers in the project, in a group of their own at the top (candidates, then the
    tile footprints, hidden); a file already shown (a resumed scan) is reloaded, not added
    again. Returns the candidates layer."""
    from .files import reload_layers_of

    shown = reload_layers_of(path)
    for layer in shown:
        if isinstance(layer, QgsVectorLayer) and table_of(layer) == CANDIDATES_TABLE:
            return layer
    candidates, footprints = load_results(path, "Candidates" + (" (partial)" if partial else ""), add=False)
    footprints.setName("Tiles")
    project = QgsProject.instance()
    group = project.layerTreeRoot().insertGroup(0, scan_group_name(path))
    for layer in (candidates, footprints):
        if layer.isValid() and (layer is candidates or not shown):
            project.addMapLayer(layer, False)
            node = group.addLayer(layer)
            node.setItemVisibilityChecked(layer is candidates)
    return candidates


def load_results(
    path: Path, name: str = "Candidate schools", add: bool = True
) -> tuple[QgsVectorLayer, QgsVectorLayer]:
    """(candidates, footprints); footprints are added but hidden, as a reviewer wants points first."""
    candidates = QgsVectorLayer(f"{path}|layername={CANDIDATES_TABLE}", name, "ogr")
    footprints = QgsVectorLayer(f"{path}|layername={FOOTPRINTS_TABLE}", f"{name} — tiles", "ogr")
    if not candidates.isValid():
        raise OSError(f"{path} has no readable '{CANDIDATES_TABLE}' layer")
    style_candidates(candidates)
    if footprints.isValid():
        style_footprints(footprints)
    if add:
        project = QgsProject.instance()
        project.addMapLayer(candidates)
        if footprints.isValid():
            project.addMapLayer(footprints)
            node = project.layerTreeRoot().findLayer(footprints.id())
            if node is not None:
                node.setItemVisibilityChecked(False)
    return candidates, footprints
