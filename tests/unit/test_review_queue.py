"""Review queue ordering, sharing between mappers and place grouping."""

from __future__ import annotations

import math
import random

import pytest

from school_detector.core.review_queue import Item, by_score, nearest_path, places, share


def random_items(n: int, seed: int = 1, side: int = 400) -> list[Item]:
    rng = random.Random(seed)
    cells = rng.sample([(x, y) for x in range(side) for y in range(side)], n)
    return [Item(k, 18, 1000 + x, 2000 + y, rng.random()) for k, (x, y) in enumerate(cells)]


def path_length(items: list[Item]) -> float:
    return sum(math.dist((a.x, a.y), (b.x, b.y)) for a, b in zip(items, items[1:]))


def test_by_score_is_highest_first() -> None:
    items = random_items(50)
    ordered = by_score(items)
    assert [i.score for i in ordered] == sorted((i.score for i in items), reverse=True)


def test_nearest_path_is_the_exact_greedy_walk() -> None:
    items = random_items(400, side=60)
    order = nearest_path(items, start=(1000.0, 2000.0))
    assert sorted(i.key for i in order) == list(range(400))
    px, py, left = 1000.0, 2000.0, set(items)
    for it in order:  # each step goes to a nearest remaining candidate (brute force)
        nearest = min((j.x - px) ** 2 + (j.y - py) ** 2 for j in left)
        assert (it.x - px) ** 2 + (it.y - py) ** 2 == nearest
        left.discard(it)
        px, py = it.x, it.y


def test_nearest_path_moves_far_less_than_score_order() -> None:
    items = random_items(3000)
    assert path_length(nearest_path(items)) < path_length(by_score(items)) / 10
    assert nearest_path(items)[0] == by_score(items)[0]  # no start: the best candidate first
    assert nearest_path([]) == []


@pytest.mark.parametrize("mode", ["stride", "region"])
@pytest.mark.parametrize("parts", [1, 2, 3, 7])
def test_shares_are_disjoint_and_cover_the_queue(mode: str, parts: int) -> None:
    items = by_score(random_items(100))
    shares = [share(items, p, parts, mode) for p in range(parts)]
    keys = [i.key for s in shares for i in s]
    assert sorted(keys) == list(range(100))
    assert max(len(s) for s in shares) - min(len(s) for s in shares) <= 1
    for s in shares:  # the queue's order is kept within a share
        assert s == [i for i in items if i in s]


def test_region_shares_are_west_to_east_strips_and_stable() -> None:
    items = random_items(90)
    a, b, c = (share(items, p, 3, "region") for p in range(3))
    assert max(i.x for i in a) <= min(i.x for i in b) and max(i.x for i in b) <= min(i.x for i in c)
    # a share does not depend on the queue order (each mapper's QGIS may sort differently)
    assert {i.key for i in share(by_score(items), 1, 3, "stride")} == {i.key for i in share(items, 1, 3, "stride")}


def test_share_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="does not exist"):
        share([], 3, 3)
    with pytest.raises(ValueError, match="stride, region"):
        share([], 0, 2, "random")


def test_places_are_bounded_and_never_chain() -> None:
    """One place is one school: a tile-centre candidate joins at most a 2x2 block of touching
    tiles; a placed candidate joins the best one's point within a school's size. (It used to
    chain every touching tile: one key press could confirm a whole district.)"""
    items = [
        Item(0, 18, 10, 10, 0.9),
        Item(1, 18, 11, 11, 0.95),  # diagonal neighbour of 0
        Item(2, 18, 12, 11, 0.6),  # neighbour of 1, but not in a 2x2 block with 1 and 0
        Item(3, 18, 20, 10, 0.8),  # alone
        Item(4, 17, 11, 10, 0.7),  # another zoom: never grouped
        Item(5, 18, 14, 11, 0.99),  # two columns from 2: not touching
    ]
    groups = places(items)
    assert [[i.key for i in g] for g in groups] == [[5], [1, 0], [3], [4], [2]]  # best places first
    assert places([]) == []
    block = [Item(k, 18, 100 + k % 8, 200 + k // 8, 0.5 + k / 1000) for k in range(64)]
    grouped = places(block)
    assert len(grouped) == 16 and max(len(p) for p in grouped) == 4  # an 8x8 scene: 16 places, not 1
    # points on a line 50 m apart (at the equator): the best takes those within 80 m of its point
    line = [Item(k, 18, 100 + k, 200, 0.9 - k / 100, 50.0 * k, 0.0) for k in range(6)]
    assert [[i.key for i in g] for g in places(line)] == [[0, 1], [2, 3], [4, 5]]


def test_the_queue_moves_whole_sites_through_shares_and_orders() -> None:
    from school_detector.core.review_queue import build_queue

    items = [
        Item(0, 18, 10, 10, 0.9),
        Item(1, 18, 11, 10, 0.95),  # one place with 0
        Item(2, 18, 30, 10, 0.5),
        Item(3, -1, -1, -1, 0.99),  # no tile (a layer from another tool): on its own
    ]
    plain = build_queue(items)
    assert [[i.key for i in g] for g in plain] == [[3], [1], [0], [2]]
    grouped = build_queue(items, group_places=True)
    assert [[i.key for i in g] for g in grouped] == [[3], [1, 0], [2]]
    shares = [build_queue(items, True, "stride", part, 2) for part in (0, 1)]
    keys = [sorted(i.key for g in s for i in g) for s in shares]
    assert sorted(keys[0] + keys[1]) == [0, 1, 2, 3] and not set(keys[0]) & set(keys[1])
    assert any({0, 1} <= set(k) for k in keys)  # the place stayed with one mapper
    walk = build_queue(items, True, order="nearest", start=(29.5, 9.5))
    assert [i.key for i in walk[0]] == [2]  # nearest to the start first


def test_decisions_made_elsewhere_are_found() -> None:
    from school_detector.core.review_queue import decided_elsewhere

    listed = {1: "unreviewed", 2: "unreviewed", 3: "confirmed"}
    assert decided_elsewhere({1: None, 2: "rejected", 3: "confirmed"}, listed) == [2]
    assert decided_elsewhere({1: "unreviewed"}, listed) == []


def test_a_candidate_on_a_place_already_decided_is_not_a_new_place():
    """A lower threshold brings in a second view of a school confirmed minutes ago (30 m from its
    point): it is that place, not a new one; a candidate 200 m away is new."""
    from school_detector.core.review_queue import on_decided_places

    confirmed = [Item(1, 18, 10, 10, 0.9, 0.0, 0.0)]
    waiting = [Item(2, 18, 11, 10, 0.45, 30.0, 0.0), Item(3, 18, 12, 10, 0.4, 200.0, 0.0), Item(4, 18, 13, 10, 0.4)]
    assert on_decided_places(waiting, confirmed) == {2}
    assert on_decided_places(waiting, []) == set()
