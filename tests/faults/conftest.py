"""The fault suite: real processes on loopback, faults injected, nothing lost."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests import suite_summary
from tests.paths import ROOT

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def pytest_runtest_logreport(report):
    suite_summary.record(report, "faults")


def pytest_terminal_summary(terminalreporter):
    for line in suite_summary.summary_lines():
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("faults")


@pytest.fixture(scope="session")
def scene(work) -> Path:
    """A small sample scene with its XYZ tile pyramid (for the tile-server faults)."""
    from school_detector.sample.scene import SceneSpec, write_scene, write_xyz_tiles

    out = work / "scene"
    write_scene(SceneSpec(tiles=6, seed=21, schools=8), out)
    write_xyz_tiles(out / "scene.tif", out / "tiles")
    return out


@pytest.fixture(scope="session")
def big_scene(work) -> Path:
    """144 tiles: long enough to interrupt, big enough to outgrow a file's free pages."""
    from school_detector.sample.scene import SceneSpec, write_scene

    out = work / "big"
    write_scene(SceneSpec(tiles=12, seed=5, schools=10), out)
    return out


@pytest.fixture(scope="session")
def model(work) -> Path:
    """A tiny exported model (untrained: the faults do not care what it scores)."""
    from school_detector.core.model_card import ModelCard
    from school_detector.ml.export import export_saved_model
    from school_detector.ml.models import build_classifier

    keras_model, _ = build_classifier("tiny", 64, None)
    out = work / "model"
    export_saved_model(keras_model, 64, out / "schools" / "1")
    ModelCard(name="schools", version=1, backbone="tiny", input_size=64, zoom=18).write(out)
    return out


@pytest.fixture()
def fresh_copy(tmp_path):
    def copy(src: Path) -> Path:
        dst = tmp_path / src.name
        shutil.copytree(src, dst) if src.is_dir() else shutil.copy(src, dst)
        return dst

    return copy


__all__ = ["ROOT"]
