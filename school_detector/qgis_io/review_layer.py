"""The review layer's data side: what the panel reads from a candidates layer and writes back.

Decisions go straight through the data provider (no edit session to forget to save), so a
crash or a closed QGIS loses nothing. The threshold is a live filter: a rule of the layer's
style whose filter reads a layer variable (``"score" >= @school_detector_threshold``). Moving
the threshold sets the variable and repaints: the renderer is never swapped, so the legend is
never rebuilt under the canvas (swapping renderers on every move crashed QGIS, in the legend's
symbol items). A provider subset string would reload the data and, in QGIS 3.22, breaks feature
counts when two layers of one GeoPackage are filtered. Below the scan's own threshold the file's
kept scores supply the extra candidates, so it is never a rescan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsExpressionContextUtils,
    QgsFeatureRequest,
    QgsProject,
    QgsRuleBasedRenderer,
    QgsVectorLayer,
)

from ..core.errors import InputError
from ..core.places import MODEL
from ..core.results import CANDIDATES_TABLE, FOOTPRINTS_TABLE, ReviewStatus
from ..core.review_queue import Item
from ..scan.store import candidate_floor, read_info
from .results import THRESHOLD_RULE, THRESHOLD_VARIABLE, table_of, threshold_rule


class Candidate(NamedTuple):
    item: Item  # key = feature id
    status: str
    tile: str
    known_m: float | None = None  # a known school this close (not on it): the mapper decides


def results_path(layer: QgsVectorLayer) -> Path | None:
    """The GeoPackage behind a layer, when it is one."""
    if layer.providerType() != "ogr":
        return None
    path = Path(layer.source().split("|")[0])
    return path if path.suffix.lower() == ".gpkg" and path.is_file() else None


def candidates_layer_of(layer: QgsVectorLayer | None) -> QgsVectorLayer | None:
    """The layer to review for ``layer``: a scan's candidates layer itself; for another layer of
    a scan's results file (its tile footprints, which a scan adds last and so leaves active) the
    candidates layer of that file, from the project or loaded; None for a layer of a results
    file that can't be reviewed. Any other layer (from another tool) is itself."""
    from ..scan.store import is_results_file
    from .results import show_results

    if not isinstance(layer, QgsVectorLayer) or not layer.isValid():
        return None
    path = results_path(layer)
    if path is None or not is_results_file(path):
        return layer
    if table_of(layer) == CANDIDATES_TABLE:
        return layer
    for other in QgsProject.instance().mapLayers().values():
        if isinstance(other, QgsVectorLayer) and table_of(other) == CANDIDATES_TABLE and results_path(other) == path:
            return other
    try:
        return show_results(path)
    except OSError:
        return None


def latest_candidates_layer() -> QgsVectorLayer | None:
    """The candidates layer of the scan added to the project last (the review's default)."""
    found = [
        layer
        for layer in QgsProject.instance().mapLayers().values()
        if isinstance(layer, QgsVectorLayer) and table_of(layer) == CANDIDATES_TABLE
    ]
    return found[-1] if found else None


THRESHOLD_PROPERTY = "school_detector/threshold"


def threshold_of(layer: QgsVectorLayer) -> float | None:
    """The threshold set with the panel (kept in the project with the layer)."""
    value = layer.customProperty(THRESHOLD_PROPERTY)
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def value(feature: Any, name: str) -> Any:
    """A field's value, with NULL as None (QGIS 3.x gives a null QVariant, QGIS 4 None)."""
    v = feature[name]
    return None if v is None or (hasattr(v, "isNull") and v.isNull()) else v


