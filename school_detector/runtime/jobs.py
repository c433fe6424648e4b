"""One way to run and follow a ``school-detector`` command in the ML runtime, for every front
end that does (the runtime tasks, the Processing algorithms): JSON-lines events in, the
command's result or its error out, cancel through the control channel."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..core.errors import JobCancelled, RuntimeJobError
from ..core.progress import ERROR, RESULT, Event, parse_line
from .locate import runtime_command, runtime_env
from .process import CONTROL_ARGS, stream_process


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def describe_progress(title: str, d: dict[str, Any], unit: str | None = None) -> str:
    """'Title (3/10 tiles, 1.5 tiles/s, ETA 4 s)': what every task shows in the task manager."""
    unit = unit or str(d.get("unit", ""))
    parts = [f"{d.get('done')}/{d.get('total')} {unit}"]
    if d.get("rate"):
        parts.append(f"{d['rate']:.1f} {unit}/s")
    if d.get("eta_s") is not None:
        parts.append("ETA " + format_eta(d["eta_s"]))
    return f"{title} ({', '.join(parts)})"


def run_cli_job(
    python: Path,
    args: Sequence[str],
    title: str,
    on_event: Callable[[Event], None],
    is_cancelled: Callable[[], bool],
) -> dict[str, Any]:
    """Run ``python -m school_detector.cli ARGS --progress jsonl --control stdin``, hand every
    event to ``on_event``, and return the command's result, or raise what stopped it (the job's
    own error with the stderr tail, JobCancelled, or a RuntimeJobError)."""
    if not Path(python).is_file():
        raise RuntimeJobError(
            f"The ML runtime Python {python} does not exist. Open Settings… and choose one, or click "
            "'Set up ML runtime…'."
        )
    result: dict[str, Any] = {}
    errors: list[RuntimeJobError] = []
    cancel_message = ""

    def on_line(line: str) -> None:
        nonlocal cancel_message
        event = parse_line(line)
        if event is None:
            return
        if event.event == RESULT:
            result.update(event.data)
        elif event.event == ERROR and event.data.get("kind") == "JobCancelled":
            cancel_message = str(event.data.get("message", ""))
        elif event.event == ERROR:
            errors.append(
                RuntimeJobError(
                    str(event.data.get("message", "The job failed.")), details=str(event.data.get("details", ""))
                )
            )
        on_event(event)

    command = runtime_command(Path(python), [*args, "--progress", "jsonl", *CONTROL_ARGS])
    outcome = stream_process(command, runtime_env(), on_line, is_cancelled)
    if outcome.cancelled or cancel_message:
        raise JobCancelled(cancel_message or f"{title}: cancelled.", result=result or None)
    if errors:
        if outcome.stderr_tail:
            errors[0].details = (errors[0].details + "\n--- stderr ---\n" + outcome.stderr_tail).strip()
        raise errors[0]
    if outcome.returncode != 0:
        raise RuntimeJobError(f"{title} failed (exit code {outcome.returncode}).", outcome.stderr_tail)
    return result
