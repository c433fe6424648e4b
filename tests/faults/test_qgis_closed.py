"""QGIS closed, or killed, with a scan running: the model server subprocess goes too, and the
results GeoPackage is intact (whole batches) and resumable."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time

import pytest

from tests.paths import ROOT, RUNTIME_PYTHON, VENV_PYTHON
from tests.support.cli import result_of, run_cli


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie has exited
        return f.read().split()[2] != "Z"


@pytest.mark.parametrize("mode", ["close", "crash"])
def test_qgis_going_away_mid_scan(big_scene, model, tmp_path, mode):
    out = tmp_path / "r.gpkg"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(ROOT / ".cache" / "xdg"))
    child = ROOT / "tests" / "faults" / "qgis_scan_child.py"
    proc = subprocess.run(
        [str(VENV_PYTHON), str(child), str(ROOT), str(big_scene), str(model), str(out), str(RUNTIME_PYTHON), mode],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    lines = [json.loads(x) for x in proc.stdout.splitlines() if x.startswith("{")]
    assert lines and lines[0]["server_pid"], proc.stdout + proc.stderr[-3000:]
    pid = lines[0]["server_pid"]
    if mode == "crash":
        assert proc.returncode == 9
    else:
        assert proc.returncode == 0 and lines[-1] == {"closed": True}, proc.stderr[-3000:]
    deadline = time.time() + 10
    while alive(pid) and time.time() < deadline:
        time.sleep(0.2)
    assert not alive(pid), "the model server outlived QGIS"
    with sqlite3.connect(out) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        scored = c.execute("SELECT COUNT(*), COUNT(DISTINCT tile) FROM tile_scores").fetchone()
    assert scored[0] == scored[1] and 0 < scored[0] < 144
    proc2, events = run_cli("scan", "--imagery", str(big_scene / "scene.tif"), "--model", str(model), "--out", str(out),
                        "--threshold", "0.5", "--resume")  # fmt: skip
    assert proc2.returncode == 0, proc2.stderr[-2000:]
    res = result_of(events)
    assert res["resumed"] == scored[0] and res["resumed"] + res["scored_now"] == res["tiles"] == 144
