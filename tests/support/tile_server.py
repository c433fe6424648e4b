"""A real HTTP tile server on loopback for tests: serves ``root/{z}/{x}/{y}.png`` and can
misbehave on purpose (status codes, delays, garbage bodies, dropped connections)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

Fault = Callable[[str, int], "tuple[int, bytes] | None"]  # (path, nth request for it) -> response or None


class TileServer:
    def __init__(self, root: Path, fault: Fault | None = None, delay: float = 0.0) -> None:
        self.root = Path(root)
        self.fault = fault
        self.delay = delay
        self.requests: Counter[str] = Counter()
        self.headers_seen: list[dict[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                server.requests[path] += 1
                server.headers_seen.append(dict(self.headers))
                if server.delay:
                    time.sleep(server.delay)
                if server.fault is not None:
                    answer = server.fault(path, server.requests[path])
                    if answer is not None:
                        status, body = answer
                        if status == 0:  # drop the connection without an answer
                            self.connection.close()
                            return
                        self._send(status, body, "text/plain")
                        return
                file = server.root / path.lstrip("/")
                if file.is_file():
                    self._send(200, file.read_bytes(), "image/png")
                else:
                    self._send(404, b"no tile", "text/plain")

            def _send(self, status: int, body: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def template(self) -> str:
        return f"http://127.0.0.1:{self.port}/{{z}}/{{x}}/{{y}}.png"

    def __enter__(self) -> TileServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
