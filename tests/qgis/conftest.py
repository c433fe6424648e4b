import os
import subprocess
import time

import pytest
from qgis.core import QgsApplication, QgsTask
from qgis.PyQt.QtCore import QCoreApplication, QEvent

from tests.paths import RUNTIME_PYTHON


def pump(seconds=0.05):
    end = time.time() + seconds
    while time.time() < end:
        QCoreApplication.processEvents()
        time.sleep(0.01)


def flush_deletes():
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def wait_for_task(task, timeout=240):
    """Spin the event loop until the task manager reports the task finished."""
    end = time.time() + timeout
    while time.time() < end:
        QCoreApplication.processEvents()
        try:
            status = task.status()
        except RuntimeError:  # C++ object deleted: it finished and was cleaned up
            return
        if status in (QgsTask.TaskStatus.Complete, QgsTask.TaskStatus.Terminated):
            pump(0.1)  # let taskCompleted/taskTerminated slots run
            return
        time.sleep(0.02)
    raise AssertionError(f"task {task.description()} did not finish in {timeout} s")


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch):
    """A modal dialog in a headless test waits forever for a click: every test that expects one
    answers it itself (monkeypatch); any other fails at once, saying which."""
    from qgis.PyQt.QtWidgets import QFileDialog, QMessageBox

    def refuse(*args, **kwargs):
        raise AssertionError(f"a modal dialog opened in a test: {[a for a in args if isinstance(a, str)]}")

    for name in ("getExistingDirectory", "getOpenFileName", "getOpenFileNames", "getSaveFileName"):
        monkeypatch.setattr(QFileDialog, name, staticmethod(refuse))
    for name in ("question", "warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(refuse))


@pytest.fixture(scope="session")
def runtime_python():
    assert RUNTIME_PYTHON.is_file(), "run `make setup` first: the ML runtime venv is missing"
    return RUNTIME_PYTHON


def scene_dataset(work, spec):
    """A sample scene written into ``work/scene`` and its chip dataset in ``work/data`` (QGIS
    saves the PNGs), from the scene's labels with one background tile per school."""
    from school_detector.core.progress import Reporter
    from school_detector.dataset.builder import BuildOptions, build_dataset
    from school_detector.dataset.labels_io import LabelMapping, read_labels
    from school_detector.imagery.raster import RasterSource
    from school_detector.qgis_io.layer_source import qimage_save_png
    from school_detector.sample.scene import write_scene

    write_scene(spec, work / "scene")
    points, _ = read_labels(work / "scene" / "labels.gpkg", LabelMapping())
    build_dataset(
        points,
        RasterSource(work / "scene" / "scene.tif"),
        work / "data",
        BuildOptions(background_ratio=1),
        Reporter("callback"),
        save_png=qimage_save_png,
    )
    return work / "data"


@pytest.fixture(scope="session")
def world(tmp_path_factory, runtime_python):
    """A small scene, its dataset and a tiny model trained on it (shared by the scan tests)."""
    from school_detector.sample.scene import SceneSpec

    work = tmp_path_factory.mktemp("qscan")
    scene_dataset(work, SceneSpec(tiles=6, seed=9, schools=12))
    subprocess.run(
        [
            str(runtime_python),
            "-m",
            "school_detector.cli",
            "train",
            "--data",
            str(work / "data"),
            "--model",
            "tiny",
            "--weights",
            "none",
            "--input-size",
            "48",
            "--epochs",
            "3",
            "--fine-tune-epochs",
            "0",
            "--out",
            str(work / "model"),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return work


@pytest.fixture()
def with_runtime(monkeypatch, runtime_python, tmp_path):
    """The runtime found through SCHOOL_DETECTOR_PYTHON, and no managed runtime in the way."""
    monkeypatch.setenv("SCHOOL_DETECTOR_PYTHON", str(runtime_python))
    monkeypatch.setattr("school_detector.settings.managed_dir", lambda: tmp_path / "managed")
    return runtime_python


@pytest.fixture()
def without_runtime(monkeypatch, tmp_path):
    monkeypatch.delenv("SCHOOL_DETECTOR_PYTHON", raising=False)
    monkeypatch.setattr("school_detector.settings.managed_dir", lambda: tmp_path / "managed")
    from school_detector.settings import PluginSettings

    monkeypatch.setattr(PluginSettings, "load", classmethod(lambda cls: cls()))


@pytest.fixture()
def plugin(qgis_iface, qgis_app):
    import school_detector

    p = school_detector.classFactory(qgis_iface)
    p.initGui()
    yield p
    if p.actions:
        p.unload()
    flush_deletes()
    QgsApplication.taskManager().cancelAll()


os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def pytest_runtest_logreport(report):
    from tests import suite_summary

    suite_summary.record(report, "qgis")


def pytest_terminal_summary(terminalreporter):
    from tests import suite_summary

    for line in suite_summary.summary_lines():
        terminalreporter.write_line(line)


@pytest.fixture(autouse=True, scope="session")
def release_layers_before_exit(qgis_app):
    """Layers that outlive exitQgis() crash the interpreter at exit: collect them first."""
    yield
    import gc

    from qgis.core import QgsProject

    QgsProject.instance().removeAllMapLayers()
    gc.collect()
    flush_deletes()


@pytest.fixture(scope="module")
def provider(qgis_processing):
    """Our Processing provider, registered as the plugin registers it."""
    from school_detector.processing.provider import SchoolDetectorProvider

    p = SchoolDetectorProvider()
    QgsApplication.processingRegistry().addProvider(p)
    yield p
    QgsApplication.processingRegistry().removeProvider(p)
