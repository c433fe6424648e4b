"""The imagery source misbehaving: a real tile server on loopback that answers 404, 429 and
5xx, truncated or non-image bodies, or stalls. Scans and chip builds retry, count and go on;
they never crash, never score a broken tile, and never cache a broken body."""

from __future__ import annotations

import json
import threading
import time
import zlib

import numpy as np
import pytest

from school_detector.core.progress import Reporter
from school_detector.core.tiles import Bounds
from school_detector.imagery.xyz import XyzSource
from school_detector.scan.region import extent_polygon
from school_detector.scan.scanner import ScanSettings, scan
from school_detector.scan.store import ResultStore
from tests.support.tile_server import TileServer


class Constant:
    """A predictor that scores a chip by its mean brightness: the model is not under test."""

    wants_bytes = False
    concurrency = 1

    def predict(self, chips):
        return [float(np.asarray(c).mean() / 255) for c in chips]

    def describe(self):
        return {"backend": "test"}


def every_third(answer):
    """A fault on every third tile, on every request for it (a persistent one)."""
    return lambda path, nth: answer if zlib.crc32(path.encode()) % 3 == 0 else None


def first_try(answer):
    """A fault on every tile's first request only (a transient one)."""
    return lambda path, nth: answer if nth == 1 else None


TRUNCATED = "truncated"  # marker: the real tile cut in half


class Stall:
    """Answers the first tiles, then hangs past the client's timeout: a server that stalls mid-scan."""

    def __init__(self, after: int = 6, seconds: float = 0.8) -> None:
        self.after, self.seconds, self.seen = after, seconds, 0
        self.lock = threading.Lock()

    def __call__(self, path, nth):
        with self.lock:
            self.seen += 1
            stall = self.seen > self.after
        if stall:
            time.sleep(self.seconds)
        return None


CASES = {
    # name: (fault, skipped reason expected for persistent faults or None)
    "404 no tile": (every_third((404, b"no tile")), "no imagery"),
    "429 then fine": (first_try((429, b"slow down")), None),
    "500 then fine": (first_try((500, b"oops")), None),
    "503 for good": (every_third((503, b"down")), "fetch failed"),
    "HTML instead of a tile": (every_third((200, b"<html>captive portal</html>")), "fetch failed"),
    "truncated then fine": (first_try((200, TRUNCATED)), None),
    "truncated for good": (every_third((200, TRUNCATED)), "fetch failed"),
    "dropped connection then fine": (first_try((0, b"")), None),
    "stalling server": (Stall(), "fetch failed"),
}


def tiles_fault(scene, fault):
    if fault is None:
        return None

    def answer(path, nth):
        got = fault(path, nth)
        if got is not None and got[1] == TRUNCATED:
            body = (scene / "tiles" / path.lstrip("/")).read_bytes()
            return 200, body[: len(body) // 2]
        return got

    return answer


def region(scene):
    west, south, east, north = json.loads((scene / "scene.json").read_text())["bounds_3857"]
    return extent_polygon(Bounds(west + 1, south + 1, east - 1, north - 1))


@pytest.fixture(scope="module")
def reference(scene, tmp_path_factory):
    with TileServer(scene / "tiles") as server:
        src = XyzSource(server.template, retries=2, backoff=0.01, timeout=0.5)
        store = ResultStore(tmp_path_factory.mktemp("ref") / "r.gpkg", "test:1", 0.5)
        scan(src, Constant(), store, region(scene), ScanSettings(batch_size=4, workers=2), Reporter("callback"))
        scores = store.scores()
        store.close()
    return scores


@pytest.mark.parametrize("case", list(CASES))
def test_imagery_fault_during_a_scan(scene, reference, tmp_path, case):
    fault, reason = CASES[case]
    with TileServer(scene / "tiles", fault=tiles_fault(scene, fault)) as server:
        src = XyzSource(server.template, cache_dir=tmp_path / "cache", retries=2, backoff=0.01, timeout=0.5)
        store = ResultStore(tmp_path / "r.gpkg", "test:1", 0.5)
        settings = ScanSettings(batch_size=4, workers=2)
        result = scan(src, Constant(), store, region(scene), settings, Reporter("callback"))
        got = store.scores()
        counts = store.counts()
        store.close()
    assert counts["tiles"] == len(reference)  # every tile has a row: scored, or skipped with a reason
    assert all(got[t] == pytest.approx(reference[t]) for t in got)  # a scored tile got its real imagery
    if reason is None:
        assert got == pytest.approx(reference) and src.stats["retries"] > 0
    else:
        assert result["skipped"].get(reason, 0) > 0 and len(got) < len(reference)
        assert result["skipped"].get(reason, 0) + len(got) + sum(
            v for k, v in result["skipped"].items() if k != reason
        ) == len(reference)
    cached = [p for p in (tmp_path / "cache").rglob("*.png")]
    for p in cached:  # nothing broken was cached
        from PIL import Image

        with Image.open(p) as im:
            im.verify()
