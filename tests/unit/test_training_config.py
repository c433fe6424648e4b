"""core.training: one home for training defaults, ranges and the command line."""

from __future__ import annotations

import pytest

from school_detector.cli.main import build_parser
from school_detector.core.errors import InputError
from school_detector.core.training import BACKBONE_KEYS, TrainConfig, backbone, numeric_parameters


def parse(argv: list[str]) -> TrainConfig:
    return TrainConfig.from_namespace(build_parser().parse_args(argv))


def test_the_cli_defaults_are_the_configs() -> None:
    assert parse(["train", "--data", "d", "--out", "o"]) == TrainConfig()


@pytest.mark.parametrize(
    "cfg",
    [
        TrainConfig(),
        TrainConfig(backbone="tiny", weights="none", input_size=48, epochs=3, fine_tune_epochs=0, augment=False),
        TrainConfig(backbone="xception", weights="/w/x.h5", learning_rate=2e-4, fine_tune_learning_rate=3e-6, seed=7),
    ],
)
def test_every_config_survives_its_command_line(cfg: TrainConfig) -> None:
    argv = cfg.to_argv("data dir", "model dir")
    assert argv[:5] == ["train", "--data", "data dir", "--out", "model dir"]
    assert parse(argv) == cfg


def test_rules_every_front_end_shares() -> None:
    assert TrainConfig(backbone="tiny").resolved().weights == "none"  # no ImageNet weights for the tiny CNN
    assert TrainConfig(backbone="mobilenetv2").resolved().weights == "imagenet"
    with pytest.raises(InputError, match="at least one epoch"):
        TrainConfig(epochs=0, fine_tune_epochs=0).validate()
    with pytest.raises(InputError, match="plain folder name"):
        TrainConfig(name="a/b").validate()
    with pytest.raises(InputError, match="Unknown backbone"):
        backbone("resnet")
    assert BACKBONE_KEYS == ("mobilenetv2", "xception", "tiny")
    assert TrainConfig(backbone="xception").size == 299 and TrainConfig(input_size=64).size == 64


def test_every_shown_number_has_a_range_around_its_default() -> None:
    defaults = TrainConfig()
    for name in numeric_parameters():
        lo, hi = TrainConfig.limits(name)
        value = getattr(defaults, name) or 0
        assert lo <= value <= hi, name
