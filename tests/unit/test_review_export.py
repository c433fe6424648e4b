"""Export of reviewed candidates, from a real results GeoPackage."""

import csv
import json
import sqlite3

import pytest

from school_detector.core.errors import InputError
from school_detector.core.gpkg import GeoPackage
from school_detector.core.tiles import Tile, bounds_4326
from school_detector.review.export import export
from school_detector.scan.store import ResultStore


@pytest.fixture()
def results(tmp_path):
    path = tmp_path / "r.gpkg"
    store = ResultStore(path, "schools:1", 0.5)
    tiles = [Tile(1000 + i, 2000, 18) for i in range(6)]
    store.commit(zip(tiles, [0.9, 0.8, 0.7, 0.6, 0.55, 0.2]))
    store.close()
    with sqlite3.connect(path) as c:
        decisions = {
            "18/1000/2000": "confirmed",
            "18/1001/2000": "confirmed",
            "18/1002/2000": "rejected",
            "18/1003/2000": "unsure",
        }
        for tile, status in decisions.items():
            c.execute(
                "UPDATE candidates SET status=?, reviewer='ana', reviewed_at='2026-11-21T10:00:00Z' WHERE tile=?",
                (status, tile),
            )
    return path


def test_geojson_points_of_confirmed_schools_with_summary(results, tmp_path):
    res = export(results, tmp_path / "schools.geojson", "geojson", ["confirmed"])
    assert res["exported"] == 2 and res["candidates"] == 5
    assert res["confirmed"] == 2 and res["rejected"] == 1 and res["unsure"] == 1 and res["unreviewed"] == 1
    assert res["review_precision"] == pytest.approx(2 / 3, abs=1e-3)
    data = json.loads((tmp_path / "schools.geojson").read_text())
    props = [f["properties"] for f in data["features"]]
    assert {p["tile"] for p in props} == {"18/1000/2000", "18/1001/2000"}
    assert all(p["reviewer"] == "ana" and p["model"] == "schools:1" for p in props)
    lon, lat = data["features"][0]["geometry"]["coordinates"]
    b = bounds_4326(Tile(1000, 2000, 18))
    assert b.west < lon < b.east and b.south < lat < b.north


def test_csv_and_gpkg_and_footprints(results, tmp_path):
    export(results, tmp_path / "s.csv", "csv", ["confirmed", "unsure"])
    rows = list(csv.DictReader((tmp_path / "s.csv").open()))
    assert sorted(r["status"] for r in rows) == ["confirmed", "confirmed", "unsure"]
    export(results, tmp_path / "s.gpkg", "gpkg", ["rejected"], footprint=True)
    with GeoPackage(tmp_path / "s.gpkg", create=False) as g:
        (row,) = list(g.features("schools"))
    assert row[2]["tile"] == "18/1002/2000" and len(row[1][0]) == 5


def test_files_from_elsewhere_are_explained(tmp_path):
    with GeoPackage(tmp_path / "other.gpkg") as g:
        g.create_feature_table("candidates", "POINT", 3857, [("score", "REAL")])
    with pytest.raises(InputError, match="lacks the fields tile"):
        export(tmp_path / "other.gpkg", tmp_path / "o.geojson", "geojson", ["confirmed"])
    with GeoPackage(tmp_path / "none.gpkg") as g:
        g.create_feature_table("pts", "POINT", 4326, [])
    with pytest.raises(InputError, match="not a school_detector scan"):
        export(tmp_path / "none.gpkg", tmp_path / "o.geojson", "geojson", ["confirmed"])
    with pytest.raises(InputError, match="Unknown status"):
        export(tmp_path / "none.gpkg", tmp_path / "o.geojson", "geojson", ["maybe"])


def test_an_export_never_overwrites_the_results_it_reads(results):
    before = results.read_bytes()
    with pytest.raises(InputError, match="would overwrite the results file it reads"):
        export(results, results.parent / "." / results.name, "gpkg", ["confirmed"])
    assert results.read_bytes() == before


def test_one_point_per_place_merges_touching_tiles_of_one_status(results, tmp_path):
    res = export(results, tmp_path / "places.geojson", "geojson", ["confirmed", "rejected"], one_per_place=True)
    features = json.loads((tmp_path / "places.geojson").read_text())["features"]
    assert res["exported"] == 2  # the two touching confirmed tiles are one school; the rejected one stays apart
    confirmed = next(f for f in features if f["properties"]["status"] == "confirmed")
    assert confirmed["properties"]["place_tiles"] == 2 and confirmed["properties"]["tile"] == "18/1000/2000"
    a, b = bounds_4326(Tile(1000, 2000, 18)), bounds_4326(Tile(1001, 2000, 18))
    lon, _ = confirmed["geometry"]["coordinates"]
    # score-weighted (0.9 vs 0.8) centre: between the two tile centres, nearer the better one
    centre_a, centre_b = (a.west + a.east) / 2, (b.west + b.east) / 2
    assert centre_a < lon < (centre_a + centre_b) / 2
    export(results, tmp_path / "places.gpkg", "gpkg", ["confirmed"], footprint=True, one_per_place=True)
    with GeoPackage(tmp_path / "places.gpkg", create=False) as g:
        ((_, ring, attrs),) = list(g.features("schools"))
    xs = [p[0] for p in ring[0]]
    assert min(xs) == pytest.approx(a.west) and max(xs) == pytest.approx(b.east) and attrs["place_tiles"] == 2


