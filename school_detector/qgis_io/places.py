"""QGIS layers as a scan's known schools and buildings (read on the main thread, handed to the
scan job as plain points: layers live on the main thread)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from qgis.core import QgsMapLayer, QgsRasterLayer, QgsVectorLayer

from ..core.chip_plan import SCHOOL
from ..core.errors import InputError
from ..core.places import KNOWN_DISTANCE_M, KnownSchools
from ..scan.buildings import BuildingsSource
from ..scan.known import KNOWN_FIELD, KNOWN_VALUES, known_schools
from .labels import read_layer_labels


def known_from_layer(
    layer: QgsVectorLayer,
    field: str = KNOWN_FIELD,
    values: Sequence[str] = KNOWN_VALUES,
    distance_m: float = KNOWN_DISTANCE_M,
) -> KnownSchools:
    """The schools of a layer: with the class field, the features whose value means school; a
    layer without it is a list of schools (every feature counts)."""
    if layer.isValid() and layer.fields().indexOf(field) >= 0:
        got = read_layer_labels(layer, field, values, role="known schools", negative_values=(), keep_shapes=True)
    else:
        got = read_layer_labels(layer, fixed_label=SCHOOL, role="known schools", keep_shapes=True)
    schools = [p for p in got.points if p.label == SCHOOL]
    if not schools:
        raise InputError(
            f"'{layer.name()}' holds no school ({field} = {', '.join(values)}): no known school to set aside."
        )
    return known_schools(schools, distance_m)


def buildings_from_layer(layer: QgsMapLayer | None) -> BuildingsSource:
    """A buildings vector layer (footprints or points: their centres), or a built-up raster
    that rasterio can read (a GDAL file: non-zero cells are built)."""
    if isinstance(layer, QgsRasterLayer):
        path = Path(layer.source().split("|")[0])
        if layer.providerType() != "gdal" or not path.is_file():
            raise InputError(
                f"The built-up raster '{layer.name()}' must be a local file (a GeoTIFF such as GHSL), not a web layer."
            )
        if not layer.crs().isValid():
            raise InputError(f"The built-up raster '{layer.name()}' has no CRS: assign it first (Layer Properties).")
        return BuildingsSource(path=path, name=layer.name())
    if not isinstance(layer, QgsVectorLayer):
        raise InputError("Choose a buildings layer (footprints or points) or a built-up raster.")
    got = read_layer_labels(layer, fixed_label=SCHOOL, role="buildings")
    return BuildingsSource(points=[(p.lon, p.lat) for p in got.points], name=layer.name())
