"""Where a candidate is: its point in the chip, known schools, the region, uninhabited tiles,
and what the results file keeps of them (core.places, scan.store, scan.scanner)."""

from __future__ import annotations

import math
import sqlite3

import pytest

from school_detector.core.cover import bbox_polygon
from school_detector.core.places import (
    KNOWN_DISTANCE_M,
    KnownSchools,
    Region,
    centre,
    chip_point,
    ground_distance,
    ground_scale,
)
from school_detector.core.results import Prediction, ReviewStatus, batch_predictions
from school_detector.core.tiles import Tile, bounds_3857, lonlat_to_xy
from school_detector.scan.store import OUTSIDE, PlaceRules, ResultStore
from tests.support.fakes import BlankSource, ConstantPredictor

TILE = Tile(152970, 132500, 18)
B = bounds_3857(TILE)


def test_a_point_in_the_chip_is_on_the_map() -> None:
    assert chip_point(B, 0.5, 0.5) == pytest.approx(centre(B))
    assert chip_point(B, 0.0, 0.0) == pytest.approx((B.west, B.north))  # x from the west, y from the north
    assert chip_point(B, 1.0, 1.0) == pytest.approx((B.east, B.south))
    assert chip_point(B, 1.7, -3.0) == pytest.approx((B.east, B.north))  # clamped into the chip


def test_ground_distances_are_metres_on_the_ground_at_any_latitude() -> None:
    assert ground_scale(0.0) == pytest.approx(1.0)
    a, b = lonlat_to_xy(10.0, 60.0), lonlat_to_xy(10.001, 60.0)
    assert ground_distance(a, b) == pytest.approx(0.001 * 111_319.49 * math.cos(math.radians(60)), rel=1e-3)


def test_region_holds_points_inside_its_polygons_and_not_in_holes() -> None:
    outer = bbox_polygon(0, 0, 100, 100)[0]
    hole = bbox_polygon(40, 40, 60, 60)[0]
    region = Region([[outer, hole], bbox_polygon(200, 0, 300, 100)])
    assert region.contains((10, 10)) and region.contains((250, 50))
    assert not region.contains((50, 50)) and not region.contains((150, 50))


def test_known_schools_match_within_the_distance_on_the_ground() -> None:
    school = lonlat_to_xy(-1.95, 30.06)
    known = KnownSchools([school], [bbox_polygon(1000, 1000, 1100, 1100)[0:1]])
    near = (school[0] + (KNOWN_DISTANCE_M - 5) / ground_scale(school[1]), school[1])
    far = (school[0] + (KNOWN_DISTANCE_M + 5) / ground_scale(school[1]), school[1])
    assert known.match(near) and not known.match(far)
    assert known.match((1050, 1050))  # inside a known compound polygon
    assert len(known) == 2 and known.extent() is not None
    assert KnownSchools([]).extent() is None


def test_the_store_places_candidates_and_sets_them_aside(tmp_path) -> None:
    t_known, t_new, t_out, t_low = (Tile(TILE.x + i, TILE.y, 18) for i in range(4))
    school = chip_point(bounds_3857(t_known), 0.3, 0.6)
    region = Region([bbox_polygon(B.west, B.south, bounds_3857(t_new).east, B.north)])
    rules = PlaceRules(KnownSchools([school]), region)
    store = ResultStore(tmp_path / "r.gpkg", "m:1", 0.5, rules)
    added = store.commit(
        [
            (t_known, Prediction(0.9, 0.3, 0.6)),  # on the known school
            (t_new, Prediction(0.8, 0.25, 0.75)),  # a new one
            (t_out, Prediction(0.95, 0.5, 0.5)),  # outside the region
            (t_low, 0.7),  # outside too, and no location from the model
        ]
    )
    assert added == 2
    with sqlite3.connect(tmp_path / "r.gpkg") as c:
        rows = {t: (s, loc) for t, s, loc in c.execute("SELECT tile, status, location FROM candidates")}
        kept = dict(c.execute("SELECT tile, place FROM tile_scores"))
    assert rows == {t_known.id: (ReviewStatus.KNOWN.value, "model"), t_new.id: ("unreviewed", "model")}
    assert kept[t_out.id] == OUTSIDE and kept[t_low.id] == OUTSIDE  # scores kept, no candidate
    from school_detector.core.gpkg import GeoPackage

    with GeoPackage(tmp_path / "r.gpkg", create=False) as g:
        points = {a["tile"]: xy for _, xy, a in g.features("candidates")}
    assert points[t_new.id] == pytest.approx(chip_point(bounds_3857(t_new), 0.25, 0.75))
    counts = store.review_counts()
    assert (counts["to_review"], counts["known"], counts["outside_region"]) == (1, 1, 2)
    assert store.lower_threshold(0.1) == 0  # what lies outside stays out, even below the threshold
    store.close()


