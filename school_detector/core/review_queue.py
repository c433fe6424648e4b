"""Ordering, sharing and grouping a review queue (pure: the dock, the CLI and tests share it).

- *Order*: highest score first, or a nearest-neighbour path so the map moves as little as
  possible between candidates (a mapper's time goes into panning otherwise).
- *Share*: several mappers split one queue, by stride (every N-th candidate: each sees the
  whole area, similar score mix) or by region (N west-to-east strips: each works one area).
  Shares are disjoint and together cover the queue, so decisions merge without conflicts.
- *Places*: one school is often seen from several neighbouring tiles; grouping them
  lets a mapper decide once per school. Candidates placed by the model (a point on the school)
  are one place when their points lie within a school's size of the best one; candidates at
  tile centres are one place within a block of at most 2x2 touching tiles. A place is bounded
  by construction: it never chains a neighbourhood, let alone a district, into one decision.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from .distances import PLACE_RADIUS_M
from .places import MODEL, ground_distance

EARTH_RADIUS_M = 6378137.0  # the sphere of EPSG:3857

SHARE_MODES = ("stride", "region")


class Item(NamedTuple):
    """One candidate: an id (feature id), its tile and score, and its point (EPSG:3857) when the
    model placed it (None at a tile centre)."""

    key: int
    z: int
    x: int
    y: int
    score: float
    px: float | None = None
    py: float | None = None

    @property
    def point(self) -> tuple[float, float] | None:
        return (self.px, self.py) if self.px is not None and self.py is not None else None


def candidate_item(key: int, row: Mapping[str, Any], point: tuple[float, float] | None) -> Item:
    """A candidate (its ``z``, ``x``, ``y``, ``score`` and ``location``) as a queue item, with
    ``point`` only where the model placed it (a tile-centre fallback groups by its tile)."""
    px, py = point if point is not None and row.get("location") == MODEL else (None, None)
    return Item(key, row["z"], row["x"], row["y"], float(row.get("score") or 0.0), px, py)


def by_score(items: Sequence[Item]) -> list[Item]:
    """Highest score first; ties in a stable, spatial order."""
    return sorted(items, key=lambda i: (-i.score, i.y, i.x))


def nearest_path(items: Sequence[Item], start: tuple[float, float] | None = None) -> list[Item]:
    """A greedy nearest-neighbour walk over tile centres, from ``start`` (tile coordinates,
    e.g. the map centre) or the highest-scoring candidate. A bucket grid (rebuilt coarser as
    candidates are used up) keeps each step near constant time: tens of thousands of
    candidates order in about a second."""
    if not items:
        return []
    if start is None:
        best = by_score(items)[0]
        start = (float(best.x), float(best.y))
    px, py = start
    left = set(range(len(items)))
    order: list[Item] = []
    while left:
        grid = _Grid(items, left)
        rebuild_at = len(left) // 2
        while len(left) > rebuild_at:
            k = grid.nearest(px, py)
            grid.remove(k)
            left.discard(k)
            order.append(items[k])
            px, py = float(items[k].x), float(items[k].y)
    return order


class _Grid:
    """Candidates bucketed by cell, about one per cell, for nearest-neighbour look-ups."""

    def __init__(self, items: Sequence[Item], keys: set[int]) -> None:
        self.items = items
        xs = [items[k].x for k in keys]
        ys = [items[k].y for k in keys]
        span = max(max(xs) - min(xs), max(ys) - min(ys), 1)
        self.cell = max(1.0, span / math.sqrt(len(keys)))
        self.buckets: dict[tuple[int, int], set[int]] = defaultdict(set)
        for k in keys:
            self.buckets[self._cell(items[k].x, items[k].y)].add(k)
        self.box = (min(xs) // self.cell, min(ys) // self.cell, max(xs) // self.cell, max(ys) // self.cell)

    def _cell(self, x: float, y: float) -> tuple[int, int]:
        return int(x // self.cell), int(y // self.cell)

    def remove(self, k: int) -> None:
        key = self._cell(self.items[k].x, self.items[k].y)
        self.buckets[key].discard(k)
        if not self.buckets[key]:
            del self.buckets[key]

    def nearest(self, px: float, py: float) -> int:
        cx, cy = self._cell(px, py)
        x0, y0, x1, y1 = self.box
        last_ring = int(max(abs(cx - x0), abs(cx - x1), abs(cy - y0), abs(cy - y1))) + 1
        best, best_d = -1, math.inf
        for ring in range(last_ring + 1):
            for gx in range(cx - ring, cx + ring + 1):
                edge = abs(gx - cx) == ring
                for gy in range(cy - ring, cy + ring + 1) if edge else (cy - ring, cy + ring):
                    for k in self.buckets.get((gx, gy), ()):
                        it = self.items[k]
                        d = (it.x - px) ** 2 + (it.y - py) ** 2
                        if d < best_d or (d == best_d and it.score > self.items[best].score):
                            best, best_d = k, d
            # anything in a further ring is at least ring * cell away
            if best >= 0 and math.sqrt(best_d) <= ring * self.cell:
                break
        return best


def share(items: Sequence[Item], part: int, parts: int, mode: str = "stride") -> list[Item]:
    """This mapper's share (``part`` of ``parts``, from 0); order within it is kept."""
    if mode not in SHARE_MODES:
        raise ValueError(f"share mode must be one of {', '.join(SHARE_MODES)}, not {mode!r}")
    if parts < 1 or not 0 <= part < parts:
        raise ValueError(f"share {part + 1} of {parts} does not exist")
    if parts == 1:
        return list(items)
    if mode == "stride":
        ranked = sorted(items, key=lambda i: (i.z, i.y, i.x))  # a fixed order, whatever the queue order
        mine = {it.key for k, it in enumerate(ranked) if k % parts == part}
    else:
        ranked = sorted(items, key=lambda i: (i.z, i.x, i.y))  # west to east strips of equal size
        n = len(ranked)
        mine = {it.key for k, it in enumerate(ranked) if k * parts // n == part}
    return [it for it in items if it.key in mine]


def places(items: Sequence[Item], radius_m: float = PLACE_RADIUS_M) -> list[list[Item]]:
    """Places: groups of candidates that are one school, each sorted by score, in the order of
    their best member (a queue sorted by score stays sorted). Greedy from the best candidate: a
    point-placed seed takes the unassigned points within ``radius_m`` of its point; a tile-centre
    seed takes the unassigned tile-centre candidates of the 2x2 block around it that holds the
    most of them. Candidates of other zooms, and without tiles (``z < 0``), are never grouped."""
    order = sorted(range(len(items)), key=lambda k: -items[k].score)
    taken = [False] * len(items)
    by_tile = {(it.z, it.x, it.y): k for k, it in enumerate(items) if it.point is None and it.z >= 0}
    near = _PointIndex(items, radius_m)
    groups: list[list[Item]] = []
    for k in order:
        if taken[k]:
            continue
        seed = items[k]
        if seed.point is not None:
            members = [m for m in near.around(k) if not taken[m]]
        elif seed.z >= 0:
            members = _tile_block(seed, by_tile, taken)
        else:
            members = [k]
        for m in members:
            taken[m] = True
        groups.append(sorted((items[m] for m in members), key=lambda i: -i.score))
    return groups


def _tile_block(seed: Item, by_tile: dict[tuple[int, int, int], int], taken: list[bool]) -> list[int]:
    """The seed and its free tile-centre neighbours in the best 2x2 block that contains it."""
    best: list[int] = []
    for dx in (-1, 1):
        for dy in (-1, 1):
            block = [
                by_tile[key]
                for key in ((seed.z, seed.x + i, seed.y + j) for i in (0, dx) for j in (0, dy))
                if key in by_tile and not taken[by_tile[key]]
            ]
            if len(block) > len(best):
                best = block
    return best


class _PointIndex:
    """Point-placed candidates bucketed by a grid of cells (mercator metres) that each hold the
    radius on the ground at the items' highest latitude, for "who is near this one"."""

    def __init__(self, items: Sequence[Item], radius_m: float) -> None:
        self.items, self.radius_m = items, radius_m
        # a ground metre is cosh(y / R) mercator metres (1/cos(latitude)); 12 at 85°
        highest = max((abs(it.py) for it in items if it.py is not None), default=0.0)
        self.cell = max(radius_m, 1.0) * min(math.cosh(highest / EARTH_RADIUS_M), 12.0) * 1.001
        self.buckets: dict[tuple[int, int, int], list[int]] = defaultdict(list)
        for k, it in enumerate(items):
            if it.point is not None:
                self.buckets[self._key(it.z, it.point)].append(k)

    def _key(self, z: int, point: tuple[float, float]) -> tuple[int, int, int]:
        return z, int(point[0] // self.cell), int(point[1] // self.cell)

    def around(self, k: int) -> list[int]:
        """Items whose points are within the radius of item ``k``'s (none for a tile-centre item)."""
        seed = self.items[k]
        if seed.point is None:
            return []
        z, cx, cy = self._key(seed.z, seed.point)
        found = []
        for gx in (cx - 1, cx, cx + 1):
            for gy in (cy - 1, cy, cy + 1):
                for m in self.buckets.get((z, gx, gy), ()):
                    other = self.items[m].point
                    if other is not None and ground_distance(seed.point, other) <= self.radius_m:
                        found.append(m)
        return found


def on_decided_places(waiting: Sequence[Item], decided: Sequence[Item], radius_m: float = PLACE_RADIUS_M) -> set[int]:
    """Keys of waiting candidates that lie on a place a mapper already decided: within a place's
    radius of a decided candidate's point (a school confirmed minutes ago, seen again from a tile
    that only a lower threshold brought in). They are that place, not a new one to visit."""
    every = [*decided, *waiting]
    index = _PointIndex(every, radius_m)
    first = len(decided)
    return {
        every[k].key
        for k in range(first, len(every))
        if every[k].point is not None and any(m < first for m in index.around(k))
    }


def build_queue(
    items: Sequence[Item],
    group_places: bool = False,
    share_mode: str = "",
    part: int = 0,
    parts: int = 1,
    order: str = "score",
    start: tuple[float, float] | None = None,
) -> list[list[Item]]:
    """The review queue: one entry per place (or per candidate), best first within each entry.

    Places are formed first, so that shares and orders move whole places and two mappers never
    split one; items without a tile (``z < 0``: a layer from another tool) stay one by one.
    ``order`` is "score" (best place first) or "nearest" (a short walk from ``start``)."""
    ranked = by_score(items)
    place_of: dict[int, list[Item]] = {}
    if group_places:
        for group in places([i for i in ranked if i.z >= 0]):
            place_of.update((i.key, group) for i in group)
    groups: dict[int, list[Item]] = {}
    for it in ranked:
        group = place_of.get(it.key, [it])
        groups.setdefault(group[0].key, group)
    best = [group[0] for group in groups.values()]
    if share_mode:
        best = share(best, part, parts, share_mode)
    if order == "nearest":
        best = nearest_path(best, start)
    return [groups[b.key] for b in best]


def decided_elsewhere(now: dict[int, str | None], listed: dict[int, str]) -> list[int]:
    """Candidates whose status in the file (``now``) differs from the status they had when the
    queue was built: someone (another QGIS, a merge) decided them since. A decision must not
    silently overwrite theirs."""
    return [key for key, status in now.items() if (status or "unreviewed") != listed.get(key)]


def place_point(group: Sequence[Item]) -> tuple[float, float] | None:
    """Where to visit a place: the score-weighted mean of its members' points (neighbouring
    tiles each see part of one school; together they centre on it), None without points."""
    placed = [(it.score, it.point) for it in group if it.point is not None]
    if not placed:
        return None
    total = sum(max(s, 1e-6) for s, _ in placed)
    return (
        sum(max(s, 1e-6) * p[0] for s, p in placed) / total,
        sum(max(s, 1e-6) * p[1] for s, p in placed) / total,
    )
