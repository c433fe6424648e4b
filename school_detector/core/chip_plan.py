"""Planning a chip dataset: which chips, which class, which split. Pure, so it is the same
in the ML runtime (CLI) and in QGIS (dialog rendering a QGIS layer).

Rules, stated once:
* **Chip key.** Grid mode: the zoom-Z tile holding the point (supertile mode: its zoom Z-1
  parent, assembled from 4 zoom-Z children = 512 px). Centred mode: a chip centred on each
  point, with the tile as its grouping key.
* **Duplicates** (several points, same class, same key) become one chip; the point ids are
  kept in the manifest and counted.
* **Conflicts** (one key labeled both ways; the real Colombia labels have 300) follow
  ``conflict_rule``: ``drop`` (default: the key is left out and counted), ``school`` or
  ``not-school`` (that class wins).
* **Splits** are spatially blocked: chips are grouped into blocks (the key tile's ancestor
  ``block_levels`` zooms up: 3 gives 8x8-tile blocks, ~1.2 km at zoom 18;
  by default the coarsest level that still gives 24 blocks) and whole blocks go to one split, so near-
  duplicates never straddle train and test. Blocks are visited in a seeded order and each goes
  to the split whose per-class counts are furthest below target: reproducible, leak-free,
  close to the requested fractions, with both classes in every split when possible.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import InputError
from .tiles import (
    TILE_SIZE,
    Bounds,
    Tile,
    bounds_3857,
    lonlat_to_xy,
    parent,
    pixel_size_3857,
    tile_for_lonlat,
    tile_for_xy,
    xy_to_lonlat,
)

SCHOOL, NOT_SCHOOL = "school", "not-school"
#: Class order used everywhere (folder names, model output): index 1 is the positive class.
CLASSES = (NOT_SCHOOL, SCHOOL)
#: Folder names other tools use for the negative class; readers accept them.
NOT_SCHOOL_ALIASES = ("not-school", "not_school", "notschool", "no-school", "no_school")
SPLITS = ("train", "valid", "test")
CONFLICT_RULES = ("drop", SCHOOL, NOT_SCHOOL)
DATASET_FORMAT = "school-detector-dataset"
DATASET_VERSION = 1


@dataclass(frozen=True)
class LabeledPoint:
    pid: str
    lon: float
    lat: float
    label: str  # SCHOOL or NOT_SCHOOL
    #: a polygon feature's outline (lon/lat rings, one list per part), for what needs the shape
    #: (known schools: a campus); the point is its centroid
    shapes: tuple[list[list[tuple[float, float]]], ...] = ()


@dataclass
class ChipPlan:
    """One chip to cut: where, which class, which split, and where it came from."""

    key: str  # file stem, unique in the dataset
    tile: Tile  # grid tile (zoom Z, or Z-1 for supertiles): grouping and blocking key
    label: str
    point_ids: list[str] = field(default_factory=list)
    lon: float = 0.0
    lat: float = 0.0
    origin: str = "label"  # "label" or "background"
    center_xy: tuple[float, float] | None = None  # centred chips only (EPSG:3857)
    split: str = ""

    def bounds(self, zoom: int, chip_px: int) -> Bounds:
        """Footprint in EPSG:3857 of a ``chip_px`` chip at zoom-``zoom`` resolution."""
        if self.center_xy is None:
            return bounds_3857(self.tile)
        half = chip_px * pixel_size_3857(zoom) / 2
        x, y = self.center_xy
        return Bounds(x - half, y - half, x + half, y + half)

    def relative_path(self) -> str:
        return f"{self.split}/{self.label}/{self.key}.png"


@dataclass
class PlanStats:
    points: int = 0
    duplicates: int = 0
    conflicts: int = 0
    conflict_points: int = 0
    conflict_rule: str = "drop"
    background: int = 0

    def to_dict(self) -> dict[str, int | str]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class ChipGeometry:
    """How chips are cut: the one rule, held alike by a dataset (dataset.json), a model card
    and a scan's settings and record. A supertile is the zoom ``z - 1`` tile's footprint cut
    at zoom ``z`` (2x2 tiles, ``2 * tile_size`` px): its key tile is at ``z - 1``."""

    zoom: int = 18
    supertile: bool = False
    centered: bool = False
    tile_size: int = TILE_SIZE

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> ChipGeometry:
        """The geometry a dataset.json, a model card or a scan's record holds (the chip size
        is derived, never read: one rule)."""
        return cls(
            zoom=int(record.get("zoom") or 18),
            supertile=bool(record.get("supertile", False)),
            centered=bool(record.get("centered", False)),
            tile_size=int(record.get("tile_size") or TILE_SIZE),
        )

    def record(self) -> dict[str, Any]:
        """What a record keeps of it (the chip size too, for people reading the file)."""
        return {"zoom": self.zoom, "supertile": self.supertile, "tile_size": self.tile_size, "chip_px": self.chip_px}

    @property
    def key_zoom(self) -> int:
        return self.zoom - 1 if self.supertile else self.zoom

    @property
    def chip_px(self) -> int:
        return self.tile_size * (2 if self.supertile else 1)

    def validate(self) -> None:
        if not 2 <= self.zoom <= 22:
            raise InputError(f"Zoom {self.zoom} is out of range; use 2 to 22 (18 is ~0.6 m/px at the equator).")


def parse_split(text: str) -> tuple[float, float, float]:
    """``"0.7,0.15,0.15"`` -> fractions that sum to 1."""
    try:
        parts = tuple(float(p) for p in text.split(","))
    except ValueError:
        raise InputError(f"Split {text!r} must be three numbers such as 0.7,0.15,0.15.") from None
    return check_split(parts)


def check_split(parts: Sequence[float]) -> tuple[float, float, float]:
    """The one split rule (the CLI, the dialog and Processing apply it): three non-negative
    train, valid and test fractions that sum to 1, with some training data. Nothing is
    normalised behind the user's back."""
    text = ",".join(f"{p:g}" for p in parts)
    if len(parts) != 3 or any(p < 0 for p in parts) or not math.isclose(sum(parts), 1.0, abs_tol=1e-6):
        raise InputError(f"Split {text} must be three non-negative fractions (train, valid, test) that sum to 1.")
    if parts[0] == 0:
        raise InputError("The train fraction of the split must be above 0.")
    return parts[0], parts[1], parts[2]


