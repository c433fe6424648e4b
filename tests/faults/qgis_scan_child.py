"""Child process for test_qgis_closed: a QGIS session scanning the way the plugin does (its
ScanTask in the task manager, its LocalServer), that the test then closes or kills."""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, sys.argv[1])
mode = sys.argv[6]
scene, model, out, python = (Path(a) for a in sys.argv[2:6])

from qgis.core import QgsApplication, QgsRasterLayer  # noqa: E402

app = QgsApplication([], False)
app.initQgis()


def session() -> None:
    from school_detector.qgis_io.layer_source import QgisLayerSource
    from school_detector.runtime.local_server import LocalServer
    from school_detector.scan.job import PredictorSpec, ScanJob, ScanRequest
    from school_detector.tasks.scan_task import ScanTask

    raster = QgsRasterLayer(str(scene / "scene.tif"), "scene")
    clone = raster.clone()
    server = LocalServer()
    request = ScanRequest(
        QgisLayerSource(clone),
        out,
        PredictorSpec("local", model, python=python),
        threshold=0.5,
        batch_size=2,
        workers=1,
        resume=True,
    )
    task = ScanTask(ScanJob(request, server), clone)
    QgsApplication.taskManager().addTask(task)
    end = time.time() + 120
    while time.time() < end and task.progress() < 20:
        app.processEvents()
        time.sleep(0.02)
    print(json.dumps({"server_pid": server.pid, "progress": task.progress()}), flush=True)
    if mode == "crash":
        os._exit(9)  # QGIS dies: no clean-up of any kind
    # closing QGIS: the plugin's unload cancels its tasks and stops the server
    task.cancel()
    while task.status() not in (task.Complete, task.Terminated) and time.time() < end:
        app.processEvents()
        time.sleep(0.02)
    server.stop()
    for _ in range(25):  # let the task manager deliver finished(): it releases the layer clone
        app.processEvents()
        time.sleep(0.02)
    task.job = task.imagery = None


session()
app.exitQgis()
print(json.dumps({"closed": True}), flush=True)
# A bare QgsApplication script that used the task manager can crash in the interpreter's own
# teardown after exitQgis (a task wrapper outliving its C++ object); QGIS itself never gets
# there. What this test checks has all happened by now.
os._exit(0)
