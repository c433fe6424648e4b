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