def test_lowering_the_threshold_uses_kept_scores_and_keeps_decisions(results):
    store = ResultStore(results, "schools:1", 0.5)
    assert store.candidate_floor() == 0.5
    assert store.lower_threshold(0.6) == 0  # nothing to add above the scan's threshold
    assert store.lower_threshold(0.1) == 1  # the 0.2 tile, from tile_scores: no rescan
    assert store.counts()["candidates"] == 6 and store.candidate_floor() == 0.1
    store.commit([(Tile(1000, 2000, 18), 0.95)])  # a rescan updates a score...
    store.close()
    reopened = ResultStore(results, "schools:1", 0.5)
    assert reopened.threshold == 0.1  # ...and a resumed scan keeps the lowered floor
    reopened.close()
    with sqlite3.connect(results) as c:
        status = c.execute("SELECT status, score FROM candidates WHERE tile='18/1000/2000'").fetchone()
        assert status == ("confirmed", 0.95)  # ...but never a decision
        assert c.execute("SELECT COUNT(*) FROM candidate_footprints").fetchone()[0] == 6


def test_merging_mappers_copies_takes_every_decision_and_counts_conflicts(results, tmp_path):
    import shutil

    from school_detector.scan.store import merge

    alice, bob = tmp_path / "alice.gpkg", tmp_path / "bob.gpkg"
    shutil.copy(results, alice)
    shutil.copy(results, bob)
    with sqlite3.connect(alice) as c:
        c.execute(
            "UPDATE candidates SET status='rejected', reviewer='alice', reviewed_at='2026-11-22T09:00:00Z' "
            "WHERE tile='18/1004/2000'"
        )
    with sqlite3.connect(bob) as c:
        c.execute(
            "UPDATE candidates SET status='confirmed', reviewer='bob', reviewed_at='2026-11-22T10:00:00Z' "
            "WHERE tile='18/1004/2000'"
        )
        c.execute(
            "UPDATE candidates SET status='confirmed', reviewer='bob', reviewed_at='2026-11-22T10:05:00Z' "
            "WHERE tile='18/1002/2000'"
        )
    counts = merge(tmp_path / "all.gpkg", [results, alice, bob])
    assert counts["candidates"] == 5 and counts["conflicts"] == 2  # 1004: alice vs bob; 1002: ana vs bob
    with sqlite3.connect(tmp_path / "all.gpkg") as c:
        rows = dict(c.execute("SELECT tile, status || ':' || COALESCE(reviewer, '') FROM candidates"))
    assert rows["18/1004/2000"] == "confirmed:bob"  # the latest decision wins
    assert rows["18/1002/2000"] == "confirmed:bob"
    assert rows["18/1000/2000"] == "confirmed:ana" and rows["18/1003/2000"] == "unsure:ana"


def confirmed_scan(path, predictions):
    """A scan whose candidates are all confirmed: (tile, Prediction or score) pairs."""
    store = ResultStore(path, "schools:1", 0.5)
    store.commit(predictions)
    store.close()
    with sqlite3.connect(path) as c:
        c.execute("UPDATE candidates SET status='confirmed'")
    return path


def test_one_per_place_follows_the_places_rule_of_the_review_dock(tmp_path):
    """Points placed by the model: two tiles seeing one school make one place at its point;
    every other tile ~150 m apart is its own school, however the tiles touch. Tile-centre
    candidates: a 3x3 block is not one school (at most 2x2 tiles per place)."""
    from school_detector.core.results import Prediction

    row = [Tile(150000 + i, 130000, 18) for i in range(6)]
    located = [Prediction(0.9, 0.97, 0.5), Prediction(0.8, 0.03, 0.5)] + [Prediction(0.7, 0.5, 0.5)] * 4
    results = confirmed_scan(tmp_path / "points.gpkg", zip(row, located))
    res = export(results, tmp_path / "p.geojson", "geojson", ["confirmed"], one_per_place=True)
    features = json.loads((tmp_path / "p.geojson").read_text())["features"]
    assert res["exported"] == 5
    first = max(features, key=lambda f: f["properties"]["score"])
    assert first["properties"]["place_tiles"] == 2
    box = bounds_4326(row[0])  # the school sits on the shared edge of the first two tiles
    assert abs(first["geometry"]["coordinates"][0] - box.east) < 0.02 * (box.east - box.west)
    block = [Tile(150000 + i, 130000 + j, 18) for i in range(3) for j in range(3)]
    results = confirmed_scan(tmp_path / "centres.gpkg", [(t, 0.9 - 0.01 * k) for k, t in enumerate(block)])
    res = export(results, tmp_path / "c.geojson", "geojson", ["confirmed"], one_per_place=True)
    features = json.loads((tmp_path / "c.geojson").read_text())["features"]
    assert max(f["properties"]["place_tiles"] for f in features) <= 4 and res["exported"] >= 3
    assert sum(f["properties"]["place_tiles"] for f in features) == 9
