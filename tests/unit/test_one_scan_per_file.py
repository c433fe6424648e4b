"""One results file holds one scan, and what it says stays true across resumes and merges:
records compared, skips retried when they may not last, place verdicts judged again against
every region scanned into the file and every known school given, the candidates' floor kept,
skip-only stretches committed as they come (scan.store, scan.scanner)."""

from __future__ import annotations

import sqlite3

import pytest

from school_detector.core.cover import bbox_polygon
from school_detector.core.errors import InputError
from school_detector.core.places import KnownSchools, Region, chip_point
from school_detector.core.progress import Reporter
from school_detector.core.results import Prediction, ReviewStatus, SkipReason, retryable_reasons
from school_detector.core.tiles import Tile, bounds_3857
from school_detector.scan.store import (
    OUTSIDE,
    PlaceRules,
    ResultStore,
    merge,
    read_info,
    record_differences,
)
from tests.support.fakes import BlankSource, ConstantPredictor

TILE = Tile(152970, 132500, 18)
EAST = Tile(TILE.x + 1, TILE.y, 18)
RECORD = {
    "model": "schools:1",
    "zoom": 18,
    "supertile": False,
    "tile_size": 256,
    "chip_px": 256,
    "imagery": {"type": "raster", "path": "/data/scene.tif"},
    "threshold": 0.5,
    "shard": "0/1",
}


def box_of(*tiles: Tile) -> list:
    b = [bounds_3857(t) for t in tiles]
    return bbox_polygon(
        min(x.west for x in b), min(x.south for x in b), max(x.east for x in b), max(x.north for x in b)
    )


def statuses(path) -> dict[str, str]:
    with sqlite3.connect(path) as c:
        return dict(c.execute("SELECT tile, status FROM candidates"))


def test_records_name_what_differs() -> None:
    assert record_differences(RECORD, dict(RECORD, threshold=0.3, shard="1/4")) == []  # not the scan's identity
    other = dict(RECORD, model="schools:2", zoom=17, imagery={"type": "qgis-gdal", "path": "/data/other.tif"})
    said = record_differences(RECORD, other)
    assert [s.split(" (")[0] for s in said] == ["the model", "the zoom", "the imagery"]
    assert "schools:1 there, schools:2 here" in said[0]
    same_file = dict(RECORD, imagery={"type": "qgis-gdal", "layer_id": "scene_3f2", "path": "/data/scene.tif"})
    assert record_differences(RECORD, same_file) == []  # the same GeoTIFF, through QGIS: the same imagery


def test_a_resume_tries_again_only_the_skips_that_may_not_last(tmp_path) -> None:
    tiles = [Tile(TILE.x + i, TILE.y, 18) for i in range(len(SkipReason))]
    store = ResultStore(tmp_path / "r.gpkg", "m:1", 0.5)
    store.commit([], zip(tiles, [r.value for r in SkipReason]))
    done = {t.id: r for t, r in zip(tiles, SkipReason)}
    for web in (False, True):
        kept = store.scored(tiles, retry_reasons := retryable_reasons(web))
        assert {done[t] for t in kept} == {r for r in SkipReason if r.value not in retry_reasons}
    assert retryable_reasons(False) == [SkipReason.FETCH_FAILED.value]  # a GeoTIFF's no-data is for good
    assert set(retryable_reasons(True)) == {"fetch failed", "no imagery", "mostly no-data"}
    store.commit([(tiles[-1], 0.7)])  # the fetch works this time: the score replaces the skip
    store.commit([], [(tiles[-1], SkipReason.FETCH_FAILED.value)])  # and a later skip never replaces a score
    with sqlite3.connect(tmp_path / "r.gpkg") as c:
        assert c.execute("SELECT score, note FROM tile_scores WHERE tile = ?", (tiles[-1].id,)).fetchone() == (
            0.7,
            None,
        )
    store.close()


