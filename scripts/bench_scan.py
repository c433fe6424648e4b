"""Scan benchmarks (run by `make bench` in the ML runtime; the plugin-path part runs a QGIS
subprocess). Prints tiles/s, the ratios the scan issue asks for, and peak RSS."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from school_detector.core.progress import Reporter  # noqa: E402
from school_detector.core.tiles import tile_for_lonlat  # noqa: E402
from school_detector.scan.region import extent_polygon  # noqa: E402
from school_detector.scan.scanner import ScanSettings, scan  # noqa: E402
from school_detector.scan.store import ResultStore  # noqa: E402

QUIET = Reporter("callback")


def make_model(work: Path, backbone: str, size: int) -> Path:
    from school_detector.core.model_card import ModelCard
    from school_detector.ml.export import export_saved_model
    from school_detector.ml.models import build_classifier

    model, _ = build_classifier(backbone, size, None)
    out = work / f"model-{backbone}"
    (out / "schools").mkdir(parents=True)
    exported = export_saved_model(model, size, out / "schools" / "1", 256)
    ModelCard(
        name="schools", version=1, backbone=backbone, input_size=size, zoom=18, onnx=exported.onnx,
        location=exported.location,
    ).write(out)  # fmt: skip
    return out


def predictor(model_dir: Path, backend: str) -> Any:
    from school_detector.scan.job import in_process_predictor

    return in_process_predictor(model_dir, backend)


def bare_rate(model_dir: Path, batch: int, backend: str, rounds: int = 6) -> float:
    import numpy as np

    pred = predictor(model_dir, backend)
    chips = [np.random.default_rng(i).integers(0, 255, (256, 256, 3), dtype=np.uint8) for i in range(batch)]
    pred.predict(chips)
    start = time.perf_counter()
    for _ in range(rounds):
        pred.predict(chips)
    return batch * rounds / (time.perf_counter() - start)


def in_process_rate(model_dir: Path, scene: Path, batch: int, work: Path, backend: str) -> float:
    from school_detector.imagery.raster import RasterSource

    src = RasterSource(scene / "scene.tif")
    pred = predictor(model_dir, backend)
    pred.predict([src.read(src.extent_3857(), 256).rgb])  # warm up the graph like the bare run
    (work / "inproc.gpkg").unlink(missing_ok=True)
    store = ResultStore(work / "inproc.gpkg", "schools:1", 0.5)
    res = scan(src, pred, store, extent_polygon(src.extent_3857()), ScanSettings(batch_size=batch, workers=4), QUIET)
    store.close()
    return float(res["tiles_per_s"])


def plugin_rate(model_dir: Path, scene: Path, batch: int, backend: str) -> float:
    """QGIS renders the layer, the local serve predicts: the plugin's path, in a QGIS process."""
    code = f"""
import sys, json
sys.path.insert(0, {str(ROOT)!r})
from qgis.core import QgsApplication, QgsRasterLayer
app = QgsApplication([], False); app.initQgis()
from school_detector.core.progress import Reporter
from school_detector.qgis_io.layer_source import QgisLayerSource
from school_detector.scan.region import extent_polygon
from school_detector.scan.scanner import ScanSettings, scan
from school_detector.scan.store import ResultStore
from school_detector.serving.client import Endpoint, ServingClient
from school_detector.serving.predictor import RestPredictor
from school_detector.runtime.local_server import LocalServer
from school_detector.imagery.png import png_bytes
from pathlib import Path
layer = QgsRasterLayer({str(scene / "scene.tif")!r}, 's')
server = LocalServer()
url = server.ensure(Path({str(ROOT / ".runtime" / "bin" / "python")!r}), Path({str(model_dir)!r}), {backend!r})
pred = RestPredictor(ServingClient(Endpoint(url, 'schools')), concurrency=2)
src = QgisLayerSource(layer)
pred.predict([png_bytes(src.read(src.extent_3857(), 256).rgb)])
Path({str(scene.parent / "plugin.gpkg")!r}).unlink(missing_ok=True)
store = ResultStore(Path({str(scene.parent / "plugin.gpkg")!r}), 'schools:1', 0.5)
res = scan(src, pred, store, extent_polygon(src.extent_3857()), ScanSettings(batch_size={batch}, workers=1),
           Reporter('callback'), encode=png_bytes)
store.close(); server.stop()
print('RATE', res['tiles_per_s'], flush=True)
del src, layer
app.exitQgis()
"""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(ROOT / ".cache" / "xdg"))
    out = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-c", code], capture_output=True, text=True, env=env, timeout=900
    )
    for line in out.stdout.splitlines():
        if line.startswith("RATE"):
            return float(line.split()[1])
    raise RuntimeError(out.stderr[-2000:])