def safe_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", str(text)).strip("_")[:40] or "p"


def plan_chips(
    points: Sequence[LabeledPoint], geometry: ChipGeometry, conflict_rule: str = "drop"
) -> tuple[list[ChipPlan], PlanStats]:
    """Group points into chips by key, resolving duplicates and conflicts (module docstring)."""
    geometry.validate()
    if conflict_rule not in CONFLICT_RULES:
        raise InputError(f"Conflict rule must be one of {', '.join(CONFLICT_RULES)}.")
    if not points:
        raise InputError("There are no labeled points: the layer is empty or no value was mapped to a class.")
    stats = PlanStats(points=len(points), conflict_rule=conflict_rule)
    groups: dict[Tile, list[LabeledPoint]] = defaultdict(list)
    for p in points:
        if p.label not in CLASSES:
            raise InputError(f"Point {p.pid} has label {p.label!r}; expected {SCHOOL!r} or {NOT_SCHOOL!r}.")
        groups[tile_for_lonlat(p.lon, p.lat, geometry.key_zoom)].append(p)
    plans: list[ChipPlan] = []
    for tile in sorted(groups, key=lambda t: (t.y, t.x)):
        members = groups[tile]
        labels = {p.label for p in members}
        if len(labels) > 1:
            stats.conflicts += 1
            stats.conflict_points += len(members)
            if conflict_rule == "drop":
                continue
            members = [p for p in members if p.label == conflict_rule]
        label = members[0].label
        if geometry.centered:
            seen: set[tuple[int, int]] = set()
            for p in members:
                x, y = lonlat_to_xy(p.lon, p.lat)
                cell = (round(x), round(y))  # same point to the metre: a duplicate
                if cell in seen:
                    stats.duplicates += 1
                    continue
                seen.add(cell)
                plans.append(
                    ChipPlan(f"{tile.file_stem}-{safe_id(p.pid)}", tile, label, [p.pid], p.lon, p.lat, center_xy=(x, y))
                )
        else:
            stats.duplicates += len(members) - 1
            lon = sum(p.lon for p in members) / len(members)
            lat = sum(p.lat for p in members) / len(members)
            plans.append(ChipPlan(tile.file_stem, tile, label, [p.pid for p in members], lon, lat))
    return plans, stats


def _near_positive_index(plans: Iterable[ChipPlan], cell: float) -> dict[tuple[int, int], list[tuple[float, float]]]:
    index: dict[tuple[int, int], list[tuple[float, float]]] = defaultdict(list)
    for p in plans:
        if p.label == SCHOOL:
            x, y = lonlat_to_xy(p.lon, p.lat)
            index[(math.floor(x / cell), math.floor(y / cell))].append((x, y))
    return index


