import json

import pytest

from school_detector.core.errors import ModelCardError
from school_detector.core.model_card import CARD_FILE, ModelCard


def card(**kw):
    base = {"name": "schools", "version": 3, "backbone": "mobilenetv2", "input_size": 224, "zoom": 18}
    base.update(kw)
    return ModelCard(**base)


def test_roundtrip_through_disk(tmp_path):
    c = card(supertile=True, threshold=0.37, metrics={"roc_auc": 0.94})
    c.write(tmp_path)
    back = ModelCard.read(tmp_path)
    assert back == c
    assert back.model_id == "schools:3"
    assert back.chip_px == 512
    assert not list(tmp_path.glob("*.tmp"))


def test_unknown_fields_from_newer_writers_are_ignored(tmp_path):
    data = card().to_dict() | {"future_field": 1}
    assert ModelCard.from_dict(data) == card()


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"backbone": "resnet"}, "backbone"),
        ({"version": 0}, "version"),
        ({"zoom": 30}, "zoom"),
        ({"threshold": 1.5}, "threshold"),
        ({"class_names": ["school"]}, "class_names"),
        ({"positive_class": "hospital"}, "positive_class"),
        ({"tile_size": 300}, "tile_size"),
        ({"name": "a/b"}, "name"),
        ({"schema_version": 99}, "update the plugin"),
    ],
)
def test_validation_names_the_bad_field(change, fragment):
    with pytest.raises(ModelCardError, match=fragment):
        card(**change)


def test_missing_required_fields_are_listed():
    with pytest.raises(ModelCardError, match="backbone, input_size"):
        ModelCard.from_dict({"name": "x", "version": 1, "zoom": 18})


def test_missing_and_corrupt_files_say_what_to_do(tmp_path):
    with pytest.raises(ModelCardError, match="not a model trained by school_detector"):
        ModelCard.read(tmp_path)
    (tmp_path / CARD_FILE).write_text("{not json")
    with pytest.raises(ModelCardError, match="cannot be read as JSON"):
        ModelCard.read(tmp_path)
    (tmp_path / CARD_FILE).write_text(json.dumps([1, 2]))
    with pytest.raises(ModelCardError, match="JSON object"):
        ModelCard.read(tmp_path)
