"""The plugin's local inference server: ``school-detector serve`` in the ML runtime, started on
demand, reused across scans, stopped when the plugin unloads or QGIS quits.

It binds to 127.0.0.1 on a free port and speaks TF Serving's REST API, so a local scan and a
remote scan are the same code path (serving.client)."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import time
from pathlib import Path

from ..core.errors import RuntimeJobError
from ..runtime.locate import runtime_command, runtime_env


class LocalServer:
    def __init__(self) -> None:
        self._proc: subprocess.Popen[str] | None = None
        self._model: Path | None = None
        self._python: Path | None = None
        self.url = ""
        self._lock = threading.Lock()
        self._stderr: list[str] = []

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def ensure(self, python: Path, model_dir: Path, timeout: float = 180.0) -> str:
        """The server's URL for this model, starting (or restarting) it when needed. Thread-safe."""
        with self._lock:
            model_dir = Path(model_dir).resolve()
            if self.running and self._model == model_dir and self._python == Path(python):
                return self.url
            self._stop_locked()
            args = ["serve", "--model", str(model_dir), "--port", "0", "--parent-pid", str(os.getpid())]
            cmd = runtime_command(python, [*args, "--progress", "jsonl"])  # it stops if QGIS dies
            proc = subprocess.Popen(
                cmd,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                env=runtime_env(),
                text=True,
                encoding="utf-8",
                errors="replace",
                start_new_session=True,
            )
            lines: queue.Queue[str | None] = queue.Queue()

            def pump_stdout() -> None:
                assert proc.stdout is not None
                for line in proc.stdout:
                    lines.put(line)
                lines.put(None)

            def pump_stderr() -> None:
                assert proc.stderr is not None
                for line in proc.stderr:
                    self._stderr.append(line)
                    del self._stderr[:-50]

            threading.Thread(target=pump_stdout, daemon=True).start()
            threading.Thread(target=pump_stderr, daemon=True).start()
            deadline = time.time() + timeout
            url = ""
            while time.time() < deadline:
                try:
                    line = lines.get(timeout=0.2)
                except queue.Empty:
                    if proc.poll() is not None:
                        break
                    continue
                if line is None:
                    break
                try:
                    event = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if event.get("event") == "error":
                    proc.kill()
                    raise RuntimeJobError(
                        f"The local model server did not start: {event.get('message')}", "".join(self._stderr)
                    )
                if "listening" in event:
                    url = str(event["listening"])
                    break
            if not url:
                proc.kill()
                raise RuntimeJobError("The local model server did not start in time.", "".join(self._stderr[-20:]))
            self._proc, self._model, self._python, self.url = proc, model_dir, Path(python), url
            return url

    def stop(self) -> None:
        with self._lock:
            self._stop_locked()

    def _stop_locked(self) -> None:
        proc, self._proc = self._proc, None
        self.url = ""
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
