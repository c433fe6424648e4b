"""The plugin's control channel with the real CLI (runtime.process, ``--control stdin``): a cancel
line stops training at a safe point and keeps the best checkpoint; the parent closing its end
stops the server; a cancel that lands anywhere (TensorFlow's import, its graph, a batch) is
reported as a cancel, never as an unexpected error."""

from __future__ import annotations

import random
import sys
import threading
import time

import pytest

from school_detector.core.errors import JobCancelled
from school_detector.core.progress import Reporter
from school_detector.dataset.builder import BuildOptions, build_dataset
from school_detector.dataset.labels_io import LabelMapping, read_labels
from school_detector.imagery.raster import RasterSource
from school_detector.runtime.jobs import run_cli_job
from school_detector.runtime.locate import runtime_command, runtime_env
from school_detector.runtime.process import CONTROL_ARGS, ChildProcess
from school_detector.sample.scene import SceneSpec, write_scene

PYTHON = sys.executable


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    work = tmp_path_factory.mktemp("channel")
    write_scene(SceneSpec(tiles=6, seed=5, schools=10), work / "scene")
    points, _ = read_labels(work / "scene" / "labels.gpkg", LabelMapping())
    build_dataset(
        points, RasterSource(work / "scene" / "scene.tif"), work / "data", BuildOptions(background_ratio=1.0),
        Reporter("callback"),
    )  # fmt: skip
    return work


def train_args(work, out, epochs=500):
    return [
        "train", "--data", str(work / "data"), "--model", "tiny", "--weights", "none", "--input-size", "32",
        "--epochs", str(epochs), "--fine-tune-epochs", "0", "--batch-size", "8", "--max-steps-per-epoch", "2",
        "--patience", "1000", "--out", str(out),
    ]  # fmt: skip


def test_a_cancel_on_the_channel_stops_training_and_keeps_the_checkpoint(dataset, tmp_path):
    events = []
    with pytest.raises(JobCancelled) as caught:
        run_cli_job(
            PYTHON,
            train_args(dataset, tmp_path / "m"),
            "Train",
            events.append,
            lambda: any(e.event == "metric" for e in events),  # cancel once an epoch has finished
        )
    assert "best checkpoint" in caught.value.message
    assert (tmp_path / "m" / "checkpoints" / "best.weights.h5").is_file()


def test_the_server_stops_when_its_parent_closes_the_channel(dataset, tmp_path):
    run_cli_job(PYTHON, train_args(dataset, tmp_path / "m", epochs=1), "Train", lambda e: None, lambda: False)
    args = ["serve", "--model", str(tmp_path / "m"), "--port", "0", "--progress", "jsonl", *CONTROL_ARGS]
    child = ChildProcess(runtime_command(PYTHON, args), runtime_env(), control=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = child.lines.get(timeout=120)
            if line is None or "listening" in line:
                break
        assert line is not None and "listening" in line
        child.close_control()  # what the OS does when QGIS closes, crashes or is killed
        child.proc.wait(20)
        assert child.proc.returncode == 0
    finally:
        child.kill()
        child.close()


def test_a_cancel_is_a_cancel_wherever_it_lands():
    """Under load (two busy threads), cancel selftests at random moments: during TensorFlow's
    import, the model's build and the batches. Every one must end as JobCancelled."""
    stop = threading.Event()

    def busy() -> None:
        while not stop.is_set():
            sum(i * i for i in range(10000))

    load = [threading.Thread(target=busy, daemon=True) for _ in range(2)]
    for t in load:
        t.start()
    rng = random.Random(4)
    outcomes = []
    try:
        for _ in range(8):
            delay = rng.uniform(0.2, 6.0)
            started = time.monotonic()
            args = ["selftest", "--batches", "400", "--size", "32", "--step-delay", "0.02"]
            try:
                due = started + delay
                run_cli_job(PYTHON, args, "Selftest", lambda e: None, lambda due=due: time.monotonic() > due)
                outcomes.append("finished")
            except JobCancelled:
                outcomes.append("cancelled")
            except Exception as exc:  # noqa: BLE001 - what the test is about
                outcomes.append(f"{type(exc).__name__}: {getattr(exc, 'message', exc)}")
    finally:
        stop.set()
    assert outcomes == ["cancelled"] * 8, outcomes


def test_a_cancel_reaches_a_job_started_where_ctrl_c_is_ignored():
    """QGIS 3.40 starts jobs from threads that ignore SIGINT, and the child inherits that: the
    channel's cancel must still stop a job that does not check for it (selftest), promptly."""
    import signal

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    started: list[float] = []
    try:

        def on_event(event) -> None:
            if event.event == "progress" and not started:
                started.append(time.monotonic())

        def cancelled() -> bool:
            return bool(started) and time.monotonic() > started[0] + 1.0

        args = ["selftest", "--batches", "2000", "--size", "32", "--step-delay", "0.05"]
        with pytest.raises(JobCancelled):
            run_cli_job(PYTHON, args, "Selftest", on_event, cancelled)
        assert time.monotonic() - started[0] < 15  # stopped at the cancel, not run to its end (100 s)
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_killed_parent_leaves_no_runtime_process(tmp_path):
    """QGIS killed (kill -9) mid-job: the child sees end-of-file on its channel and stops."""
    import os
    import signal
    import subprocess

    parent_code = (
        "import sys, time\n"
        "from school_detector.runtime.locate import runtime_command, runtime_env\n"
        "from school_detector.runtime.process import CONTROL_ARGS, ChildProcess\n"
        "args = ['selftest', '--batches', '5000', '--size', '32', '--step-delay', '0.05', *CONTROL_ARGS]\n"
        "child = ChildProcess(runtime_command(sys.executable, args), runtime_env(), control=True)\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([PYTHON, "-c", parent_code], stdout=subprocess.PIPE, text=True, env=runtime_env())
    child_pid = int(parent.stdout.readline())
    time.sleep(3)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(10)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            state = open(f"/proc/{child_pid}/stat").read().split()[2]
        except OSError:
            break  # gone
        if state == "Z":
            break
        time.sleep(0.2)
    else:
        os.kill(child_pid, signal.SIGKILL)
        raise AssertionError("the runtime process outlived its killed parent by a minute")
