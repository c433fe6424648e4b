import csv
import json
import math

import pytest

from school_detector.core import tiles as T
from school_detector.core.chip_plan import (
    NOT_SCHOOL,
    SCHOOL,
    ChipGeometry,
    ChipPlan,
    LabeledPoint,
    add_background,
    assign_splits,
    block_of,
    parse_split,
    plan_chips,
    split_counts,
)
from school_detector.core.errors import InputError
from school_detector.dataset.labels_io import LabelMapping, read_labels
from tests.paths import require_shared_data

LABELS = require_shared_data() / "labels"


def pt(pid, tile, label, dx=0.3, dy=0.3):
    """A point inside ``tile`` at fractional position (dx, dy)."""
    b = T.bounds_4326(tile)
    return LabeledPoint(pid, b.west + dx * (b.east - b.west), b.north - dy * (b.north - b.south), label)


def test_duplicates_merge_and_conflicts_follow_the_rule():
    a, b = T.Tile(1000, 2000, 18), T.Tile(1001, 2000, 18)
    points = [pt("1", a, SCHOOL), pt("2", a, SCHOOL, 0.6), pt("3", b, SCHOOL), pt("4", b, NOT_SCHOOL, 0.7)]
    plans, stats = plan_chips(points, ChipGeometry())
    assert [(p.key, p.label, p.point_ids) for p in plans] == [("18-1000-2000", SCHOOL, ["1", "2"])]
    assert (stats.duplicates, stats.conflicts, stats.conflict_points) == (1, 1, 2)
    plans, _ = plan_chips(points, ChipGeometry(), conflict_rule=NOT_SCHOOL)
    assert [(p.key, p.label) for p in plans] == [("18-1000-2000", SCHOOL), ("18-1001-2000", NOT_SCHOOL)]


def test_supertile_and_centered_keys():
    t = T.Tile(1001, 2001, 18)
    plans, _ = plan_chips([pt("x", t, SCHOOL)], ChipGeometry(supertile=True))
    assert plans[0].tile == T.Tile(500, 1000, 17) and plans[0].key == "17-500-1000"
    g = ChipGeometry(centered=True)
    plans, stats = plan_chips([pt("a/1", t, SCHOOL), pt("a/1", t, SCHOOL), pt("b", t, SCHOOL, 0.9)], g)
    assert [p.key for p in plans] == ["18-1001-2001-a_1", "18-1001-2001-b"] and stats.duplicates == 1
    b = plans[0].bounds(18, g.chip_px)
    x, _ = plans[0].center_xy
    assert (b.west + b.east) / 2 == pytest.approx(x) and b.east - b.west == pytest.approx(256 * T.pixel_size_3857(18))


def test_real_colombia_labels_conflicts_are_counted():
    pos, _ = read_labels(LABELS / "devseed_colombia_school_tiles_z17.geojson", fixed_label=SCHOOL)
    neg, _ = read_labels(LABELS / "devseed_colombia_not_school_tiles_z17.geojson", fixed_label=NOT_SCHOOL)
    assert (len(pos), len(neg)) == (5452, 3953)
    plans, stats = plan_chips(pos + neg, ChipGeometry(zoom=17))
    with (LABELS / "devseed_colombia_tiles_z17.csv").open() as f:
        rows = list(csv.DictReader(f))
    both = {r["quadkey"] for r in rows if r["in_both_sets"].lower() in ("1", "true")}
    assert stats.conflicts == len(both) == 300
    assert len(plans) == 5452 + 3953 - 2 * 300
    assert {T.quadkey(p.tile) for p in plans}.isdisjoint(both)
    # the polygon centroids land in exactly the tiles the labels name
    features = json.loads((LABELS / "devseed_colombia_school_tiles_z17.geojson").read_text())["features"]
    named = {tuple(f["properties"]["tiles"]) for f in features}
    got = {(p.tile.x, p.tile.y, p.tile.z) for p in plans if p.label == SCHOOL}
    assert got <= named


def test_splits_hit_the_fractions_and_never_split_a_block():
    rows = [T.Tile(5000 + i, 7000 + j, 18) for i in range(40) for j in range(40)]
    plans = [ChipPlan(t.file_stem, t, SCHOOL if (t.x * 7 + t.y) % 5 == 0 else NOT_SCHOOL) for t in rows]
    levels = assign_splits(plans, (0.7, 0.15, 0.15), seed=1)
    assert levels == 3  # 1600 tiles: 25 blocks of 8x8 are enough
    counts = split_counts(plans)
    total = len(plans)
    for split, frac in (("train", 0.7), ("valid", 0.15), ("test", 0.15)):
        share = sum(counts[split].values()) / total
        assert share == pytest.approx(frac, abs=0.04)
        assert counts[split][SCHOOL] > 0 and counts[split][NOT_SCHOOL] > 0
    seen = {}
    for p in plans:
        assert seen.setdefault(block_of(p, levels), p.split) == p.split
    again = [ChipPlan(t.file_stem, t, p.label) for t, p in zip(rows, plans)]
    assign_splits(again, (0.7, 0.15, 0.15), seed=1)
    assert [p.split for p in again] == [p.split for p in plans]


def test_small_datasets_get_finer_blocks():
    from school_detector.core.chip_plan import auto_block_levels

    few = [ChipPlan("k", T.Tile(5000 + i, 7000 + j, 18), SCHOOL) for i in range(6) for j in range(6)]
    assert auto_block_levels(few) == 0  # 9 blocks of 2x2 would be too few: single tiles
    assert auto_block_levels(few, min_blocks=9) == 1
    assert auto_block_levels(few, min_blocks=4) == 2


