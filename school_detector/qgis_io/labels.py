"""QGIS vector layers -> lon/lat ``LabeledPoint``s (main thread: layers live there)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsFeatureRequest,
    QgsGeometry,
    QgsProject,
    QgsVectorLayer,
)

from ..core.chip_plan import NOT_SCHOOL, SCHOOL, LabeledPoint
from ..core.errors import InputError
from ..qgis_compat import GEOMETRY_POINT, GEOMETRY_POLYGON


@dataclass
class LayerLabels:
    points: list[LabeledPoint]
    unlabeled: int  # features whose class value was not mapped
    no_geometry: int


#: fields that hold a class, in the order they are tried (a label layer's, OSM's, a ministry's)
CLASS_FIELDS = ("label", "class", "type", "category", "amenity", "kind", "is_school")
#: values that mean "school" in such a field
SCHOOL_WORDS = ("school", "schools", "escuela", "école", "ecole", "escola", "yes", "1", "true")


def class_field(layer: QgsVectorLayer | None) -> str | None:
    """The layer's class-like field (by name, never an id such as ``fid``), or None."""
    if not isinstance(layer, QgsVectorLayer) or not layer.isValid():
        return None
    names = {f.name().lower(): f.name() for f in layer.fields()}
    return next((names[c] for c in CLASS_FIELDS if c in names), None)


def guess_labels_layer(layers: Iterable[QgsVectorLayer]) -> QgsVectorLayer | None:
    """The layer a Build dialog should start on: a point layer whose class field has a school
    value, else any layer with such a field (points first), else none (a buildings layer is
    no labels layer; the mapper chooses)."""
    ranked = []
    for layer in layers:
        field = class_field(layer)
        if field is None or layer.geometryType() not in (GEOMETRY_POINT, GEOMETRY_POLYGON):
            continue
        has_school = any(v.strip().lower() in SCHOOL_WORDS for v in distinct_values(layer, field))
        ranked.append((not has_school, layer.geometryType() != GEOMETRY_POINT, layer))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return ranked[0][2] if ranked else None


def distinct_values(layer: QgsVectorLayer, field: str, limit: int = 200) -> list[str]:
    idx = layer.fields().indexOf(field)
    if idx < 0:
        return []
    values = sorted({str(v) for v in layer.uniqueValues(idx, limit) if v is not None and str(v) != "NULL"})
    return values


def _check_layer(layer: QgsVectorLayer | None, role: str) -> QgsVectorLayer:
    if layer is None or not layer.isValid():
        raise InputError(f"Choose a valid {role} layer.")
    if layer.geometryType() not in (GEOMETRY_POINT, GEOMETRY_POLYGON):
        raise InputError(f"The {role} layer '{layer.name()}' must hold points or polygons.")
    if not layer.crs().isValid():
        raise InputError(f"The {role} layer '{layer.name()}' has no CRS: set it in Layer Properties > Source.")
    if layer.featureCount() == 0:
        raise InputError(f"The {role} layer '{layer.name()}' is empty.")
    return layer


def read_layer_labels(
    layer: QgsVectorLayer | None,
    field: str | None = None,
    positive_values: Iterable[str] = (),
    fixed_label: str | None = None,
    selected_only: bool = False,
    role: str = "labels",
    negative_values: Iterable[str] | None = None,
    keep_shapes: bool = False,
) -> LayerLabels:
    """Points in WGS84 with their class. ``fixed_label`` labels every feature (two-layer mode);
    otherwise ``field`` values in ``positive_values`` are schools and, when ``negative_values``
    is given, only those values are not-schools (others are left out). ``keep_shapes``: polygon
    features keep their outline too (known schools; not for a national buildings layer)."""
    layer = _check_layer(layer, role)
    if fixed_label is None:
        if not field or layer.fields().indexOf(field) < 0:
            names = ", ".join(f.name() for f in layer.fields()) or "none"
            raise InputError(f"The layer '{layer.name()}' has no class field {field!r}; its fields: {names}.")
        if not [v for v in positive_values if str(v).strip()]:
            raise InputError("Tick at least one value that means 'school'.")
    request = QgsFeatureRequest()
    if selected_only:
        ids = layer.selectedFeatureIds()
        if not ids:
            raise InputError(f"'Only selected features' is ticked but nothing is selected in '{layer.name()}'.")
        request.setFilterFids(ids)
    return labels_from_features(
        layer.getFeatures(request),
        layer.crs(),
        layer.name(),
        field,
        positive_values,
        fixed_label,
        role,
        negative_values,
        keep_shapes,
    )


def labels_from_features(
    features: Iterable[QgsFeature],
    crs: QgsCoordinateReferenceSystem,
    name: str,
    field: str | None,
    positive_values: Iterable[str] = (),
    fixed_label: str | None = None,
    role: str = "labels",
    negative_values: Iterable[str] | None = None,
    keep_shapes: bool = False,
) -> LayerLabels:
    """The feature loop shared by the dialog (layers) and Processing (feature sources)."""
    positives = {str(v).strip().lower() for v in positive_values}
    negatives = None if negative_values is None else {str(v).strip().lower() for v in negative_values}
    tr = QgsCoordinateTransform(crs, QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance())
    points: list[LabeledPoint] = []
    unlabeled = no_geometry = 0
    for feature in features:
        geom = feature.geometry()
        if geom is None or geom.isNull() or geom.isEmpty():
            no_geometry += 1
            continue
        if fixed_label is not None:
            label: str | None = fixed_label
        else:
            value = feature[field]
            text = "" if value is None else str(value).strip().lower()
            if text in positives:
                label = SCHOOL
            elif text and text != "null" and (negatives is None or text in negatives):
                label = NOT_SCHOOL
            else:
                label = None
        if label is None:
            unlabeled += 1
            continue
        shapes: tuple[list[list[tuple[float, float]]], ...] = ()
        if geom.type() == GEOMETRY_POLYGON:
            parts = [geom.centroid().asPoint()]
            if keep_shapes:
                shapes = _outline(geom, tr, feature.id(), name)
        elif geom.isMultipart():
            parts = list(geom.asMultiPoint())
        else:
            parts = [geom.asPoint()]
        for i, part in enumerate(parts):
            try:
                p = tr.transform(part)
            except Exception as exc:
                raise InputError(
                    f"Feature {feature.id()} of '{name}' cannot be placed on the globe: is the layer's CRS right?",
                    str(exc),
                ) from exc
            if not (-180 <= p.x() <= 180 and -90 <= p.y() <= 90):
                raise InputError(f"Feature {feature.id()} of '{name}' is off the globe: is the layer's CRS right?")
            pid = f"{feature.id()}" if len(parts) == 1 else f"{feature.id()}.{i}"
            points.append(LabeledPoint(f"{role}-{pid}" if fixed_label else pid, p.x(), p.y(), label, shapes))
    return LayerLabels(points, unlabeled, no_geometry)


def _outline(
    geom: QgsGeometry, tr: QgsCoordinateTransform, fid: int, name: str
) -> tuple[list[list[tuple[float, float]]], ...]:
    """A polygon feature's parts as lon/lat rings."""
    moved = QgsGeometry(geom)
    try:
        moved.transform(tr)
    except Exception as exc:
        raise InputError(f"Feature {fid} of '{name}' cannot be placed on the globe: is the layer's CRS right?") from exc
    parts = moved.asMultiPolygon() if moved.isMultipart() else [moved.asPolygon()]
    return tuple([[(v.x(), v.y()) for v in ring] for ring in part] for part in parts if part)
