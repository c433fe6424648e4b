"""JSON-lines progress protocol between the ML runtime (writer) and the plugin (reader).

One JSON object per line on stdout when a CLI command runs with ``--progress jsonl``:

* ``{"event": "progress", "done": 3, "total": 10, "unit": "tile", "message": "...", "rate": 1.5, "eta_s": 4.7}``
* ``{"event": "log", "level": "info", "message": "..."}``
* ``{"event": "result", "data": {...}}`` — the command's outcome (last on success)
* ``{"event": "error", "kind": "InputError", "message": "...", "details": "..."}``
* ``{"event": "metric", "epoch": 3, "loss": 0.41, "val_loss": 0.45, ...}`` — per-epoch training
  curves, for live plots

Lines that are not JSON (a library printing to stdout) are passed through as logs, never
fatal: a chatty dependency must not break a scan.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

PROGRESS, LOG, RESULT, ERROR, METRIC = "progress", "log", "result", "error", "metric"
EVENTS = (PROGRESS, LOG, RESULT, ERROR, METRIC)


@dataclass
class Event:
    event: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def percent(self) -> float | None:
        total = self.data.get("total")
        if self.event != PROGRESS or not total:
            return None
        return max(0.0, min(100.0, 100.0 * float(self.data.get("done", 0)) / float(total)))


def parse_line(line: str) -> Event | None:
    """Turn one stdout line into an event; blank lines give None."""
    text = line.strip()
    if not text:
        return None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError:
        return Event(LOG, {"level": "info", "message": text})
    if not isinstance(obj, dict) or obj.get("event") not in EVENTS:
        return Event(LOG, {"level": "info", "message": text})
    kind = obj.pop("event")
    if kind == RESULT:
        return Event(RESULT, obj.get("data", {}) if isinstance(obj.get("data"), dict) else {})
    return Event(kind, obj)


class Reporter:
    """Emits progress either as JSON lines (for the plugin) or as text on stderr (humans).

    ETA comes from the rate since the first step, which is what a user reads off a long
    scan; progress lines are throttled so a fast loop does not flood the pipe.
    """

    def __init__(
        self,
        mode: str = "text",
        stream: IO[str] | None = None,
        min_interval: float = 0.2,
        sink: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        """``mode`` is "text", "jsonl", or "callback" (every event dict goes to ``sink``:
        in-process jobs such as the QGIS tasks)."""
        self.mode = mode
        self.sink = sink
        self.stream = stream or (sys.stdout if mode == "jsonl" else sys.stderr)
        self.min_interval = min_interval
        self._start: float | None = None
        self._start_done = 0
        self._last_emit = 0.0

    def _write(self, obj: dict[str, Any]) -> None:
        if self.mode == "callback":
            if self.sink is not None:
                self.sink(obj)
            return
        if self.mode == "jsonl":
            self.stream.write(json.dumps(obj, default=str) + "\n")
        elif obj["event"] == PROGRESS:
            eta = obj.get("eta_s")
            tail = f", ETA {eta:.0f} s" if isinstance(eta, (int, float)) else ""
            self.stream.write(f"[{obj['done']}/{obj['total']} {obj['unit']}] {obj.get('message', '')}{tail}\n")
        elif obj["event"] == LOG:
            self.stream.write(f"{obj['level']}: {obj['message']}\n")
        elif obj["event"] == ERROR:
            self.stream.write(f"error: {obj['message']}\n")
        self.stream.flush()

    def progress(self, done: int, total: int, unit: str = "step", message: str = "", force: bool = False) -> None:
        now = time.monotonic()
        if self._start is None or done < self._start_done:
            self._start, self._start_done = now, done
        if not force and done < total and now - self._last_emit < self.min_interval:
            return
        self._last_emit = now
        elapsed = now - self._start
        rate = (done - self._start_done) / elapsed if elapsed > 0 and done > self._start_done else None
        eta = (total - done) / rate if rate else None
        self._write(
            {
                "event": PROGRESS,
                "done": done,
                "total": total,
                "unit": unit,
                "message": message,
                "rate": round(rate, 3) if rate else None,
                "eta_s": round(eta, 1) if eta is not None else None,
            }
        )

    def metric(self, values: dict[str, Any]) -> None:
        if self.mode == "text":
            text = ", ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in values.items())
            self.stream.write(f"{text}\n")
            self.stream.flush()
            return
        self._write({"event": METRIC, **values})

    def log(self, message: str, level: str = "info") -> None:
        self._write({"event": LOG, "level": level, "message": message})

    def result(self, data: dict[str, Any]) -> None:
        if self.mode in ("jsonl", "callback"):
            self._write({"event": RESULT, "data": data})
        else:
            json.dump(data, sys.stdout, indent=2, default=str)
            sys.stdout.write("\n")
            sys.stdout.flush()

    def error(self, kind: str, message: str, details: str = "") -> None:
        self._write({"event": ERROR, "kind": kind, "message": message, "details": details})