def test_background_keeps_its_distance_from_schools():
    school = T.Tile(154000, 132000, 18)
    plans, _ = plan_chips([pt("s", school, SCHOOL, 0.5, 0.5)], ChipGeometry())
    b = T.bounds_3857(school)
    extent = T.Bounds(b.west - 3000, b.south - 3000, b.east + 3000, b.north + 3000)
    added = add_background(plans, ChipGeometry(), extent, ratio=20, min_distance_m=500, seed=3)
    assert added == 20
    sx, sy = T.lonlat_to_xy(plans[0].lon, plans[0].lat)
    lat = plans[0].lat
    for p in plans[1:]:
        assert p.origin == "background" and p.label == NOT_SCHOOL
        x, y = T.lonlat_to_xy(p.lon, p.lat)
        assert math.hypot(x - sx, y - sy) * math.cos(math.radians(lat)) >= 500
        pb = p.bounds(18, 256)
        assert extent.west <= pb.west and pb.east <= extent.east
    assert len({p.tile for p in plans}) == len(plans)


@pytest.mark.parametrize("bad", ["0.7,0.3", "a,b,c", "0.5,0.5,0.5", "0,0.5,0.5", "-0.1,0.6,0.5"])
def test_parse_split_rejects(bad):
    with pytest.raises(InputError):
        parse_split(bad)


def test_plan_rejects_empty_and_bad_labels():
    with pytest.raises(InputError, match="no labeled points"):
        plan_chips([], ChipGeometry())
    with pytest.raises(InputError, match="label"):
        plan_chips([LabeledPoint("1", 0, 0, "hospital")], ChipGeometry())
    with pytest.raises(InputError, match="Zoom"):
        plan_chips([LabeledPoint("1", 0, 0, SCHOOL)], ChipGeometry(zoom=30))


def test_label_files_in_three_formats(tmp_path):
    from school_detector.core.gpkg import GeoPackage

    (tmp_path / "l.csv").write_text(
        "id,longitude,latitude,kind\na,30.1,-1.9,School\nb,30.2,-1.8,clinic\nc,30.3,-1.7,\n"
    )
    points, unlabeled = read_labels(tmp_path / "l.csv", LabelMapping("kind", ["school"]))
    assert [(p.pid, p.label) for p in points] == [("a", SCHOOL), ("b", NOT_SCHOOL), ("c", NOT_SCHOOL)]
    points, unlabeled = read_labels(tmp_path / "l.csv", LabelMapping("kind", ["school"], ["clinic"]))
    assert [p.label for p in points] == [SCHOOL, NOT_SCHOOL] and unlabeled == 1
    x, y = T.lonlat_to_xy(30.1, -1.9)
    (tmp_path / "l.geojson").write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"label": "school"},
                        "geometry": {"type": "Point", "coordinates": [x, y]},
                    }
                ],
            }
        )
    )
    (p,), _ = read_labels(tmp_path / "l.geojson", LabelMapping())
    assert (p.lon, p.lat) == pytest.approx((30.1, -1.9))
    with GeoPackage(tmp_path / "l.gpkg") as g:
        g.create_feature_table("pts", "POINT", 3857, [("label", "TEXT")])
        g.insert_features("pts", [((x, y), {"label": "school"})])
    (p,), _ = read_labels(tmp_path / "l.gpkg", LabelMapping())
    assert (p.lon, p.lat, p.label) == (pytest.approx(30.1), pytest.approx(-1.9), SCHOOL)
    with pytest.raises(InputError, match="no field 'label'"):
        read_labels(tmp_path / "l.csv", LabelMapping())
    (tmp_path / "l.txt").write_text("x")
    with pytest.raises(InputError, match="GeoPackage"):
        read_labels(tmp_path / "l.txt", LabelMapping())


def test_one_split_rule_and_message_for_every_front_end():
    from school_detector.core.chip_plan import check_split

    assert check_split((0.7, 0.15, 0.15)) == (0.7, 0.15, 0.15)
    with pytest.raises(InputError) as from_text:
        parse_split("0.5,0.5,0.5")
    with pytest.raises(InputError) as from_spins:
        check_split((0.5, 0.5, 0.5))
    assert from_text.value.message == from_spins.value.message  # the CLI's and the dialog's
    assert "sum to 1" in from_spins.value.message


def test_dataset_health_counts_and_warns(tmp_path):
    from school_detector.dataset.health import FEW_SCHOOLS, dataset_health, dataset_summary

    for split, (pos, neg) in {"train": (3, 40), "valid": (0, 5)}.items():
        for cls, n in (("school", pos), ("not-school", neg)):
            folder = tmp_path / split / cls
            folder.mkdir(parents=True)
            for i in range(n):
                (folder / f"{i}.png").write_bytes(b"")
    health = dataset_health(tmp_path)
    assert health.counts["train"] == {"school": 3, "not-school": 40}
    text = " ".join(health.warnings)
    assert "valid/ lacks a class" in text and "imbalanced" in text and "Only 3 school chips" in text
    assert FEW_SCHOOLS > 3
    message, warnings = dataset_summary(tmp_path / "nothing")
    assert "not a chip dataset" in message and warnings == [message]
