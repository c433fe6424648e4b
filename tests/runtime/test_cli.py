"""The ML runtime CLI, run the way the plugin runs it (subprocess, JSON-lines progress)."""

import json
import signal
import subprocess
import sys
import time

from school_detector.core.gpkg import GeoPackage
from tests.paths import ROOT


def result_of(events):
    results = [e for e in events if e["event"] == "result"]
    assert len(results) == 1, events
    return results[0]["data"]


def test_info_reports_tensorflow_and_devices(cli):
    proc, events = cli("info")
    assert proc.returncode == 0, proc.stderr
    data = result_of(events)
    assert data["tensorflow"]["available"] is True
    assert data["tensorflow"]["version"].startswith("2.21")
    assert isinstance(data["tensorflow"]["gpus"], list)
    assert data["packages"]["numpy"].startswith("2.")
    assert data["executable"].startswith(str(ROOT / ".runtime"))


def test_info_without_tensorflow_is_fast_and_skips_it(cli):
    proc, events = cli("info", "--no-tensorflow")
    assert proc.returncode == 0
    assert "tensorflow" not in result_of(events)


def test_selftest_runs_a_real_model_with_progress(cli):
    proc, events = cli("selftest", "--batches", "6", "--batch-size", "4", "--size", "64")
    assert proc.returncode == 0, proc.stderr
    progress = [e for e in events if e["event"] == "progress"]
    assert progress and progress[-1]["done"] == 6 and progress[-1]["total"] == 6
    assert [p["done"] for p in progress] == sorted(p["done"] for p in progress)
    data = result_of(events)
    assert data["ok"] and data["images_per_s"] > 0 and data["device"] in ("CPU", "GPU")


def test_sample_scene_with_numpy2_and_reuse(cli, tmp_path):
    proc, events = cli("sample-scene", "--out", str(tmp_path), "--tiles", "3", "--seed", "4")
    assert proc.returncode == 0, proc.stderr
    data = result_of(events)
    assert data["size_px"] == 768 and data["reused"] is False
    with GeoPackage(tmp_path / "labels.gpkg", create=False) as g:
        assert len(list(g.features("truth"))) == data["counts"]["school"]
    _, events = cli("sample-scene", "--out", str(tmp_path), "--tiles", "3", "--seed", "4")
    assert result_of(events)["reused"] is True


def test_bad_input_gives_an_error_event_and_exit_code(cli, tmp_path):
    proc, events = cli("sample-scene", "--out", str(tmp_path), "--tiles", "1")
    assert proc.returncode == 2
    errors = [e for e in events if e["event"] == "error"]
    assert errors and errors[0]["kind"] == "InputError" and "2 to 64 tiles" in errors[0]["message"]
    assert not (tmp_path / "scene.tif").exists()


def test_unwritable_output_is_reported_not_dumped(cli, tmp_path):
    target = tmp_path / "file-not-dir"
    target.write_text("x")
    proc, events = cli("sample-scene", "--out", str(target / "sub"), "--tiles", "2")
    assert proc.returncode == 1
    errors = [e for e in events if e["event"] == "error"]
    assert errors and errors[0]["kind"] == "OSError" and "Traceback" not in errors[0]["message"]


def test_sigterm_cancels_cleanly():
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "school_detector.cli",
            "selftest",
            "--batches",
            "500",
            "--step-delay",
            "0.05",
            "--size",
            "32",
            "--progress",
            "jsonl",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.time() + 120
    for line in proc.stdout:  # wait for the first real progress line
        if '"progress"' in line or time.time() > deadline:
            break
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 130
    last = json.loads(out.strip().splitlines()[-1])
    assert last["event"] == "error" and last["kind"] == "JobCancelled"


def test_console_script_exists():
    exe = ROOT / ".runtime" / "bin" / "school-detector"
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip().startswith("school-detector ")
