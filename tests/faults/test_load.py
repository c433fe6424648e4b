"""The local model server and the client under sustained concurrent load on loopback: every
request gets exactly its own images' scores (none lost, none duplicated or swapped between
concurrent requests), and the server's memory stays flat."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from school_detector.imagery.png import png_bytes
from school_detector.serving.client import Endpoint, ServingClient
from tests.support.serve_process import ServeProcess

THREADS, ROUNDS, BATCH = 6, 5, 8
REQUESTS_PER_ROUND = 60


def rss_mb(pid: int) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_sustained_concurrent_load(model):
    from school_detector.ml.predictor import SavedModelPredictor

    rng = np.random.default_rng(5)
    images = [rng.integers(0, 256, (64, 64, 3), dtype=np.uint8) for _ in range(BATCH * 24)]
    expected = SavedModelPredictor(model).predict(images)  # the same model, in process
    encoded = [png_bytes(im) for im in images]
    with ServeProcess(model) as server:
        client = ServingClient(Endpoint(server.url, "schools"), pool=THREADS)
        client.check_signature()

        def one(k: int) -> int:
            first = (k * BATCH) % len(images)
            picked = [(first + j * 7) % len(images) for j in range(BATCH)]  # each request its own mix
            got = client.predict([encoded[i] for i in picked])
            assert len(got) == BATCH
            assert np.allclose(got, [expected[i] for i in picked], atol=1e-5), k
            return len(got)

        memory, answered, start = [], 0, time.perf_counter()
        for _ in range(1 + ROUNDS):  # a warm-up round, then the measured ones
            with ThreadPoolExecutor(THREADS) as pool:
                answered += sum(pool.map(one, range(REQUESTS_PER_ROUND)))
            memory.append(rss_mb(server.proc.pid))
        seconds = time.perf_counter() - start
        assert answered == (1 + ROUNDS) * REQUESTS_PER_ROUND * BATCH  # nothing lost
        assert client.stats["retries"] == 0
        assert memory[-1] <= memory[0] * 1.10, memory  # flat after warm-up
        print(f"load: {answered} predictions in {seconds:.1f} s by {THREADS} threads; server RSS {memory} MB")
