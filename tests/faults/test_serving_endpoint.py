"""The serving endpoint misbehaving under a real CLI scan (``--serving-url``, a subprocess)
against a protocol-faithful TF Serving on loopback: transient faults are retried and the scan
completes; persistent ones stop it with a clear message after bounded retries. Every score
written is the one the server gave *that* tile (scores are a hash of each chip's bytes), and
only whole batches are kept."""

from __future__ import annotations

import json
import socket
import sqlite3

import pytest

from tests.support.cli import result_of, run_cli
from tests.support.fake_serving import FakeServing

BATCH = 4
RETRIES = 3  # the client's default: 4 tries per batch at most


def after(k, answer):
    return lambda nth, n: answer(n) if nth > k else None


def only(requests, answer):
    return lambda nth, n: answer(n) if nth in requests else None


SLOW = lambda n: (200, json.dumps({"predictions": [0.5] * n}).encode(), 2.0)  # noqa: E731
E500 = lambda n: (500, b'{"error": "Internal: out of memory"}', 0)  # noqa: E731
E503 = lambda n: (503, b'{"error": "Unavailable"}', 0)  # noqa: E731
GARBAGE = lambda n: (200, b"<html>proxy error</html>", 0)  # noqa: E731
SHORT = lambda n: (200, json.dumps({"predictions": [0.5] * (n - 1)}).encode(), 0)  # noqa: E731
DROPPED = lambda n: (0, b"", 0)  # noqa: E731
UNLOADED = lambda n: (404, b'{"error": "Servable not found for request: Latest(schools)"}', 0)  # noqa: E731

CASES = {
    # name: (fault, completes, message when it stops)
    "500 burst": (only({2, 3}, E500), True, None),
    "503 burst": (only({4}, E503), True, None),
    "dropped mid-body once": (only({3}, DROPPED), True, None),
    "malformed JSON once": (only({2}, GARBAGE), True, None),
    "slow past the timeout": (after(2, SLOW), False, "failed after 4 tries"),
    "503 for good": (after(3, E503), False, "failed after 4 tries"),
    "malformed JSON for good": (after(2, GARBAGE), False, "malformed JSON"),
    "dropped mid-body for good": (after(2, DROPPED), False, "failed after 4 tries|malformed"),
    "wrong number of predictions": (only({3}, SHORT), False, "returned 3 predictions for 4 images"),
    "model unloaded mid-scan": (after(3, UNLOADED), False, "has no model 'schools'"),
}


def scan_args(scene, url, out, *extra):
    west, south, _, north = json.loads((scene / "scene.json").read_text())["bounds_3857"]
    box = f"{west + 1},{south + 1},{west + 4 * 152.874 - 1},{north - 1}"  # 4 columns: 24 tiles, 6 batches
    return ["scan", "--imagery", str(scene / "scene.tif"), "--bbox-crs", "EPSG:3857", "--bbox", box,
            "--serving-url", url, "--model-name", "schools", "--batch-size", str(BATCH), "--workers", "1",
            "--concurrency", "1", "--timeout", "0.5", "--threshold", "0.5", "--out", str(out), *extra]  # fmt: skip


def scores(path):
    with sqlite3.connect(path) as c:
        return dict(c.execute("SELECT tile, score FROM tile_scores WHERE score IS NOT NULL"))


@pytest.fixture(scope="module")
def reference(scene, tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "r.gpkg"
    with FakeServing(by_content=True) as srv:
        proc, _ = run_cli(*scan_args(scene, srv.url, out))
    assert proc.returncode == 0, proc.stderr[-2000:]
    return scores(out)


@pytest.mark.parametrize("case", list(CASES))
def test_serving_fault(scene, reference, tmp_path, case):
    fault, completes, message = CASES[case]
    out = tmp_path / "r.gpkg"
    with FakeServing(fault, by_content=True) as srv:
        proc, events = run_cli(*scan_args(scene, srv.url, out))
        requests = srv.predicts
    got = scores(out)
    assert all(got[t] == pytest.approx(reference[t]) for t in got)  # never a score from another tile
    assert len(got) % BATCH == 0  # whole batches only
    assert requests <= len(reference) // BATCH * (RETRIES + 1)  # bounded
    if completes:
        assert proc.returncode == 0, events[-1:]
        assert got == pytest.approx(reference)
    else:
        assert proc.returncode != 0 and len(got) < len(reference)
        error = next(e for e in events if e["event"] == "error")["message"]
        assert any(m in error for m in message.split("|")), error
        kept = sqlite3.connect(out).execute("SELECT COUNT(*) FROM tile_scores").fetchone()[0]
        if kept:  # it says what it kept, and only then
            assert f"The {kept:,} tiles done so far are in r.gpkg: scan again with Resume" in error, error
        # and a resumed scan against a healthy server finishes the job
        with FakeServing(by_content=True) as healthy:
            proc2, events2 = run_cli(*scan_args(scene, healthy.url, out, "--resume"))
        assert proc2.returncode == 0 and result_of(events2)["resumed"] == len(got)
        assert scores(out) == pytest.approx(reference)


def test_connection_refused_stops_before_scanning(scene, tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    proc, events = run_cli(*scan_args(scene, f"http://127.0.0.1:{port}", tmp_path / "r.gpkg"))
    assert proc.returncode != 0
    error = next(e for e in events if e["event"] == "error")["message"]
    assert "failed after 4 tries" in error and "reachable" in error
    assert f"nothing answers at 127.0.0.1:{port} (connection refused)" in error, error  # in words
    assert "object at 0x" not in error and "NewConnectionError" not in error
    assert "so far" not in error  # nothing was scanned: no claim that anything is kept
    assert not (tmp_path / "r.gpkg").exists() or scores(tmp_path / "r.gpkg") == {}
