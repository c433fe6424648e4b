"""A protocol-faithful fake TF Serving on loopback for fault tests: real HTTP, TF Serving's
JSON shapes, and scripted misbehaviour (status codes, slowness, garbage, wrong counts)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

GOOD_SIGNATURE = {
    "serving_default": {
        "inputs": {"image_bytes": {"dtype": "DT_STRING", "tensor_shape": {"dim": [{"size": "-1"}]}}},
        "outputs": {"school_probability": {"dtype": "DT_FLOAT", "tensor_shape": {"dim": [{"size": "-1"}]}}},
        "method_name": "tensorflow/serving/predict",
    }
}

# fault(nth predict request, number of instances) -> None (answer normally) or (status, body bytes, delay s)
Fault = Callable[[int, int], "tuple[int, bytes, float] | None"]


class FakeServing:
    def __init__(
        self,
        fault: Fault | None = None,
        metadata: dict[str, Any] | None = None,
        score: float = 0.7,
        by_content: bool = False,
        required_headers: dict[str, str] | None = None,
    ) -> None:
        """``by_content``: each image's score is a hash of its bytes, so an answer attributed to
        the wrong tile shows. ``required_headers``: answer 401 without them (an API key)."""
        self.fault = fault
        self.by_content = by_content
        self.required_headers = required_headers or {}
        self.metadata = metadata or {
            "model_spec": {"name": "schools", "version": "1", "signature_name": ""},
            "metadata": {"signature_def": {"signature_def": GOOD_SIGNATURE}},
        }
        self.score = score
        self.predicts = 0
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a: object) -> None:
                pass

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if not self._authorised():
                    return
                if self.path.endswith("/metadata"):
                    self._send(200, json.dumps(fake.metadata).encode())
                else:
                    self._send(200, b'{"model_version_status": [{"version": "1", "state": "AVAILABLE"}]}')

            def _authorised(self) -> bool:
                if all(self.headers.get(k) == v for k, v in fake.required_headers.items()):
                    return True
                self._send(401, b'{"error": "missing or wrong credentials"}')
                return False

            def do_POST(self) -> None:
                instances = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["instances"]
                n = len(instances)
                if not self._authorised():
                    return
                with fake.lock:
                    fake.predicts += 1
                    nth = fake.predicts
                answer = fake.fault(nth, n) if fake.fault else None
                if answer is not None:
                    status, body, delay = answer
                    time.sleep(delay)
                    if status == 0:  # drop the connection mid-body
                        self.send_response(200)
                        self.send_header("Content-Length", "1000")
                        self.end_headers()
                        self.wfile.write(b'{"predictions": [0.')
                        self.close_connection = True
                        return
                    self._send(status, body)
                    return
                if fake.by_content:
                    scores = [content_score(i["b64"]) for i in instances]
                else:
                    scores = [fake.score] * n
                self._send(200, json.dumps({"predictions": [[s] for s in scores]}).encode())

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def use_tls(self, cert: Path, key: Path) -> FakeServing:
        """Serve HTTPS with this certificate (e.g. a self-signed one)."""
        import ssl

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(cert), str(key))
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.url = self.url.replace("http://", "https://")
        return self

    def __enter__(self) -> FakeServing:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def content_score(b64: str) -> float:
    import hashlib

    return int(hashlib.sha1(b64.encode()).hexdigest()[:6], 16) / 0xFFFFFF


def reference_metadata() -> dict[str, Any]:
    """The real metadata response in shared/reference (a float-input regression model)."""
    from tests.paths import SHARED

    return json.loads((SHARED / "reference" / "tf_serving_metadata_response_example.json").read_text())


__all__ = ["FakeServing", "Path", "reference_metadata"]