def test_a_resumed_store_keeps_points_and_statuses(tmp_path) -> None:
    school = chip_point(B, 0.5, 0.5)
    store = ResultStore(tmp_path / "r.gpkg", "m:1", 0.5, PlaceRules(KnownSchools([school])))
    store.commit([(TILE, Prediction(0.9, 0.5, 0.5))])
    store.close()
    reopened = ResultStore(tmp_path / "r.gpkg", "m:1", 0.5)  # a resume: no known list given this time
    reopened.commit([(Tile(TILE.x + 5, TILE.y, 18), Prediction(0.9, 0.1, 0.1))])
    assert reopened.scored([TILE]) == {TILE.id}
    with sqlite3.connect(tmp_path / "r.gpkg") as c:
        assert c.execute("SELECT status FROM candidates WHERE tile = ?", (TILE.id,)).fetchone()[0] == "known"
    reopened.close()


def east_of(point: tuple[float, float], metres: float) -> tuple[float, float]:
    return point[0] + metres / ground_scale(point[1]), point[1]


@pytest.mark.parametrize("metres", [60, 78, 100, 130, 160])
def test_a_new_school_beside_a_mapped_one_stays_in_the_queue(tmp_path, metres) -> None:
    """Primary and secondary schools on one compound, or across a road: a new school B beside a
    mapped school A is set aside only when its own point is on A (within the known distance);
    otherwise it is queued with its distance to A. (0.2.0 set aside a whole place: B up to
    ~155 m from A disappeared.)"""
    a = chip_point(B, 0.9, 0.5)  # A near its tile's east edge: B (60-160 m east) is in the next tile
    b = east_of(a, metres)
    tile_b = Tile(TILE.x + 1, TILE.y, 18)
    bb = bounds_3857(tile_b)
    assert bb.west < b[0] < bb.east
    fx, fy = (b[0] - bb.west) / (bb.east - bb.west), (bb.north - b[1]) / (bb.north - bb.south)
    store = ResultStore(tmp_path / "r.gpkg", "m:1", 0.5, PlaceRules(KnownSchools([a])))
    store.commit([(TILE, Prediction(0.9, 0.9, 0.5)), (tile_b, Prediction(0.95, fx, fy))])
    with sqlite3.connect(tmp_path / "r.gpkg") as c:
        rows = dict(c.execute("SELECT tile, status FROM candidates"))
        (near,) = c.execute("SELECT known_m FROM candidates WHERE tile = ?", (tile_b.id,)).fetchone()
    assert rows[TILE.id] == ReviewStatus.KNOWN.value
    on_a = metres <= KNOWN_DISTANCE_M
    assert rows[tile_b.id] == (ReviewStatus.KNOWN.value if on_a else ReviewStatus.UNREVIEWED.value)
    assert near == pytest.approx(metres, abs=0.5)  # the queue says "78 m from a mapped school"
    counts = store.review_counts()
    assert counts["to_review"] == (0 if on_a else 1) and counts["near_known"] == (0 if on_a else 1)
    store.close()


def test_a_closer_known_distance_keeps_even_a_60_m_neighbour(tmp_path) -> None:
    a = chip_point(B, 0.5, 0.5)
    b = east_of(a, 60)
    east = Tile(TILE.x + 1, TILE.y, 18)
    be = bounds_3857(east)
    store = ResultStore(tmp_path / "r.gpkg", "m:1", 0.5, PlaceRules(KnownSchools([a], distance_m=40)))
    store.commit(
        [(TILE, Prediction(0.9, 0.5, 0.5)), (east, Prediction(0.95, (b[0] - be.west) / (be.east - be.west), 0.5))]
    )
    assert store.review_counts()["to_review"] == 1
    store.close()


def test_a_known_campus_is_one_school_wherever_a_candidate_lands_on_it(tmp_path) -> None:
    """A 300 m campus given as a polygon: a candidate anywhere on it (or within the known
    distance of its outline) is that school, not only near its centre."""
    west, north = B.west, B.north
    side = 300 / ground_scale(north)
    campus = bbox_polygon(west, north - side, west + side, north)
    known = KnownSchools([], [campus])
    assert known.match((west + side * 0.95, north - side * 0.95))  # a far corner, 200 m from the centre
    assert known.match(east_of((west + side, north - side / 2), 70))  # just outside the outline
    assert not known.match(east_of((west + side, north - side / 2), 90))
    assert known.distance(east_of((west + side, north - side / 2), 90)) == pytest.approx(90, abs=0.5)


def test_older_results_files_gain_the_new_columns(tmp_path) -> None:
    path = tmp_path / "old.gpkg"
    store = ResultStore(path, "m:1", 0.5)
    store.commit([(TILE, 0.9)])
    store.close()
    with sqlite3.connect(path) as c:  # as the first release wrote them
        c.execute("ALTER TABLE tile_scores DROP COLUMN place")
        c.execute("ALTER TABLE candidates DROP COLUMN location")
    again = ResultStore(path, "m:1", 0.5)
    again.commit([(Tile(TILE.x + 1, TILE.y, 18), Prediction(0.9, 0.2, 0.2))])
    assert again.counts()["candidates"] == 2
    again.close()