def add_background(
    plans: list[ChipPlan],
    geometry: ChipGeometry,
    extent_3857: Bounds,
    ratio: float,
    min_distance_m: float,
    seed: int = 0,
) -> int:
    """Add random ``not-school`` chips inside an extent, at least ``min_distance_m`` from any
    school point, ``ratio`` per school chip. Returns how many were added (may be fewer than
    asked when the extent is crowded)."""
    if ratio <= 0:
        return 0
    wanted = round(ratio * sum(1 for p in plans if p.label == SCHOOL))
    if wanted == 0:
        return 0
    z = geometry.key_zoom
    first = tile_for_xy(extent_3857.west, extent_3857.north, z)
    last = tile_for_xy(extent_3857.east, extent_3857.south, z)
    taken = {p.tile for p in plans}
    lat_mid = xy_to_lonlat(0.0, (extent_3857.south + extent_3857.north) / 2)[1]
    scale = 1.0 / max(math.cos(math.radians(lat_mid)), 1e-6)  # ground metres -> EPSG:3857 units
    radius = max(min_distance_m * scale, 1.0)
    index = _near_positive_index(plans, radius)
    # seeded: the same background tiles on every run (a reproducible sample, no secret)
    rng = random.Random(seed)  # nosec B311
    added = 0
    for _ in range(wanted * 50):
        if added >= wanted:
            break
        tile = Tile(rng.randint(first.x, last.x), rng.randint(first.y, last.y), z)
        if tile in taken:
            continue
        b = bounds_3857(tile)
        if (
            b.west < extent_3857.west
            or b.east > extent_3857.east
            or b.south < extent_3857.south
            or b.north > extent_3857.north
        ):
            continue  # only whole chips inside the imagery
        cx, cy = (b.west + b.east) / 2, (b.south + b.north) / 2
        ci, cj = math.floor(cx / radius), math.floor(cy / radius)
        if any(
            math.hypot(px - cx, py - cy) < radius
            for di in (-1, 0, 1)
            for dj in (-1, 0, 1)
            for px, py in index.get((ci + di, cj + dj), ())
        ):
            continue
        lon, lat = xy_to_lonlat(cx, cy)
        taken.add(tile)
        plans.append(ChipPlan(f"{tile.file_stem}-bg", tile, NOT_SCHOOL, [], lon, lat, origin="background"))
        added += 1
    return added


def block_of(plan: ChipPlan, block_levels: int) -> Tile:
    return parent(plan.tile, min(block_levels, plan.tile.z))


def auto_block_levels(plans: Sequence[ChipPlan], min_blocks: int = 24, max_levels: int = 3) -> int:
    """The coarsest blocking (fewest leaks) that still leaves enough blocks to split well."""
    for levels in range(max_levels, 0, -1):
        if len({block_of(p, levels) for p in plans}) >= min_blocks:
            return levels
    return 0


def assign_splits(
    plans: Sequence[ChipPlan],
    fractions: tuple[float, float, float] = (0.7, 0.15, 0.15),
    seed: int = 0,
    block_levels: int | None = None,
) -> int:
    """Set ``plan.split`` for every plan (module docstring: blocked, seeded, stratified).

    ``block_levels=None`` picks it with :func:`auto_block_levels`; returns the levels used."""
    if block_levels is None:
        block_levels = auto_block_levels(plans)
    blocks: dict[Tile, list[ChipPlan]] = defaultdict(list)
    for p in plans:
        blocks[block_of(p, block_levels)].append(p)
    order = sorted(blocks, key=lambda b: hashlib.sha1(f"{seed}:{b.id}".encode(), usedforsecurity=False).hexdigest())
    totals = {c: sum(1 for p in plans if p.label == c) for c in CLASSES}
    counts = {s: dict.fromkeys(CLASSES, 0) for s in SPLITS}
    for block in order:
        members = blocks[block]
        block_counts = {c: sum(1 for p in members if p.label == c) for c in CLASSES}
        candidates = [s for s, f in zip(SPLITS, fractions) if f > 0]
        costs = [_split_cost(counts, block_counts, s, fractions, totals) for s in candidates]
        best = candidates[costs.index(min(costs))]
        for p in members:
            p.split = best
        for c in CLASSES:
            counts[best][c] += block_counts[c]
    return block_levels
    return block_levels


def _split_cost(
    counts: dict[str, dict[str, int]],
    block_counts: dict[str, int],
    split: str,
    fractions: tuple[float, float, float],
    totals: dict[str, int],
) -> float:
    """Squared relative shortfall against the targets if this block went to ``split``."""
    total = 0.0
    for s, frac in zip(SPLITS, fractions):
        for c in CLASSES:
            have = counts[s][c] + (block_counts[c] if s == split else 0)
            total += ((have - frac * totals[c]) / max(totals[c], 1)) ** 2
    return total


def split_counts(plans: Iterable[ChipPlan]) -> dict[str, dict[str, int]]:
    out = {s: dict.fromkeys(CLASSES, 0) for s in SPLITS}
    for p in plans:
        if p.split:
            out[p.split][p.label] += 1
    return out


def fingerprint(rows: Iterable[str]) -> str:
    """A stable hash of the manifest lines: the dataset id a model card records."""
    h = hashlib.sha256()
    for row in sorted(rows):
        h.update(row.encode())
        h.update(b"\n")
    return h.hexdigest()[:16]
