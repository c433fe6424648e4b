import sqlite3

import pytest

from school_detector.core.errors import InputError
from school_detector.core.gpkg import APPLICATION_ID, GeoPackage, decode_geometry, encode_geometry, quoted


def test_geometry_blob_roundtrip():
    assert decode_geometry(encode_geometry((1.5, -2.25), "POINT", 4326)) == ("POINT", (1.5, -2.25))
    ring = [(0.0, 0.0), (10.0, 0.0), (10.0, 5.0), (0.0, 0.0)]
    kind, rings = decode_geometry(encode_geometry([ring], "POLYGON", 3857))
    assert kind == "POLYGON" and rings == [ring]
    blob = encode_geometry([[(0, 0), (1, 0), (1, 1)]], "POLYGON", 3857)
    assert decode_geometry(blob)[1][0][-1] == (0.0, 0.0)  # rings are closed on write


def test_write_and_read_layers(tmp_path):
    path = tmp_path / "out.gpkg"
    with GeoPackage(path) as g:
        g.create_feature_table("pts", "POINT", 4326, [("label", "TEXT"), ("n", "INTEGER")])
        g.create_feature_table("pts", "POINT", 4326, [("label", "TEXT"), ("n", "INTEGER")])  # idempotent
        assert (
            g.insert_features(
                "pts", [((30.0, -2.0), {"label": "school", "n": 1}), ((31.0, -1.0), {"label": "not-school", "n": 2})]
            )
            == 2
        )
        assert g.insert_features("pts", [((29.0, -3.0), {"label": "école", "n": 3})]) == 1
        rows = list(g.features("pts"))
        assert [r[2]["label"] for r in rows] == ["school", "not-school", "école"]
        assert rows[0][1] == (30.0, -2.0)
        assert g.tables() == ["pts"]
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert con.execute("SELECT min_x, min_y, max_x, max_y FROM gpkg_contents").fetchone() == (29.0, -3.0, 31.0, -1.0)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_failing_batch_writes_nothing(tmp_path):
    with GeoPackage(tmp_path / "t.gpkg") as g:
        g.create_feature_table("pts", "POINT", 3857, [("n", "INTEGER")])
        with pytest.raises(InputError, match="no fields"):
            g.insert_features("pts", [((0, 0), {"n": 1}), ((1, 1), {"bogus": 2})])
        assert list(g.features("pts")) == []


def test_clear_errors(tmp_path):
    with GeoPackage(tmp_path / "t.gpkg") as g:
        with pytest.raises(InputError, match="has no feature table"):
            list(g.features("nope"))
        with pytest.raises(InputError, match="SRS"):
            g.create_feature_table("x", "POINT", 32616, [])
    with pytest.raises(InputError, match="does not exist"):
        GeoPackage(tmp_path / "missing.gpkg", create=False)


def test_a_name_with_quotes_stays_one_identifier():
    """A layer or field name from a file or a person cannot end its identifier early."""
    name = 'class" FROM x; --'
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE TABLE {quoted(name)} ({quoted(name)} TEXT)")
    conn.execute(f"INSERT INTO {quoted(name)} VALUES ('school')")
    assert conn.execute(f"SELECT {quoted(name)} FROM {quoted(name)}").fetchall() == [("school",)]
    assert [r[1] for r in conn.execute(f"PRAGMA table_info({quoted(name)})")] == [name]
