"""Schools the mapper already knows (the training labels, a ministry list, OpenStreetMap): a
scan sets aside every candidate whose point lands on one, so the review queue holds only what
may be new. Read from a file (GeoPackage, GeoJSON, CSV lon/lat; points, or polygons kept as
polygons; any CRS) or a dataset folder (the school points its chips were cut for)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from ..core.chip_plan import SCHOOL, LabeledPoint
from ..core.errors import InputError
from ..core.places import KNOWN_DISTANCE_M, KnownSchools
from ..core.tiles import lonlat_to_xy

#: the field and values that mark schools in a labels file (as ``chips`` reads labels)
KNOWN_FIELD, KNOWN_VALUES = "label", (SCHOOL,)


def read_known(
    path: Path,
    field: str = KNOWN_FIELD,
    values: Sequence[str] = KNOWN_VALUES,
    layer: str | None = None,
    distance_m: float = KNOWN_DISTANCE_M,
) -> KnownSchools:
    """The known schools of ``path``. When the file has the class field, only features with
    one of ``values`` count; without it, every feature is a school (a list of schools)."""
    path = Path(path)
    if path.is_dir():
        schools = [LabeledPoint("", lon, lat, SCHOOL) for lon, lat in _dataset_schools(path)]
    elif not path.is_file():
        raise InputError(f"Known schools file {path} does not exist.")
    else:
        schools = _file_schools(path, field, values, layer)
    if not schools:
        raise InputError(
            f"{path.name} holds no known school"
            + (f" (no feature has {field} = {', '.join(values)})" if not path.is_dir() else "")
            + ". Check the file, or the class field and values (--known-field, --known-values)."
        )
    return known_schools(schools, distance_m)


def known_schools(schools: Sequence[LabeledPoint], distance_m: float = KNOWN_DISTANCE_M) -> KnownSchools:
    """Point features as points, polygon features (a compound, a campus) as their polygons."""
    points = [lonlat_to_xy(s.lon, s.lat) for s in schools if not s.shapes]
    polygons = [[[lonlat_to_xy(lon, lat) for lon, lat in ring] for ring in poly] for s in schools for poly in s.shapes]
    return KnownSchools(points, polygons, distance_m=distance_m)


def _file_schools(path: Path, field: str, values: Sequence[str], layer: str | None) -> list[LabeledPoint]:
    from ..dataset.labels_io import LabelMapping, field_names, read_labels

    try:
        if field in field_names(path, layer):
            points, _ = read_labels(path, LabelMapping(field, list(values), negative_values=()), layer=layer)
        elif field != KNOWN_FIELD:
            raise InputError(f"{path.name} has no field {field!r}: choose the class field with --known-field.")
        else:
            points, _ = read_labels(path, fixed_label=SCHOOL, layer=layer)
    except InputError as exc:
        raise InputError(f"Known schools: {exc.message}", exc.details) from exc
    return [p for p in points if p.label == SCHOOL]


def _dataset_schools(folder: Path) -> list[tuple[float, float]]:
    """The school points of a dataset folder: each label point as given (schools.csv), or, for
    a dataset made before it was kept, the school chips' manifest rows (not background)."""
    from ..dataset.builder import MANIFEST, read_school_points

    kept = read_school_points(folder)
    if kept is not None:
        return kept
    manifest = folder / MANIFEST
    if not manifest.is_file():
        raise InputError(f"{folder} is neither a labels file nor a dataset folder (no manifest.csv).")
    with manifest.open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r.get("label") == SCHOOL and r.get("origin") != "background"]
    return [(float(r["lon"]), float(r["lat"])) for r in rows if r.get("lon") and r.get("lat")]


def combine(*lists: KnownSchools | None) -> KnownSchools | None:
    """One list of known schools from several (a layer and the model's training schools)."""
    given = [k for k in lists if k is not None]
    if not given:
        return None
    return KnownSchools(
        [p for k in given for p in k.points],
        [poly for k in given for poly in k.polygons],
        distance_m=max(k.distance_m for k in given),
    )
