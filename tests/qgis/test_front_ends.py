"""One job, three front ends: the Train dialog, the Processing algorithm and the CLI derive
their defaults and command lines from core.training.TrainConfig; the split rule is one."""

from __future__ import annotations

import pytest

from school_detector.cli.main import build_parser
from school_detector.core.chip_plan import check_split
from school_detector.core.errors import InputError
from school_detector.core.training import BACKBONE_KEYS, TrainConfig
from school_detector.gui.build_dataset_dialog import BuildDatasetDialog
from school_detector.gui.train_dialog import TrainDialog
from school_detector.processing.train_algorithm import WEIGHTS, TrainAlgorithm
from school_detector.tasks.registry import TaskRegistry


@pytest.mark.parametrize(
    "cfg",
    [
        TrainConfig(),
        TrainConfig(backbone="tiny", weights="none", epochs=3, fine_tune_epochs=0, batch_size=8),
        TrainConfig(backbone="xception", weights="none", epochs=3, fine_tune_epochs=0, batch_size=4),
        TrainConfig(backbone="xception", weights="imagenet", epochs=1, fine_tune_epochs=2, batch_size=4),
    ],
)
def test_the_three_front_ends_give_the_same_command_line(qgis_iface, qgis_processing, tmp_path, cfg):
    data, out = str(tmp_path / "data"), str(tmp_path / "model")
    (tmp_path / "data").mkdir()
    expected = cfg.to_argv(data, out)
    # the CLI reads it back as the same configuration
    assert TrainConfig.from_namespace(build_parser().parse_args(expected)) == cfg
    # the dialog, shown this configuration
    dialog = TrainDialog(qgis_iface, TaskRegistry(qgis_iface), tmp_path / "python")
    dialog.data_widget.setFilePath(data)
    dialog.out_widget.setFilePath(out)
    dialog.set_config(cfg)
    assert dialog.arguments() == expected
    # the Processing algorithm, given the same values
    from qgis.core import QgsProcessingContext

    algorithm = TrainAlgorithm()
    algorithm.initAlgorithm()
    params = {
        "DATA": data,
        "BACKBONE": BACKBONE_KEYS.index(cfg.backbone),
        "WEIGHTS": WEIGHTS.index(cfg.weights),
        "EPOCHS": cfg.epochs,
        "FINE_TUNE_EPOCHS": cfg.fine_tune_epochs,
        "BATCH_SIZE": cfg.batch_size,
        "OUTPUT": out,
    }
    context = QgsProcessingContext()
    assert algorithm.config(params, context).to_argv(data, out) == expected


def test_processing_defaults_are_the_configs(qgis_processing):
    algorithm = TrainAlgorithm()
    algorithm.initAlgorithm()
    defaults = TrainConfig()
    for key, name in (("EPOCHS", "epochs"), ("FINE_TUNE_EPOCHS", "fine_tune_epochs"), ("BATCH_SIZE", "batch_size")):
        parameter = algorithm.parameterDefinition(key)
        assert parameter.defaultValue() == getattr(defaults, name)
        assert (parameter.minimum(), parameter.maximum()) == TrainConfig.limits(name)
    assert BACKBONE_KEYS[algorithm.parameterDefinition("BACKBONE").defaultValue()] == defaults.backbone


def test_the_dialog_refuses_a_split_as_the_cli_does(qgis_iface):
    dialog = BuildDatasetDialog(qgis_iface, TaskRegistry(qgis_iface))
    for spin in dialog.split_spins:
        spin.setValue(0.5)
    with pytest.raises(InputError) as caught:
        dialog.options()
    with pytest.raises(InputError) as cli:
        check_split((0.5, 0.5, 0.5))
    assert caught.value.message == cli.value.message  # one rule, one message: nothing normalised silently