def test_a_later_region_brings_in_what_the_first_left_outside(tmp_path) -> None:
    """Two map-extent scans into one file: a school on the edge of the first (its point just
    outside) is a candidate once the second covers it."""
    path = tmp_path / "r.gpkg"
    store = ResultStore(path, "m:1", 0.5, PlaceRules(None, Region([box_of(TILE)])))
    store.add_region([box_of(TILE)], "map extent")
    store.commit([(TILE, Prediction(0.9, 0.5, 0.5)), (EAST, Prediction(0.8, 0.1, 0.5))])
    store.reconcile(None)
    assert set(statuses(path)) == {TILE.id}
    store.close()
    again = ResultStore(path, "m:1", 0.5, PlaceRules(None, Region([box_of(EAST)])))
    again.add_region([box_of(EAST)], "map extent")
    assert again.reconcile(None) == {"changed": 1}
    assert statuses(path) == {TILE.id: "unreviewed", EAST.id: "unreviewed"}
    with sqlite3.connect(path) as c:
        assert c.execute("SELECT place FROM tile_scores WHERE tile = ?", (EAST.id,)).fetchone()[0] is None
    again.close()


def test_without_a_recorded_region_what_was_outside_stays_out(tmp_path) -> None:
    """A file of an older version records no region: judging again must not bring in the tiles
    its scan left outside its district."""
    store = ResultStore(tmp_path / "r.gpkg", "m:1", 0.5, PlaceRules(None, Region([box_of(TILE)])))
    store.commit([(TILE, Prediction(0.9, 0.5, 0.5)), (EAST, Prediction(0.8, 0.5, 0.5))])
    store.reconcile(KnownSchools([chip_point(bounds_3857(TILE), 0.5, 0.5)]))
    assert statuses(tmp_path / "r.gpkg") == {TILE.id: ReviewStatus.KNOWN.value}
    store.close()


def test_known_schools_stay_with_the_file_and_a_new_list_judges_again(tmp_path) -> None:
    path = tmp_path / "r.gpkg"
    store = ResultStore(path, "m:1", 0.5)
    store.commit([(TILE, Prediction(0.9, 0.5, 0.5)), (EAST, Prediction(0.8, 0.5, 0.5))])
    store.reconcile(None)
    assert set(statuses(path).values()) == {"unreviewed"}
    with sqlite3.connect(path) as c:  # a mapper decided the east candidate already
        c.execute("UPDATE candidates SET status = 'confirmed' WHERE tile = ?", (EAST.id,))
    schools = KnownSchools([chip_point(bounds_3857(TILE), 0.5, 0.5), chip_point(bounds_3857(EAST), 0.5, 0.5)])
    store.add_known(schools)
    kept = store.known_schools(schools.distance_m)
    assert kept is not None and kept.points == schools.points
    store.reconcile(kept)
    assert statuses(path) == {TILE.id: ReviewStatus.KNOWN.value, EAST.id: "confirmed"}  # a decision stays
    campus = KnownSchools([], [box_of(TILE)])
    store.add_known(campus)
    both = store.known_schools(75.0)
    assert both is not None and len(both) == 3 and both.polygons == campus.polygons
    store.close()


def test_lowering_the_threshold_keeps_the_floor_true(tmp_path) -> None:
    store = ResultStore(tmp_path / "r.gpkg", "m:1", 0.5)
    store.commit([(TILE, 0.4), (EAST, 0.9)])
    assert store.lower_threshold(0.3) == 1 and store.threshold == 0.3
    store.commit([(Tile(TILE.x + 2, TILE.y, 18), 0.35)])  # the next tiles keep the lowered floor
    assert store.counts()["candidates"] == 3 and store.candidate_floor() == 0.3
    store.close()


def write_scan(path, record, tiles) -> None:
    store = ResultStore(path, record["model"], 0.5)
    store.set_info(record)
    store.add_region([box_of(*tiles)], "shard")
    store.commit([(t, Prediction(0.9, 0.5, 0.5)) for t in tiles])
    store.close()


