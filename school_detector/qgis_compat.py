"""Spellings that work from QGIS 3.22 (Qt5/PyQt5) to QGIS 4 (Qt6/PyQt6).

Every name below is resolved once, at import, from the newest API that exists at runtime,
falling back to the QGIS 3.22 one:

* enums QGIS moved into ``Qgis`` (3.30-3.36) are taken from ``Qgis`` when present, else from
  their old class.  QGIS 4 still aliases the old scoped names (``QgsWkbTypes.GeometryType.
  PolygonGeometry`` is ``Qgis.GeometryType.Polygon``), so the fallback is also safe there; the
  point of preferring the new name is to stop depending on aliases QGIS marks deprecated.
* ``field_type()``: ``QgsField`` takes ``QMetaType.Type`` from QGIS 3.38 (the ``QVariant.Type``
  overload is deprecated there, and PyQt6 has no ``QVariant.Type``); QGIS 3.22 rejects a
  ``QMetaType.Type`` with TypeError.  Feature-detected, not version-compared.

No other module of the plugin should spell these names itself.
"""

from __future__ import annotations

from typing import Any

from qgis.core import (
    Qgis,
    QgsField,
    QgsMapLayerProxyModel,
    QgsProcessing,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QMetaType, QVariant


def _first(*candidates: tuple[Any, str]) -> Any:
    """The first ``owner.dotted.path`` that resolves; AttributeError if none does."""
    for owner, path in candidates:
        obj = owner
        try:
            for part in path.split("."):
                obj = getattr(obj, part)
        except AttributeError:
            continue
        return obj
    raise AttributeError(" / ".join(f"{getattr(o, '__name__', o)}.{p}" for o, p in candidates))


# -- layer filters for QgsMapLayerComboBox.setFilters: Qgis.LayerFilter (3.34+) / QgsMapLayerProxyModel.Filter
LAYER_POINT = _first((Qgis, "LayerFilter.PointLayer"), (QgsMapLayerProxyModel, "Filter.PointLayer"))
LAYER_POLYGON = _first((Qgis, "LayerFilter.PolygonLayer"), (QgsMapLayerProxyModel, "Filter.PolygonLayer"))
LAYER_RASTER = _first((Qgis, "LayerFilter.RasterLayer"), (QgsMapLayerProxyModel, "Filter.RasterLayer"))

_LAYER_FILTERS = _first((Qgis, "LayerFilters"), (QgsMapLayerProxyModel, "Filters"))


def layer_filters(*members: Any) -> Any:
    """Layer filters combined into the flags type ``QgsMapLayerComboBox.setFilters`` takes on
    this QGIS (``Qgis.LayerFilters`` from 3.34: a bare ``|`` of members is an int there, which
    picks the deprecated overload)."""
    combined = members[0]
    for member in members[1:]:
        combined = combined | member
    return _LAYER_FILTERS(combined)


# -- geometry types: Qgis.GeometryType (3.30+) / QgsWkbTypes.GeometryType (names differ)
GEOMETRY_POINT = _first((Qgis, "GeometryType.Point"), (QgsWkbTypes, "GeometryType.PointGeometry"))
GEOMETRY_POLYGON = _first((Qgis, "GeometryType.Polygon"), (QgsWkbTypes, "GeometryType.PolygonGeometry"))

# -- processing: Qgis.ProcessingSourceType / ProcessingNumberParameterType /
#    ProcessingFileParameterBehavior (3.36+) / the old class enums (source type names differ)
SOURCE_VECTOR_POINT = _first((Qgis, "ProcessingSourceType.VectorPoint"), (QgsProcessing, "SourceType.TypeVectorPoint"))
SOURCE_VECTOR_POLYGON = _first(
    (Qgis, "ProcessingSourceType.VectorPolygon"), (QgsProcessing, "SourceType.TypeVectorPolygon")
)
NUMBER_INTEGER = _first((Qgis, "ProcessingNumberParameterType.Integer"), (QgsProcessingParameterNumber, "Type.Integer"))
NUMBER_DOUBLE = _first((Qgis, "ProcessingNumberParameterType.Double"), (QgsProcessingParameterNumber, "Type.Double"))
FILE_FOLDER = _first((Qgis, "ProcessingFileParameterBehavior.Folder"), (QgsProcessingParameterFile, "Behavior.Folder"))


# -- QgsField types -----------------------------------------------------------------------------
# QVariant.Type name -> QMetaType.Type name, where they differ (the ones this plugin may use).
_METATYPE_NAMES = {
    "String": "QString",
    "Date": "QDate",
    "DateTime": "QDateTime",
    "Time": "QTime",
    "ByteArray": "QByteArray",
}


def _qgsfield_takes_qmetatype() -> bool:
    try:
        QgsField("probe", QMetaType.Type.Double)
    except TypeError:  # QGIS < 3.38: only the QVariant.Type overload exists
        return False
    return True


QGSFIELD_TAKES_QMETATYPE = _qgsfield_takes_qmetatype()


def field_type(name: str) -> Any:
    """The type argument for ``QgsField(name, type)``: ``field_type("Double")``, ``"Int"``,
    ``"LongLong"``, ``"String"``, ``"Bool"``... (QVariant.Type member names)."""
    if QGSFIELD_TAKES_QMETATYPE:
        return getattr(QMetaType.Type, _METATYPE_NAMES.get(name, name))
    return getattr(QVariant.Type, name)
