"""Deterministic sample scene: an RGB GeoTIFF in EPSG:3857 at zoom-18 resolution that looks
like overhead imagery of a small town, plus a GeoPackage of labeled points and ground truth.

Why synthetic: the real rasters we may ship are too small to hold dozens of schools, and the
real school labels come without imagery. A generated scene gives a measurable loop (we know
where every school is) while exercising real GeoTIFF and GeoPackage I/O.

What is drawn, so the classifier has to learn something real:
* ground: vegetation and soil from smooth noise, trees, dirt and asphalt roads;
* houses: small roofs in a few materials with shadows;
* hard negatives: large halls/warehouses (big single roofs) and markets (rows of stalls);
* schools: a walled compound with a bare-earth yard, an L- or U-shaped classroom block and,
  usually, a sports pitch with white lines.

Runs with numpy 1.24 (QGIS side) and 2.x (ML runtime); needs rasterio for writing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import InputError
from ..core.gpkg import GeoPackage
from ..core.tiles import TILE_SIZE, bounds_3857, pixel_size_3857, tile_for_lonlat, xy_to_lonlat

SCENE_TIF = "scene.tif"
LABELS_GPKG = "labels.gpkg"
SCENE_JSON = "scene.json"
#: Bump when the drawing or labelling changes, so old scenes on disk are not reused.
GENERATOR_VERSION = 5

ROOFS = np.array(
    [[150, 92, 62], [172, 172, 178], [158, 72, 52], [148, 130, 92], [120, 120, 128], [190, 110, 80]], dtype=np.float32
)
SCHOOL_ROOFS = np.array([[205, 205, 210], [152, 66, 48], [72, 92, 140], [180, 180, 186]], dtype=np.float32)


@dataclass
class SceneSpec:
    """Parameters of a scene; equal specs give byte-identical outputs."""

    tiles: int = 16
    zoom: int = 18
    lon: float = 30.0600
    lat: float = -1.9500
    seed: int = 0
    schools: int | None = None  # default: one per ~6 tiles (town), ~10 tiles (district)
    mapped_fraction: float = 0.7  # share of schools that appear in the labels layer
    negatives_per_school: float = 3.0
    #: "town": houses everywhere on a road grid; "district": villages among fields and empty land,
    #: as a district scan meets them (most tiles hold no building)
    layout: str = "town"

    def resolved_schools(self) -> int:
        per = 12 if self.layout == "district" else 6
        return self.schools if self.schools is not None else max(2, round(self.tiles * self.tiles / per))


@dataclass
class Site:
    kind: str  # school, house, hall, market
    row: int
    col: int
    height: int
    width: int
    mapped: bool = False
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def center(self) -> tuple[float, float]:
        return self.row + self.height / 2, self.col + self.width / 2


def _smooth_noise(rng: np.random.Generator, shape: tuple[int, int], cell: int) -> np.ndarray:
    """Bilinear-upsampled random grid: cheap, seamless large-scale texture in [0, 1]."""
    gh, gw = shape[0] // cell + 2, shape[1] // cell + 2
    grid = rng.random((gh, gw)).astype(np.float32)
    ys = np.arange(shape[0], dtype=np.float32) / cell
    xs = np.arange(shape[1], dtype=np.float32) / cell
    y0, x0 = ys.astype(np.int32), xs.astype(np.int32)
    fy, fx = (ys - y0)[:, None], (xs - x0)[None, :]
    a = grid[y0][:, x0]
    b = grid[y0][:, x0 + 1]
    c = grid[y0 + 1][:, x0]
    d = grid[y0 + 1][:, x0 + 1]
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy


def _box_blur(img: np.ndarray) -> np.ndarray:
    """3x3 box blur (sensor softness) with edge padding, numpy only."""
    p = np.pad(img, ((1, 1), (1, 1), (0, 0)), mode="edge")
    acc = np.zeros_like(img, dtype=np.float32)
    for dy in range(3):
        for dx in range(3):
            acc += p[dy : dy + img.shape[0], dx : dx + img.shape[1]]
    return acc / 9.0


class _Canvas:
    def __init__(self, size: int, rng: np.random.Generator) -> None:
        self.size = size
        self.rng = rng
        self.img = np.zeros((size, size, 3), dtype=np.float32)
        self.used = np.zeros((size, size), dtype=bool)

    def free(self, r: int, c: int, h: int, w: int, margin: int = 3) -> bool:
        r0, c0 = max(r - margin, 0), max(c - margin, 0)
        r1, c1 = r + h + margin, c + w + margin
        if r < 0 or c < 0 or r + h > self.size or c + w > self.size:
            return False
        return not self.used[r0:r1, c0:c1].any()

    def claim(self, r: int, c: int, h: int, w: int) -> None:
        self.used[max(r, 0) : r + h, max(c, 0) : c + w] = True

    def rect(self, r: int, c: int, h: int, w: int, color: np.ndarray, jitter: float = 6.0) -> None:
        r0, c0, r1, c1 = max(r, 0), max(c, 0), min(r + h, self.size), min(c + w, self.size)
        if r1 <= r0 or c1 <= c0:
            return
        noise = self.rng.normal(0.0, jitter, (r1 - r0, c1 - c0, 1)).astype(np.float32)
        self.img[r0:r1, c0:c1] = color + noise

    def roof(self, r: int, c: int, h: int, w: int, color: np.ndarray) -> None:
        """A roof with a cast shadow (south-east) and a ridge line, as seen from above."""
        self.img[r + 3 : r + h + 3, c + 3 : c + w + 3] *= 0.55
        self.rect(r, c, h, w, color, jitter=4.0)
        if h >= w:
            self.img[r : r + h, c + w // 2 : c + w // 2 + 1] = color * 0.8
        else:
            self.img[r + h // 2 : r + h // 2 + 1, c : c + w] = color * 0.8


def _ground(canvas: _Canvas) -> None:
    rng, n = canvas.rng, canvas.size
    veg = _smooth_noise(rng, (n, n), 96)
    detail = _smooth_noise(rng, (n, n), 12)
    green = np.array([62, 92, 48], dtype=np.float32)
    soil = np.array([150, 126, 96], dtype=np.float32)
    mix = np.clip(veg * 1.4 - 0.2, 0, 1)[..., None]
    canvas.img[:] = green * mix + soil * (1 - mix)
    canvas.img *= (0.85 + 0.3 * detail)[..., None]
    canvas.img += rng.normal(0, 5, (n, n, 1)).astype(np.float32)


def _roads(canvas: _Canvas, spacing: int) -> list[int]:
    """Axis-aligned road grid with jitter; returns road centre lines (same for x and y)."""
    rng, n = canvas.rng, canvas.size
    lines = []
    pos = int(rng.integers(spacing // 3, spacing))
    while pos < n - 20:
        lines.append(pos)
        pos += int(rng.integers(int(spacing * 0.8), int(spacing * 1.25)))
    for i, centre in enumerate(lines):
        width = int(rng.integers(9, 15))
        color = np.array([95, 95, 100] if i % 3 == 0 else [176, 152, 118], dtype=np.float32)
        h0 = max(centre - width // 2, 0)
        canvas.rect(h0, 0, width, n, color, jitter=5)
        canvas.rect(0, h0, n, width, color, jitter=5)
        canvas.claim(h0 - 2, 0, width + 4, n)
        canvas.claim(0, h0 - 2, n, width + 4)
    return lines


def _school(canvas: _Canvas, r: int, c: int, h: int, w: int) -> dict[str, Any]:
    rng = canvas.rng
    canvas.rect(r, c, h, w, np.array([196, 170, 128], dtype=np.float32), jitter=7)  # bare-earth yard
    wall = np.array([225, 220, 210], dtype=np.float32)
    canvas.img[r : r + h, c : c + 2] = wall
    canvas.img[r : r + h, c + w - 2 : c + w] = wall
    canvas.img[r : r + 2, c : c + w] = wall
    canvas.img[r + h - 2 : r + h, c : c + w] = wall
    roof = SCHOOL_ROOFS[rng.integers(len(SCHOOL_ROOFS))]
    wing = int(rng.integers(15, 20))
    shape = "U" if rng.random() < 0.45 else "L"
    br, bc = r + 8, c + 8
    long_w, long_h = w - 16, int(h * 0.55)
    canvas.roof(br, bc, wing, long_w, roof)  # the long classroom block along the top
    canvas.roof(br, bc, long_h, wing, roof)  # first wing down the left
    if shape == "U":
        canvas.roof(br, bc + long_w - wing, long_h, wing, roof)
    pitch = bool(rng.random() < 0.75)
    if pitch:
        ph, pw = int(h * 0.3), int(w * 0.45)
        pr, pc = r + h - ph - 8, c + (w - pw) // 2 + (8 if shape == "L" else 0)
        canvas.rect(pr, pc, ph, pw, np.array([70, 138, 62], dtype=np.float32), jitter=4)
        line = np.array([240, 240, 240], dtype=np.float32)
        canvas.img[pr : pr + ph, pc] = line
        canvas.img[pr : pr + ph, pc + pw - 1] = line
        canvas.img[pr, pc : pc + pw] = line
        canvas.img[pr + ph - 1, pc : pc + pw] = line
        canvas.img[pr : pr + ph, pc + pw // 2] = line
    return {"shape": shape, "pitch": pitch}


def _hall(canvas: _Canvas, r: int, c: int, h: int, w: int) -> None:
    canvas.roof(r, c, h, w, SCHOOL_ROOFS[canvas.rng.integers(len(SCHOOL_ROOFS))])


def _market(canvas: _Canvas, r: int, c: int, h: int, w: int) -> None:
    rng = canvas.rng
    canvas.rect(r, c, h, w, np.array([165, 150, 125], dtype=np.float32), jitter=8)
    for rr in range(r + 4, r + h - 10, 14):
        for cc in range(c + 4, c + w - 10, 12):
            canvas.roof(rr, cc, 9, 8, ROOFS[rng.integers(len(ROOFS))])


def _place(canvas: _Canvas, h: int, w: int, tries: int = 400) -> tuple[int, int] | None:
    for _ in range(tries):
        r = int(canvas.rng.integers(0, canvas.size - h))
        c = int(canvas.rng.integers(0, canvas.size - w))
        if canvas.free(r, c, h, w):
            canvas.claim(r, c, h, w)
            return r, c
    return None


def _add(canvas: _Canvas, sites: list[Site], kind: str, spot: tuple[int, int] | None, h: int, w: int) -> None:
    """Draw one building site at ``spot`` (if there was room) and record it."""
    if spot is None:
        return
    if kind == "school":
        sites.append(Site("school", spot[0], spot[1], h, w, meta=_school(canvas, *spot, h, w)))
    elif kind == "hall":
        _hall(canvas, spot[0], spot[1], h, w)
        sites.append(Site("hall", spot[0], spot[1], h, w))
    elif kind == "market":
        _market(canvas, spot[0], spot[1], h, w)
        sites.append(Site("market", spot[0], spot[1], h, w))
    else:
        canvas.roof(spot[0], spot[1], h, w, ROOFS[canvas.rng.integers(len(ROOFS))])
        sites.append(Site("house", spot[0], spot[1], h, w))


Placer = Callable[[int, int, int, int], "tuple[int, int] | None"]


def _buildings(canvas: _Canvas, spec: SceneSpec, place: Placer, houses: int) -> list[Site]:
    """Schools, then as many halls and markets (the hard negatives), then houses; ``place(h,
    w, tries, k)`` finds room for each (anywhere in a town; in a district, near village ``k``,
    so each school has its own village, or a random one for k < 0)."""
    rng = canvas.rng
    sites: list[Site] = []
    for i in range(spec.resolved_schools()):
        h, w = int(rng.integers(105, 140)), int(rng.integers(125, 165))
        _add(canvas, sites, "school", place(h, w, 400, i), h, w)
    for i in range(max(2, len(sites))):
        h, w = int(rng.integers(35, 70)), int(rng.integers(45, 110))
        grow = 6 if i % 2 else 0  # a market keeps a margin of stalls around it
        spot = place(h + 6, w + 6, 400, -1)
        _add(canvas, sites, "market" if i % 2 else "hall", spot, h + grow, w + grow)
    for _ in range(houses):
        h, w = int(rng.integers(11, 22)), int(rng.integers(11, 22))
        _add(canvas, sites, "house", place(h + 3, w + 3, 20, -1), h, w)
    return sites


def _trees(canvas: _Canvas, count: int) -> None:
    rng = canvas.rng
    rows, cols = rng.integers(0, canvas.size, count), rng.integers(0, canvas.size, count)
    radii = rng.integers(3, 8, count)
    for r, c, rad in zip(rows, cols, radii):
        r0, r1, c0, c1 = max(r - rad, 0), min(r + rad, canvas.size), max(c - rad, 0), min(c + rad, canvas.size)
        if canvas.used[r0:r1, c0:c1].any():
            continue
        yy, xx = np.ogrid[r0:r1, c0:c1]
        disk = (yy - r) ** 2 + (xx - c) ** 2 <= rad * rad
        canvas.img[r0:r1, c0:c1][disk] = np.array([38, 70, 34], dtype=np.float32) + rng.normal(0, 6)


def _fields(canvas: _Canvas) -> None:
    """Cultivated plots with crop rows across the land (drawn under everything, claiming nothing)."""
    rng, n = canvas.rng, canvas.size
    crops = np.array([[104, 132, 62], [150, 140, 88], [122, 150, 76], [170, 150, 110], [92, 118, 58]], np.float32)
    for _ in range(int(n * n / 180**2)):
        h, w = int(rng.integers(80, 260)), int(rng.integers(80, 260))
        r, c = int(rng.integers(0, n - h)), int(rng.integers(0, n - w))
        color = crops[rng.integers(len(crops))]
        canvas.rect(r, c, h, w, color, jitter=3.0)
        step = int(rng.integers(5, 9))
        canvas.img[r : r + h : step, c : c + w] *= 0.9  # the crop rows


#: village centres at least this far apart (px, ~240 m at zoom 18): a school per village, so
#: schools are sparse, as in a rural district (two schools in one tile would share one point)
VILLAGE_SPACING = 400


def _village_centres(canvas: _Canvas, count: int) -> list[tuple[int, int]]:
    rng, n = canvas.rng, canvas.size
    margin = min(200, n // 6)
    centres: list[tuple[int, int]] = []
    for _ in range(count * 50):
        if len(centres) == count:
            break
        r, c = int(rng.integers(margin, n - margin)), int(rng.integers(margin, n - margin))
        if all((r - a) ** 2 + (c - b) ** 2 >= VILLAGE_SPACING**2 for a, b in centres):
            centres.append((r, c))
    return centres


def _villages(canvas: _Canvas, count: int) -> Placer:
    """Village centres; the placer puts a school in its own village's core, and other buildings
    near a random village (denser at the middle)."""
    rng = canvas.rng
    centres = _village_centres(canvas, count)
    count = len(centres)
    radii = [int(rng.integers(150, 260)) for _ in range(count)]

    def place(h: int, w: int, tries: int, village: int) -> tuple[int, int] | None:
        for _ in range(tries):
            own = 0 <= village < count
            k = village if own else int(rng.integers(count))
            angle, dist = rng.uniform(0, 2 * math.pi), radii[k] * (0.5 if own else 1.0) * math.sqrt(rng.uniform(0, 1))
            r = int(centres[k][0] + dist * math.sin(angle) - h / 2)
            c = int(centres[k][1] + dist * math.cos(angle) - w / 2)
            if canvas.free(r, c, h, w):
                canvas.claim(r, c, h, w)
                return r, c
        return None

    return place


def render(spec: SceneSpec) -> tuple[np.ndarray, list[Site]]:
    """Draw the scene; returns the HxWx3 uint8 image and every site drawn."""
    if not 2 <= spec.tiles <= 64:
        raise InputError("A sample scene must be 2 to 64 tiles across.")
    if spec.layout not in ("town", "district"):
        raise InputError(f"Unknown scene layout {spec.layout!r}; use town or district.")
    rng = np.random.default_rng(spec.seed)
    canvas = _Canvas(spec.tiles * TILE_SIZE, rng)
    _ground(canvas)
    if spec.layout == "district":
        _fields(canvas)
        _roads(canvas, spacing=900)
        place = _villages(canvas, max(3, round(spec.resolved_schools() * 1.25)))
        sites = _buildings(canvas, spec, place, houses=int(spec.tiles * spec.tiles * 5))
    else:
        _roads(canvas, spacing=300)
        sites = _buildings(canvas, spec, lambda h, w, tries, _: _place(canvas, h, w, tries), int(spec.tiles**2 * 9))
    _trees(canvas, int(spec.tiles * spec.tiles * 25))
    img = np.clip(_box_blur(canvas.img), 0, 255).astype(np.uint8)
    school_sites = [s for s in sites if s.kind == "school"]
    order = rng.permutation(len(school_sites))
    for rank, idx in enumerate(order):
        school_sites[idx].mapped = rank < round(spec.mapped_fraction * len(school_sites))
    return img, sites


def write_xyz_tiles(tif: Path, out_dir: Path, zoom: int = 18) -> int:
    """Cut a grid-aligned EPSG:3857 scene into ``out_dir/{z}/{x}/{y}.png`` (an XYZ layout that
    QGIS opens as ``file:///…/{z}/{x}/{y}.png`` and tests serve over loopback HTTP)."""
    import rasterio
    from PIL import Image

    with rasterio.open(tif) as src:
        data = src.read()
        first = tile_for_lonlat(*xy_to_lonlat(src.bounds.left + 1, src.bounds.top - 1), zoom)
    rows, cols = data.shape[1] // TILE_SIZE, data.shape[2] // TILE_SIZE
    for j in range(rows):
        for i in range(cols):
            folder = Path(out_dir) / str(zoom) / str(first.x + i)
            folder.mkdir(parents=True, exist_ok=True)
            block = data[:, j * TILE_SIZE : (j + 1) * TILE_SIZE, i * TILE_SIZE : (i + 1) * TILE_SIZE]
            Image.fromarray(np.ascontiguousarray(np.moveaxis(block, 0, 2))).save(folder / f"{first.y + j}.png")
    return rows * cols


def _scene_origin(spec: SceneSpec) -> tuple[float, float, float]:
    """West/north of the scene in EPSG:3857, snapped to the tile grid, and pixel size."""
    first = tile_for_lonlat(spec.lon, spec.lat, spec.zoom)
    b = bounds_3857(first)
    return b.west, b.north, pixel_size_3857(spec.zoom)


def _reusable(spec: SceneSpec, out_dir: Path) -> dict[str, Any] | None:
    """The scene already on disk, when it was written from the same spec by this generator."""
    meta_path = out_dir / SCENE_JSON
    if not (meta_path.is_file() and (out_dir / SCENE_TIF).is_file() and (out_dir / LABELS_GPKG).is_file()):
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    if meta.get("spec") != asdict(spec) or meta.get("generator") != GENERATOR_VERSION:
        return None
    meta["reused"] = True
    return dict(meta)


def _write_tif(img: np.ndarray, spec: SceneSpec, out_dir: Path) -> None:
    import rasterio
    from rasterio.transform import Affine

    west, north, px = _scene_origin(spec)
    size = img.shape[0]
    tif_tmp = out_dir / (SCENE_TIF + ".tmp")
    profile = {
        "driver": "GTiff",
        "width": size,
        "height": size,
        "count": 3,
        "dtype": "uint8",
        "crs": "EPSG:3857",
        "transform": Affine(px, 0.0, west, 0.0, -px, north),
        "tiled": True,
        "blockxsize": TILE_SIZE,
        "blockysize": TILE_SIZE,
        "compress": "deflate",
        "photometric": "RGB",
        "interleave": "pixel",
    }
    with rasterio.open(tif_tmp, "w", **profile) as dst:
        dst.write(np.moveaxis(img, 2, 0))
    tif_tmp.replace(out_dir / SCENE_TIF)


class _Georef:
    """Scene pixels (row, col) to the map."""

    def __init__(self, spec: SceneSpec) -> None:
        self.west, self.north, self.px = _scene_origin(spec)

    def lonlat(self, row: float, col: float) -> tuple[float, float]:
        return xy_to_lonlat(self.west + col * self.px, self.north - row * self.px)

    def ring(self, s: Site) -> list[tuple[float, float]]:
        bottom, right = s.row + s.height, s.col + s.width
        corners = ((s.row, s.col), (s.row, right), (bottom, right), (bottom, s.col), (s.row, s.col))
        return [(self.west + c * self.px, self.north - r * self.px) for r, c in corners]


def _negatives(spec: SceneSpec, sites: list[Site], geo: _Georef) -> list[Site]:
    """Not-school label sites: every hall and market, then houses to the spec's share; none
    shares a zoom-18 tile with any part of a school compound (clean labels)."""
    rng = np.random.default_rng(spec.seed + 1)
    schools = [s for s in sites if s.kind == "school"]
    others = [s for s in sites if s.kind != "school"]
    n_neg = min(len(others), round(spec.negatives_per_school * len(schools)))
    school_tiles = {
        tile_for_lonlat(*geo.lonlat(r, c), spec.zoom)
        for s in schools
        for r in range(s.row, s.row + s.height + 1, 16)
        for c in range(s.col, s.col + s.width + 1, 16)
    }
    others = [s for s in others if tile_for_lonlat(*geo.lonlat(*s.center), spec.zoom) not in school_tiles]
    big = [s for s in others if s.kind != "house"]
    houses = [s for s in others if s.kind == "house"]
    picked_houses = (
        [houses[i] for i in sorted(rng.choice(len(houses), min(len(houses), max(0, n_neg - len(big))), replace=False))]
        if houses
        else []
    )
    return big + picked_houses


def _write_labels(path: Path, sites: list[Site], negatives: list[Site], geo: _Georef) -> None:
    schools = [s for s in sites if s.kind == "school"]
    ids = {id(s): i + 1 for i, s in enumerate(sites)}
    with GeoPackage(path) as gpkg:
        gpkg.create_feature_table(
            "labels",
            "POINT",
            4326,
            [("label", "TEXT"), ("kind", "TEXT"), ("site_id", "INTEGER")],
            description="Mapped schools and not-school buildings: training labels",
        )
        gpkg.create_feature_table(
            "truth",
            "POINT",
            4326,
            [("kind", "TEXT"), ("site_id", "INTEGER"), ("mapped", "INTEGER"), ("shape", "TEXT")],
            description="Every school in the scene (ground truth), mapped or not",
        )
        gpkg.create_feature_table(
            "truth_footprints",
            "POLYGON",
            3857,
            [("site_id", "INTEGER"), ("mapped", "INTEGER")],
            description="Compound outline of every school (EPSG:3857)",
        )
        gpkg.insert_features(
            "labels",
            [
                (geo.lonlat(*s.center), {"label": "school", "kind": s.kind, "site_id": ids[id(s)]})
                for s in schools
                if s.mapped
            ]
            + [
                (geo.lonlat(*s.center), {"label": "not-school", "kind": s.kind, "site_id": ids[id(s)]})
                for s in negatives
            ],
        )
        truth = {"kind": "school", "site_id": 0, "mapped": 0, "shape": ""}
        gpkg.insert_features(
            "truth",
            [
                (
                    geo.lonlat(*s.center),
                    {**truth, "site_id": ids[id(s)], "mapped": int(s.mapped), "shape": s.meta.get("shape", "")},
                )
                for s in schools
            ],
        )
        gpkg.insert_features(
            "truth_footprints",
            [([geo.ring(s)], {"site_id": ids[id(s)], "mapped": int(s.mapped)}) for s in schools],
        )
        gpkg.create_feature_table(
            "buildings",
            "POLYGON",
            3857,
            [("kind", "TEXT")],
            description="Footprint of every building (as Microsoft or Google Open Buildings would give)",
        )
        gpkg.insert_features("buildings", [([geo.ring(s)], {"kind": s.kind}) for s in sites])


def _district(spec: SceneSpec, geo: _Georef, size: int) -> list[list[tuple[float, float]]]:
    """An irregular district outline (EPSG:3857) over most of the scene: a scan of it meets
    tiles that cross its border, and schools outside it."""
    rng = np.random.default_rng(spec.seed + 2)
    centre, vertices = size / 2, 14
    ring = []
    for k in range(vertices):
        angle = 2 * math.pi * k / vertices
        radius = size * rng.uniform(0.36, 0.47)
        row, col = centre + radius * math.sin(angle), centre + radius * math.cos(angle)
        ring.append((geo.west + col * geo.px, geo.north - row * geo.px))
    return [ring + ring[:1]]


def write_scene(spec: SceneSpec, out_dir: Path, force: bool = False) -> dict[str, Any]:
    """Write scene.tif, labels.gpkg and scene.json into ``out_dir``; reuse them if the spec matches."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if not force:
        reused = _reusable(spec, out_dir)
        if reused is not None:
            return reused
    img, sites = render(spec)
    _write_tif(img, spec, out_dir)
    geo = _Georef(spec)
    negatives = _negatives(spec, sites, geo)
    gpkg_tmp = out_dir / (LABELS_GPKG + ".tmp")
    gpkg_tmp.unlink(missing_ok=True)
    _write_labels(gpkg_tmp, sites, negatives, geo)
    with GeoPackage(gpkg_tmp) as gpkg:
        gpkg.create_feature_table("district", "POLYGON", 3857, [("name", "TEXT")], description="A district to scan")
        gpkg.insert_features("district", [(_district(spec, geo, img.shape[0]), {"name": "Sample district"})])
    gpkg_tmp.replace(out_dir / LABELS_GPKG)
    schools = [s for s in sites if s.kind == "school"]
    size, px = img.shape[0], geo.px
    meta = {
        "spec": asdict(spec),
        "generator": GENERATOR_VERSION,
        "image": SCENE_TIF,
        "labels": LABELS_GPKG,
        "crs": "EPSG:3857",
        "bounds_3857": [geo.west, geo.north - size * px, geo.west + size * px, geo.north],
        "size_px": size,
        "pixel_size_m": px,
        "area_km2": round((size * px * math.cos(math.radians(spec.lat))) ** 2 / 1e6, 3),
        "counts": {k: sum(1 for s in sites if s.kind == k) for k in ("school", "hall", "market", "house")},
        "mapped_schools": sum(1 for s in schools if s.mapped),
        "label_points": sum(1 for s in schools if s.mapped) + len(negatives),
        "reused": False,
    }
    (out_dir / SCENE_JSON).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta
