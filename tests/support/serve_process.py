"""Start ``school-detector serve`` as a real subprocess on a free loopback port (tests)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from tests.paths import ROOT


class ServeProcess:
    def __init__(self, model_dir: Path, python: str = sys.executable, extra: list[str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [
                python,
                "-m",
                "school_detector.cli",
                "serve",
                "--model",
                str(model_dir),
                "--port",
                "0",
                "--progress",
                "jsonl",
                *(extra or []),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.proc.stdout is not None
        deadline = time.time() + 120
        self.url = ""
        self.grpc = ""  # HOST:PORT with --grpc-port
        for line in self.proc.stdout:
            if '"port"' in line:
                metric = json.loads(line)
                self.url, self.grpc = metric["listening"], metric.get("grpc") or ""
                break
            if time.time() > deadline:
                break
        if not self.url:
            self.stop()
            raise RuntimeError("school-detector serve did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def __enter__(self) -> ServeProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
