"""The TF Serving client against a misbehaving server: bounded retries, then a clear stop;
never a wrong score attributed to a tile."""

import json

import pytest

from school_detector.core.tiles import Tile
from school_detector.scan.scanner import ScanSettings, scan
from school_detector.scan.store import ResultStore
from school_detector.serving.client import Endpoint, ServingClient, ServingError
from school_detector.serving.predictor import RestPredictor
from tests.support.fake_serving import FakeServing, reference_metadata


def client(url, **kw):
    return ServingClient(Endpoint(url, "schools"), backoff=0.01, **kw)


def test_wrong_signature_is_refused_with_a_reason():
    with FakeServing(metadata=reference_metadata()) as srv:
        c = ServingClient(Endpoint(srv.url, "saved_model_half_plus_two_2_versions"))
        with pytest.raises(ServingError, match=r"takes x \(DT_FLOAT\)"):
            c.check_signature()


@pytest.mark.parametrize("status", [500, 503, 429])
def test_bursts_of_5xx_are_retried(status):
    def burst(nth, n):
        return (status, b'{"error": "busy"}', 0) if nth <= 2 else None

    with FakeServing(burst) as srv:
        c = client(srv.url, retries=3)
        assert c.predict([b"a", b"b"]) == [0.7, 0.7]
        assert c.stats["retries"] == 2


def test_4xx_is_never_retried():
    with FakeServing(lambda nth, n: (400, b'{"error": "Invalid argument: bad image"}', 0)) as srv:
        c = client(srv.url, retries=3)
        with pytest.raises(ServingError, match="bad image"):
            c.predict([b"a"])
        assert srv.predicts == 1


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (lambda nth, n: (200, b"{not json", 0), "malformed JSON"),
        (lambda nth, n: (200, json.dumps({"predictions": [0.5] * (n - 1)}).encode(), 0), "predictions for"),
        (lambda nth, n: (200, json.dumps({"predictions": [1.7] * n}).encode(), 0), "not a probability"),
        (lambda nth, n: (200, b'{"outputs": []}', 0), "without predictions"),
        (lambda nth, n: (0, b"", 0), "malformed JSON|failed after"),
        (lambda nth, n: (200, b'{"predictions": []}', 2.0), "failed after"),
        (lambda nth, n: (404, b'{"error": "Servable not found for request: Latest(schools)"}', 0), "has no model"),
    ],
    ids=["malformed", "wrong-count", "not-probability", "no-predictions", "dropped", "timeout", "unloaded"],
)
def test_bad_answers_stop_clearly(fault, message):
    with FakeServing(fault) as srv:
        c = client(srv.url, retries=1, timeout=0.5)
        with pytest.raises(ServingError, match=message):
            c.predict([b"a", b"b"])


class Chips:
    """A source with imagery everywhere (the REST behaviour is under test, not imagery)."""

    def describe(self):
        return {"type": "test"}

    def extent_3857(self):
        return None

    def read(self, bounds, size):
        import numpy as np

        from school_detector.imagery.base import Chip

        return Chip(np.zeros((size, size, 3), np.uint8), np.ones((size, size), bool))


def test_scan_keeps_finished_batches_when_the_model_is_unloaded_mid_scan(tmp_path):
    from school_detector.core.cover import bbox_polygon
    from school_detector.core.tiles import bounds_3857

    def unload_after_3(nth, n):
        return (404, b'{"error": "Servable not found"}', 0) if nth > 3 else None

    a, b = bounds_3857(Tile(1000, 1000, 18)), bounds_3857(Tile(1009, 1009, 18))
    region = [bbox_polygon(a.west + 1, b.south + 1, b.east - 1, a.north - 1)]
    with FakeServing(unload_after_3) as srv:
        store = ResultStore(tmp_path / "r.gpkg", "schools:1", 0.5)
        with pytest.raises(ServingError, match="has no model"):
            scan(
                Chips(),
                RestPredictor(client(srv.url), concurrency=1),
                store,
                region,
                ScanSettings(batch_size=10, workers=1),
                encode=lambda rgb: b"png",
            )
        counts = store.counts()
        store.close()
    assert counts["tiles"] == 30 and counts["scored"] == 30  # three whole batches, nothing half-written