def read_candidates(layer: QgsVectorLayer) -> list[Candidate]:
    """Every feature at or above the layer's threshold, with its tile (or -1s for a layer from
    another tool without tile fields: such candidates are ordered and shown by geometry) and,
    when the model placed it, its point in EPSG:3857 (places group by points)."""
    names = {f.name() for f in layer.fields()}
    threshold = threshold_of(layer) or 0.0
    to_3857 = QgsCoordinateTransform(layer.crs(), QgsCoordinateReferenceSystem("EPSG:3857"), QgsProject.instance())
    out = []
    for f in layer.getFeatures():
        score = float(value(f, "score") or 0.0)
        if score < threshold:
            continue
        try:
            z, x, y = int(value(f, "z")), int(value(f, "x")), int(value(f, "y"))
        except (KeyError, TypeError, ValueError):
            z = x = y = -1
        point: tuple[float | None, float | None] = (None, None)
        if "location" in names and value(f, "location") == MODEL and not f.geometry().isEmpty():
            p = to_3857.transform(f.geometry().asPoint())
            point = (p.x(), p.y())
        tile = str(value(f, "tile")) if "tile" in names and value(f, "tile") is not None else f"#{f.id()}"
        status = value(f, "status") or ReviewStatus.UNREVIEWED.value
        near = value(f, "known_m") if "known_m" in names else None
        out.append(Candidate(Item(f.id(), z, x, y, score, *point), status, tile, None if near is None else float(near)))
    return out


def sibling_layers(layer: QgsVectorLayer) -> list[QgsVectorLayer]:
    """The candidates layer and the footprints layers of the same file in the project."""
    path = results_path(layer)
    found = [layer]
    if path is None:
        return found
    for other in QgsProject.instance().mapLayers().values():
        if other is layer or not isinstance(other, QgsVectorLayer):
            continue
        if table_of(other) == FOOTPRINTS_TABLE and results_path(other) == path:
            found.append(other)
    return found


def floor_of(path: Path) -> float | None:
    """The lowest score the file holds candidates for; None when it keeps no scores."""
    info = read_info(path)
    return candidate_floor(info, 0.5) if info else None


def apply_threshold(layer: QgsVectorLayer, threshold: float) -> int:
    """Show candidates scoring at or above ``threshold`` (on the layer and its footprints).
    Returns how many candidates the kept scores added (when going below the
    scan's threshold)."""
    added = 0
    path = results_path(layer)
    floor = floor_of(path) if path is not None else None
    if path is not None and floor is not None and threshold < floor - 1e-9:
        from ..scan.store import ResultStore

        try:
            store = ResultStore.open(path)
            try:
                added = store.lower_threshold(threshold)
            finally:
                store.close()
        except InputError as exc:
            raise InputError(f"Could not add candidates below {floor:.2f}: {exc.message}") from exc
        if added:
            for each in sibling_layers(layer):
                each.reload()
    for each in sibling_layers(layer):
        if not has_threshold_rule(each):
            wrap_in_threshold_rule(each)  # once per layer styled elsewhere: its style is kept under the rule
        QgsExpressionContextUtils.setLayerVariable(each, THRESHOLD_VARIABLE, float(threshold))
        each.setCustomProperty(THRESHOLD_PROPERTY, threshold)
        each.triggerRepaint()
    return added


def has_threshold_rule(layer: QgsVectorLayer) -> bool:
    renderer = layer.renderer()
    if not isinstance(renderer, QgsRuleBasedRenderer):
        return False
    children = renderer.rootRule().children()
    return len(children) == 1 and children[0].description() == THRESHOLD_RULE


def wrap_in_threshold_rule(layer: QgsVectorLayer) -> None:
    renderer = layer.renderer()
    converted = (
        renderer.clone()
        if isinstance(renderer, QgsRuleBasedRenderer)
        else QgsRuleBasedRenderer.convertFromRenderer(renderer)
    )
    if converted is None:
        return
    root = QgsRuleBasedRenderer.Rule(None)
    wrapper = threshold_rule()
    root.appendChild(wrapper)
    for child in converted.rootRule().children():
        wrapper.appendChild(child.clone())
    layer.setRenderer(QgsRuleBasedRenderer(root))


def write_values(layer: QgsVectorLayer, values: dict[int, dict[str, Any]]) -> bool:
    """One provider call for every feature (a place's tiles change together or not at all)."""
    fields = layer.fields()
    changes = {fid: {fields.indexOf(k): v for k, v in row.items()} for fid, row in values.items()}
    if not layer.dataProvider().changeAttributeValues(changes):
        return False
    for each in sibling_layers(layer):
        each.triggerRepaint()
    return True


def current_values(layer: QgsVectorLayer, fid: int, names: tuple[str, ...]) -> dict[str, Any]:
    """A feature's values as the file holds them now (another QGIS may have written since)."""
    f = next(iter(layer.dataProvider().getFeatures(QgsFeatureRequest(fid))), None)
    if f is None:
        return {}
    return {n: value(f, n) for n in names}