def test_uninhabited_tiles_are_recorded_and_never_read(tmp_path) -> None:
    from school_detector.core.results import SkipReason
    from school_detector.scan.buildings import Buildings
    from school_detector.scan.scanner import ScanSettings, scan

    uninhabited = SkipReason.UNINHABITED.value

    tiles = [Tile(TILE.x + i, TILE.y, 18) for i in range(4)]
    region = [bbox_polygon(bounds_3857(tiles[0]).west + 1, B.south + 1, bounds_3857(tiles[-1]).east - 1, B.north - 1)]
    buildings = Buildings([tiles[1], tiles[3]], 18)
    source = BlankSource()

    store = ResultStore(tmp_path / "r.gpkg", "m:1", 0.5)
    skip = lambda t: None if buildings.inhabited(t) else uninhabited  # noqa: E731
    result = scan(source, ConstantPredictor(0.9), store, region, ScanSettings(workers=1), skip=skip)
    assert len(source.reads) == 2 and result["skipped"] == {uninhabited: 2} and result["scored_now"] == 2
    with sqlite3.connect(tmp_path / "r.gpkg") as c:
        notes = dict(c.execute("SELECT tile, note FROM tile_scores WHERE score IS NULL"))
    assert notes == {tiles[0].id: uninhabited, tiles[2].id: uninhabited}
    store.close()


def test_an_engines_batch_becomes_predictions_with_or_without_points():
    located = batch_predictions([0.25, 0.75], [(0.1, 0.2), (0.9, 0.8)])
    assert [(p.score, p.fx, p.fy) for p in located] == [(0.25, 0.1, 0.2), (0.75, 0.9, 0.8)]
    bare = batch_predictions([0.5], None)
    assert [(p.score, p.fx, p.fy) for p in bare] == [(0.5, None, None)]


def test_an_empty_polygon_in_a_region_does_not_shift_the_others():
    square = [[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)]]
    far = [[(100.0, 100.0), (110.0, 100.0), (110.0, 110.0), (100.0, 110.0), (100.0, 100.0)]]
    region = Region([[], square, far])  # e.g. a district file with a feature without geometry
    assert region.contains((5.0, 5.0)) and region.contains((105.0, 105.0))
    assert not region.contains((50.0, 50.0))


def test_a_known_schools_file_keeps_its_polygons(tmp_path) -> None:
    """A GeoJSON of campus outlines: each is matched as an outline, not as its centroid."""
    import json

    from school_detector.core.tiles import xy_to_lonlat
    from school_detector.scan.known import read_known

    side = 300 / ground_scale(B.north)
    corners = [(B.west, B.north), (B.west + side, B.north), (B.west + side, B.north - side), (B.west, B.north - side)]
    ring = [list(xy_to_lonlat(x, y)) for x, y in corners + corners[:1]]
    campus = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}, "properties": {}}
    lone = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [30.5, -1.5]}, "properties": {}}
    path = tmp_path / "schools.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [campus, lone]}))
    known = read_known(path)
    assert len(known.polygons) == 1 and len(known.points) == 1
    assert known.match((B.west + side * 0.95, B.north - side * 0.95))  # a corner of the campus, far from its centre


@pytest.mark.parametrize("name", ["r #1.gpkg", "50% done?.gpkg", "école ä.gpkg"])
def test_results_are_read_by_path_whatever_its_characters(tmp_path, name) -> None:
    from school_detector.scan.store import read_info

    store = ResultStore(tmp_path / name, "m:1", 0.5)
    store.set_info({"model": "m:1"})
    store.close()
    assert read_info(tmp_path / name) == {"model": "m:1"}
    assert read_info(tmp_path / "missing.gpkg") == {} and not (tmp_path / "missing.gpkg").exists()


@pytest.mark.parametrize("metres", [78, 100, 138])
def test_a_strong_view_of_a_mapped_school_does_not_hide_its_neighbour(tmp_path, metres) -> None:
    """The chain 0.2.0 fell into: mapped school A is seen best from the tile south of it (on the
    part of its compound that tile sees, 62 m from A's point); a new school B, ``metres`` east of
    A, is within 80 m of that view, so one place held both and the whole place was set aside
    (B hidden up to ~140 m from A). Now B is judged by its own point."""
    a_tile = Tile(TILE.x, TILE.y, 18)
    south, east = Tile(TILE.x, TILE.y + 1, 18), Tile(TILE.x + 1, TILE.y, 18)

    def frac(tile: Tile, p: tuple[float, float]) -> tuple[float, float]:
        b = bounds_3857(tile)
        return (p[0] - b.west) / (b.east - b.west), (b.north - p[1]) / (b.north - b.south)

    a = chip_point(bounds_3857(a_tile), 0.6, 0.95)
    k = 1 / ground_scale(a[1])
    view, b = (a[0] + 60 * k, a[1] - 15 * k), (a[0] + metres * k, a[1])
    known = KnownSchools([a])
    store = ResultStore(tmp_path / "r.gpkg", "m:1", 0.5, PlaceRules(known))
    store.commit(
        [
            (a_tile, Prediction(0.95, *frac(a_tile, a))),
            (south, Prediction(0.96, *frac(south, view))),
            (east, Prediction(0.9, *frac(east, b))),
        ]
    )
    store.reconcile(known)
    counts = store.review_counts()
    assert (counts["to_review"], counts["known"]) == (1, 2)
    store.close()
