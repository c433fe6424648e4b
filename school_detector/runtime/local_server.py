"""The plugin's local inference server: ``school-detector serve`` in the ML runtime, started on
demand, reused across scans, stopped when the plugin unloads or QGIS quits.

It binds to 127.0.0.1 on a free port and speaks TF Serving's REST API, so a local scan and a
remote scan are the same code path (serving.client). Its stdin is the control channel of
runtime.process: when QGIS closes, crashes or is killed, the pipe closes and the server stops
by itself, on every OS."""

from __future__ import annotations

import json
import queue
import threading
import time
from pathlib import Path

from ..core.errors import RuntimeJobError
from .locate import runtime_command, runtime_env
from .process import CONTROL_ARGS, ChildProcess


class LocalServer:
    def __init__(self) -> None:
        self._child: ChildProcess | None = None
        self._model: Path | None = None
        self._python: Path | None = None
        self._backend = "auto"
        self.url = ""
        self.runs_on = ""  # what the served model runs on, as the server says
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._child is not None and self._child.running

    @property
    def pid(self) -> int | None:
        return self._child.pid if self._child is not None else None

    def ensure(self, python: Path | None, model_dir: Path | None, backend: str = "auto", timeout: float = 180.0) -> str:
        """The server's URL for this model (on ``backend``), starting (or restarting) it when
        needed. Thread-safe."""
        if python is None or model_dir is None:
            raise RuntimeJobError("The local model server needs the ML runtime and a model folder.")
        with self._lock:
            model_dir = Path(model_dir).resolve()
            if self.running and (self._model, self._python, self._backend) == (model_dir, Path(python), backend):
                return self.url
            self._stop_locked()
            args = ["serve", "--model", str(model_dir), "--port", "0", "--backend", backend, "--progress", "jsonl"]
            args += CONTROL_ARGS
            child = ChildProcess(runtime_command(python, args), runtime_env(), control=True)
            url, self.runs_on = self._wait_listening(child, timeout)
            self._child, self._model, self._python, self.url = child, model_dir, Path(python), url
            self._backend = backend
            return url

    @staticmethod
    def _wait_listening(child: ChildProcess, timeout: float) -> tuple[str, str]:
        """(URL, what the model runs on: "CPU, ONNX Runtime 1.32.0, 2 threads") from the
        server's "listening" metric."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = child.lines.get(timeout=0.2)
            except queue.Empty:
                if not child.running:
                    break
                continue
            if line is None:
                break
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            if event.get("event") == "error":
                child.kill()
                raise RuntimeJobError(
                    f"The local model server did not start: {event.get('message')}", child.stderr_tail()
                )
            if "listening" in event:
                return str(event["listening"]), str(event.get("runs_on") or "")
        child.kill()
        raise RuntimeJobError("The local model server did not start in time.", child.stderr_tail())

    def stop(self) -> None:
        with self._lock:
            self._stop_locked()

    def _stop_locked(self) -> None:
        child, self._child = self._child, None
        self.url = ""
        if child is None:
            return
        child.stop(grace_s=10.0)
        child.close()
