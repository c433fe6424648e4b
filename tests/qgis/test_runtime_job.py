"""Runtime jobs from a QgsTask: progress, result, cancel (process really gone), errors."""

import os

from qgis.core import QgsApplication

from school_detector.core.errors import JobCancelled, RuntimeJobError
from school_detector.runtime.jobs import format_eta
from school_detector.tasks.runtime_job import RuntimeJobTask
from tests.qgis.conftest import pump, wait_for_task


def start(task):
    events = []
    task.eventReceived.connect(events.append)
    QgsApplication.taskManager().addTask(task)
    return events


def test_job_reports_progress_and_result(runtime_python):
    task = RuntimeJobTask(
        "Selftest",
        runtime_python,
        ["selftest", "--batches", "5", "--batch-size", "2", "--size", "32", "--step-delay", "0.05"],
    )
    events = start(task)
    wait_for_task(task)
    assert task.error is None
    assert task.result_data["ok"] is True and task.result_data["batches"] == 5
    progress = [e for e in events if e.event == "progress"]
    assert progress and progress[-1].percent == 100.0
    assert any(e.event == "log" for e in events)


def test_cancel_terminates_the_subprocess(runtime_python, tmp_path):
    task = RuntimeJobTask(
        "Slow selftest", runtime_python, ["selftest", "--batches", "2000", "--size", "32", "--step-delay", "0.05"]
    )
    events = start(task)
    pids = []
    # find the child while it runs: it is the only process running our selftest
    for _ in range(600):
        pump(0.05)
        if any(e.event == "progress" for e in events):
            break
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmdline = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
            except OSError:
                continue
            if b"selftest" in cmdline and b"2000" in cmdline:
                pids.append(int(pid))
    assert pids, "the runtime subprocess was not found while running"
    task.cancel()
    wait_for_task(task, timeout=30)
    assert isinstance(task.error, JobCancelled)
    pump(0.3)
    for pid in pids:
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"


def test_cli_error_becomes_a_clear_task_error(runtime_python, tmp_path):
    task = RuntimeJobTask("Sample scene", runtime_python, ["sample-scene", "--out", str(tmp_path), "--tiles", "1"])
    start(task)
    wait_for_task(task)
    assert isinstance(task.error, RuntimeJobError)
    assert "2 to 64 tiles" in task.error.message


def test_crashing_runtime_gives_exit_code_and_stderr_tail(tmp_path):
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'Illegal instruction: TensorFlow needs AVX' >&2\nexit 132\n")
    fake.chmod(0o755)
    task = RuntimeJobTask("Check ML runtime", fake, ["info"])
    start(task)
    wait_for_task(task)
    assert isinstance(task.error, RuntimeJobError)
    assert "exit code 132" in task.error.message and "AVX" in task.error.details


def test_missing_python_is_explained(tmp_path):
    task = RuntimeJobTask("Check ML runtime", tmp_path / "nope" / "python", ["info"])
    start(task)
    wait_for_task(task)
    assert "does not exist" in task.error.message and "Set up ML runtime" in task.error.message


def test_eta_formatting():
    assert format_eta(None) == ""
    assert format_eta(42.4) == "42 s"
    assert format_eta(125) == "2 min 05 s"
    assert format_eta(3 * 3600 + 61) == "3 h 01 min"


def test_failures_reach_the_message_bar_and_the_log(qgis_iface, tmp_path):
    from qgis.core import Qgis, QgsApplication

    from school_detector.notify import LOG_TAG
    from school_detector.tasks.registry import TaskRegistry

    logged = []

    def on_log(message, tag, level):
        if tag == LOG_TAG:
            logged.append(message)

    QgsApplication.messageLog().messageReceived.connect(on_log)
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'ImportError: libcudart.so.12 not found' >&2\nexit 1\n")
    fake.chmod(0o755)
    qgis_iface.messageBar().clear_messages()
    registry = TaskRegistry(qgis_iface)
    task = registry.start(RuntimeJobTask("Check ML runtime", fake, ["info"]))
    wait_for_task(task)
    pump(0.2)
    QgsApplication.messageLog().messageReceived.disconnect(on_log)
    critical = qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Critical)
    assert any("failed (exit code 1)" in m for m in critical), critical
    assert any("libcudart" in m for m in logged), logged  # the stderr tail is in the log
    assert registry.running == []


def test_cancelled_jobs_stay_quiet(qgis_iface, runtime_python):
    from qgis.core import Qgis

    from school_detector.tasks.registry import TaskRegistry

    qgis_iface.messageBar().clear_messages()
    registry = TaskRegistry(qgis_iface)
    task = registry.start(
        RuntimeJobTask("Slow", runtime_python, ["selftest", "--batches", "999", "--step-delay", "0.05", "--size", "32"])
    )
    pump(1.0)
    registry.cancel_all()
    wait_for_task(task, timeout=30)
    assert isinstance(task.error, JobCancelled)
    assert qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Critical) == []
