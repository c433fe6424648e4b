"""Train classifier…: dialog -> runtime job -> model folder, live curves, cancel, and the
counts/warnings shown before training."""

import json

import pytest

from school_detector.core.model_card import ModelCard
from school_detector.core.training import TrainConfig
from school_detector.dataset.health import dataset_summary
from school_detector.gui.train_dialog import TrainDialog
from school_detector.sample.scene import SceneSpec
from school_detector.settings import PluginSettings
from school_detector.tasks.registry import TaskRegistry
from tests.qgis.conftest import pump, scene_dataset, wait_for_task


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return scene_dataset(tmp_path_factory.mktemp("train"), SceneSpec(tiles=6, seed=4, schools=10))


def make_dialog(qgis_iface, runtime_python, dataset, out):
    d = TrainDialog(qgis_iface, TaskRegistry(qgis_iface), runtime_python)
    d.data_widget.setFilePath(str(dataset))
    d.backbone_combo.setCurrentIndex(d.backbone_combo.findData("tiny"))
    d.size_spin.setValue(32)
    d.out_widget.setFilePath(str(out))
    return d


def test_dialog_shows_counts_and_warnings(qgis_iface, runtime_python, dataset, tmp_path):
    d = make_dialog(qgis_iface, runtime_python, dataset, tmp_path / "m")
    assert "train:" in d.counts_label.text() and "school" in d.counts_label.text()
    assert "Only" in d.warnings_label.text()  # a tiny sample dataset gets the small-data warning
    text, warnings = dataset_summary(tmp_path)
    assert warnings and "not a chip dataset" in text


def test_train_from_the_dialog(qgis_iface, runtime_python, dataset, tmp_path, monkeypatch):
    d = make_dialog(qgis_iface, runtime_python, dataset, tmp_path / "m")
    d.epochs_spin.setValue(2)
    d.fine_spin.setValue(0)
    args = d.arguments()
    assert args[:2] == ["train", "--data"] and "--weights" in args and args[args.index("--weights") + 1] == "none"
    task = d.start()
    assert not d.train_button.isEnabled() and d.cancel_button.isEnabled()
    wait_for_task(task, timeout=300)
    assert task.error is None, task.error and (task.error.message + task.error.details)
    assert len(d.plot.series["loss"]) == 2 and len(d.plot.series["val_loss"]) == 2
    assert "ROC AUC" in d.status_label.text() and d.report_button.isEnabled()
    card = ModelCard.read(tmp_path / "m")
    assert card.backbone == "tiny" and card.input_size == 32
    stored = {}
    monkeypatch.setattr(PluginSettings, "save", lambda self: stored.update(model_dir=self.model_dir))
    d.use_model()
    assert stored["model_dir"] == str((tmp_path / "m").resolve())


def test_cancel_keeps_the_checkpoint_and_says_so(qgis_iface, runtime_python, dataset, tmp_path):
    d = make_dialog(qgis_iface, runtime_python, dataset, tmp_path / "m")
    d.epochs_spin.setValue(400)
    d.fine_spin.setValue(0)
    d.patience_spin.setValue(100)
    task = d.start()
    for _ in range(3000):
        pump(0.05)
        if d.plot.series["loss"]:
            break
    assert d.plot.series["loss"], "no epoch finished"
    d.cancel_job()
    wait_for_task(task, timeout=120)
    assert "best checkpoint" in d.status_label.text()
    assert (tmp_path / "m" / "checkpoints" / "best.weights.h5").is_file()
    assert d.train_button.isEnabled()


def test_bad_choices_are_explained_before_starting(qgis_iface, runtime_python, dataset, tmp_path):
    d = make_dialog(qgis_iface, runtime_python, dataset, tmp_path / "m")
    d.weights_combo.setCurrentIndex(d.weights_combo.findData("file"))
    assert d.start() is None and "local weights file" in d.status_label.text()
    d.data_widget.setFilePath(str(tmp_path / "missing"))
    assert d.start() is None and "dataset folder" in d.status_label.text()
    assert json.loads((dataset / "dataset.json").read_text())["complete"]


def test_the_phases_follow_the_backbone_and_weights(qgis_iface, runtime_python, dataset, tmp_path):
    d = make_dialog(qgis_iface, runtime_python, dataset, tmp_path / "m")  # tiny: from scratch, one phase
    assert d.fine_spin.isHidden() and d.fine_spin.value() == 0 and "one phase" in d.phases_label.text()
    d.backbone_combo.setCurrentIndex(d.backbone_combo.findData("mobilenetv2"))
    d.weights_combo.setCurrentIndex(d.weights_combo.findData("imagenet"))  # two phases again
    assert not d.fine_spin.isHidden() and d.fine_spin.value() == TrainConfig().fine_tune_epochs > 0
    assert "one phase" not in d.phases_label.text()
    d.weights_combo.setCurrentIndex(d.weights_combo.findData("none"))
    assert d.fine_spin.isHidden() and d.fine_spin.value() == 0 and "one phase" in d.phases_label.text()