def test_merge_keeps_the_scan_and_refuses_another(tmp_path) -> None:
    write_scan(tmp_path / "a.gpkg", dict(RECORD, shard="0/2"), [TILE])
    write_scan(tmp_path / "b.gpkg", dict(RECORD, shard="1/2"), [EAST])
    counts = merge(tmp_path / "all.gpkg", [tmp_path / "a.gpkg", tmp_path / "b.gpkg"])
    info = read_info(tmp_path / "all.gpkg")
    assert info["imagery"] == RECORD["imagery"] and info["chip_px"] == 256 and info["model"] == "schools:1"
    assert info["shard"] == "merged 0/2, 1/2" and counts["places"] == 2
    with sqlite3.connect(tmp_path / "all.gpkg") as c:
        assert c.execute("SELECT COUNT(*) FROM scan_regions").fetchone()[0] == 2
    write_scan(tmp_path / "c.gpkg", dict(RECORD, model="schools:2"), [Tile(TILE.x + 5, TILE.y, 18)])
    with pytest.raises(InputError, match=r"c.gpkg holds another scan than a.gpkg: the model \(schools:1 in a.gpkg"):
        merge(tmp_path / "mixed.gpkg", [tmp_path / "a.gpkg", tmp_path / "c.gpkg"])
    assert not (tmp_path / "mixed.gpkg").exists()  # refused before anything is written
    (tmp_path / "notes.gpkg").write_bytes(b"")
    with pytest.raises(InputError, match="not the results file"):
        merge(tmp_path / "x.gpkg", [tmp_path / "a.gpkg", tmp_path / "notes.gpkg"])


def test_a_merge_judges_places_over_the_whole_region(tmp_path) -> None:
    """A shard's candidate just outside its own region is inside the other shard's: merged, it
    is a candidate."""
    store = ResultStore(tmp_path / "a.gpkg", "schools:1", 0.5, PlaceRules(None, Region([box_of(TILE)])))
    store.set_info(dict(RECORD, shard="0/2"))
    store.add_region([box_of(TILE)], "shard")
    store.commit([(EAST, Prediction(0.9, 0.5, 0.5))])  # outside this shard's polygon
    store.close()
    write_scan(tmp_path / "b.gpkg", dict(RECORD, shard="1/2"), [EAST])
    with sqlite3.connect(tmp_path / "b.gpkg") as c:  # b holds the tile too, but the first file wins
        c.execute("DELETE FROM candidates")
        c.execute("DELETE FROM tile_scores")
    merge(tmp_path / "all.gpkg", [tmp_path / "a.gpkg", tmp_path / "b.gpkg"])
    assert statuses(tmp_path / "all.gpkg") == {EAST.id: "unreviewed"}
    with sqlite3.connect(tmp_path / "a.gpkg") as c:
        assert c.execute("SELECT place FROM tile_scores").fetchone()[0] == OUTSIDE


def test_a_stretch_of_skipped_tiles_is_committed_as_it_comes(tmp_path) -> None:
    """A buildings mask over empty land: thousands of skipped tiles in a row move the progress
    and reach the file without waiting for a scored tile."""
    from school_detector.scan.scanner import SKIP_FLUSH, ScanSettings, scan

    first = bounds_3857(TILE)
    side = first.east - first.west
    region = [bbox_polygon(first.west + 1, first.north - 99 * side, first.west + 60 * side - 1, first.north - 1)]
    seen: list[int] = []
    reporter = Reporter(
        "callback", min_interval=0.0, sink=lambda e: seen.append(e["done"]) if e["event"] == "progress" else None
    )
    store = ResultStore(tmp_path / "r.gpkg", "m:1", 0.5)
    result = scan(
        BlankSource(),
        ConstantPredictor(0.1),
        store,
        region,
        ScanSettings(workers=1),
        reporter,
        skip=lambda t: "uninhabited",
    )
    assert result["skipped"] == {"uninhabited": 5940} and SKIP_FLUSH < 5940
    assert len({d for d in seen if 0 < d < 5940}) >= 5940 // SKIP_FLUSH  # the bar moved while skipping
    store.close()