class LatencyServer:
    """A fake TF Serving (protocol-faithful answers) that takes a fixed time per request and
    handles one at a time, like a saturated GPU: the client should keep it busy."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.busy = 0.0
        self.lock = threading.Lock()
        bench = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a: object) -> None:
                pass

            def _send(self, obj: Any) -> None:
                data = json.dumps(obj).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                sig = {
                    "inputs": {"image_bytes": {"dtype": "DT_STRING"}},
                    "outputs": {"school_probability": {"dtype": "DT_FLOAT"}},
                }
                self._send({"metadata": {"signature_def": {"signature_def": {"serving_default": sig}}}})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with bench.lock:  # one request at a time
                    t0 = time.perf_counter()
                    time.sleep(bench.latency)
                    bench.busy += time.perf_counter() - t0
                self._send({"predictions": [0.1] * len(body["instances"])})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


class SyntheticSource:
    """Imagery anywhere, instantly: isolates the pipeline from imagery costs."""

    def __init__(self) -> None:
        import numpy as np

        self.rgb = np.full((256, 256, 3), 128, dtype=np.uint8)
        self.valid = np.ones((256, 256), dtype=bool)

    def describe(self) -> dict[str, Any]:
        return {"type": "synthetic"}

    def extent_3857(self) -> None:
        return None

    def read(self, bounds: Any, size: int) -> Any:
        from school_detector.imagery.base import Chip

        return Chip(self.rgb, self.valid)


def busy_fraction(work: Path, latency: float = 0.05, concurrency: int = 4) -> tuple[float, float]:
    from school_detector.core.cover import bbox_polygon
    from school_detector.core.tiles import bounds_3857
    from school_detector.serving.client import Endpoint, ServingClient
    from school_detector.serving.predictor import RestPredictor

    server = LatencyServer(latency)
    t = tile_for_lonlat(30.0, -2.0, 18)
    a, b = bounds_3857(t), bounds_3857(type(t)(t.x + 15, t.y + 9, 18))
    region = [bbox_polygon(a.west + 1, b.south + 1, b.east - 1, a.north - 1)]  # 16x10 tiles
    pred = RestPredictor(ServingClient(Endpoint(server.url, "m")), concurrency=concurrency)
    store = ResultStore(work / "busy.gpkg", "m", 0.5)
    start = time.perf_counter()
    scan(
        SyntheticSource(), pred, store, region, ScanSettings(batch_size=8, workers=2), QUIET, encode=lambda rgb: b"png"
    )
    wall = time.perf_counter() - start
    store.close()
    return server.busy / wall, wall


def rss_run(n_side: int) -> None:
    """Child process: scan an n_side x n_side region from a synthetic loopback XYZ server with a
    constant predictor; print peak RSS."""
    import io

    import numpy as np
    from PIL import Image

    from school_detector.core.cover import bbox_polygon
    from school_detector.core.tiles import bounds_3857
    from school_detector.imagery.xyz import XyzSource

    buf = io.BytesIO()
    Image.fromarray(np.full((256, 256, 3), 100, dtype=np.uint8)).save(buf, "PNG")
    tile = buf.getvalue()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(tile)))
            self.end_headers()
            self.wfile.write(tile)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()

    class Constant:
        wants_bytes = False
        concurrency = 1

        def predict(self, chips: list[Any]) -> list[float]:
            return [0.2] * len(chips)

        def describe(self) -> dict[str, Any]:
            return {"backend": "constant"}

    t = tile_for_lonlat(30.0, -2.0, 18)
    a, b = bounds_3857(t), bounds_3857(type(t)(t.x + n_side - 1, t.y + n_side - 1, 18))
    region = [bbox_polygon(a.west + 1, b.south + 1, b.east - 1, a.north - 1)]
    with tempfile.TemporaryDirectory() as tmp:
        src = XyzSource(f"http://127.0.0.1:{httpd.server_address[1]}/{{z}}/{{x}}/{{y}}.png", concurrency=8)
        store = ResultStore(Path(tmp) / "r.gpkg", "m", 0.5)
        res = scan(src, Constant(), store, region, ScanSettings(batch_size=64, workers=8), QUIET)
        store.close()
    print(
        json.dumps(
            {
                "tiles": res["tiles"],
                "tiles_per_s": res["tiles_per_s"],
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


def peak_rss_mb() -> float:
    """This process's own peak (VmHWM). Not getrusage's ru_maxrss: Linux carries that across
    exec, so a child started by a big parent reports the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--rss":
        rss_run(int(sys.argv[2]))
        return
    if "--memory" in sys.argv:
        memory()
        return
    from school_detector.sample.scene import SceneSpec, write_scene

    only_speed = "--speed" in sys.argv
    batch = 32
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        write_scene(SceneSpec(tiles=24, seed=1), work / "scene")  # 576 tiles: steady state, not start-up
        write_scene(SceneSpec(tiles=10, seed=1), work / "small")  # 100 tiles for Xception (12 tiles/s)
        print(f"scan engines, batch {batch}, in one run: TensorFlow 2.21 (SavedModel) vs ONNX Runtime (its copy)")
        for backbone, size, scene in (("mobilenetv2", 224, work / "scene"), ("xception", 299, work / "small")):
            model = make_model(work, backbone, size)
            rates = {}
            for backend in ("tensorflow", "onnx"):
                rates[backend] = (bare_rate(model, batch, backend), in_process_rate(model, scene, batch, work, backend))
            (tf_bare, tf_scan), (ort_bare, ort_scan) = rates["tensorflow"], rates["onnx"]
            print(
                f"  {backbone:12s} {size} px  bare predict TF {tf_bare:6.1f} / ONNX {ort_bare:6.1f} tiles/s;  "
                f"in-process scan TF {tf_scan:6.1f} / ONNX {ort_scan:6.1f} tiles/s  "
                f"ONNX/TF {ort_scan / tf_scan:.2f}x" + ("  (target >= 1.5x)" if backbone == "mobilenetv2" else "")
            )
            if backbone != "mobilenetv2":
                continue
            print("  scan paths against bare predict (MobileNetV2, 576 tiles of a GeoTIFF):")
            for backend in ("tensorflow", "onnx"):
                bare = rates[backend][0]
                plugin = plugin_rate(model, work / "scene", batch, backend)
                for label, rate, target in (
                    (f"in-process scan ({backend})", rates[backend][1], 0.9),
                    (f"plugin path, QGIS render + local serve ({backend})", plugin, 0.75),
                ):
                    print(f"    {label:52s} {rate:7.1f} tiles/s   ratio {rate / bare:.2f} (target >= {target})")
        busy, wall = busy_fraction(work)
        print(f"  REST concurrency 4 vs a 50 ms/request server: server busy {busy:.0%} of {wall:.1f} s (target >= 90%)")
    if not only_speed:
        memory()


def memory() -> None:
    """Peak RSS of scans of ~10k and ~100k tiles (synthetic loopback XYZ, constant predictor)."""
    rss = {}
    for side in (100, 317):  # 10k and ~100k tiles
        out = subprocess.run(
            [sys.executable, __file__, "--rss", str(side)], capture_output=True, text=True, timeout=1800
        )
        rss[side] = json.loads(out.stdout.strip().splitlines()[-1])
    small, large = rss[100], rss[317]
    print(
        f"memory: {small['tiles']} tiles peak RSS {small['peak_rss_mb']:.0f} MB ({small['tiles_per_s']} tiles/s); "
        f"{large['tiles']} tiles peak RSS {large['peak_rss_mb']:.0f} MB ({large['tiles_per_s']} tiles/s); "
        f"ratio {large['peak_rss_mb'] / small['peak_rss_mb']:.2f} (target <= 1.10)"
    )


if __name__ == "__main__":
    main()
