"""Where the school is in the chip: the class activation map's point (ml.locate) and the
signatures that serve it (ml.export), for every backbone."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from school_detector.ml.export import export_saved_model
from school_detector.ml.locate import cam_location
from school_detector.ml.models import build_classifier


def blob(cx: float, cy: float, size: int = 8, height: float = 5.0, width: float = 1.0) -> np.ndarray:
    ys, xs = np.mgrid[0:size, 0:size] + 0.5
    return height * np.exp(-((xs - cx * size) ** 2 + (ys - cy * size) ** 2) / (2 * width**2))


def locate(*maps: np.ndarray) -> np.ndarray:
    return cam_location(tf.constant(np.stack(maps), tf.float32)).numpy()


def test_the_point_is_the_peak_of_the_map_between_cells() -> None:
    got = locate(blob(0.3, 0.7), blob(0.55, 0.2))
    assert got[0] == pytest.approx([0.3, 0.7], abs=0.03)  # x from the west, y from the north
    assert got[1] == pytest.approx([0.55, 0.2], abs=0.03)  # between cells: finer than the 8x8 grid


def test_two_schools_in_a_chip_give_the_stronger_one_not_the_field_between() -> None:
    both = blob(0.15, 0.2) + blob(0.85, 0.8, height=3.0)
    assert locate(both)[0] == pytest.approx([0.15, 0.2], abs=0.05)


def test_a_flat_map_gives_its_centre() -> None:
    assert locate(np.zeros((8, 8)))[0] == pytest.approx([0.5, 0.5])


@pytest.mark.parametrize(
    ("backbone", "size", "alpha"), [("tiny", 64, 1.0), ("mobilenetv2", 96, 0.35), ("xception", 71, 1.0)]
)
def test_every_backbone_serves_its_point_beside_the_unchanged_score(backbone, size, alpha, tmp_path) -> None:
    model, _ = build_classifier(backbone, size, None, alpha=alpha)
    loaded = tf.saved_model.load(str(export_saved_model(model, size, tmp_path / "1").version_dir))
    assert {"serving_default", "predict_uint8", "locate", "locate_uint8"} <= set(loaded.signatures)
    assert list(loaded.signatures["serving_default"].structured_outputs) == ["school_probability"]  # old clients
    images = np.random.default_rng(1).integers(0, 255, (3, size + 20, size + 20, 3), dtype=np.uint8)
    plain = loaded.signatures["predict_uint8"](images=tf.constant(images))["school_probability"].numpy()
    located = loaded.signatures["locate_uint8"](images=tf.constant(images))
    assert np.abs(plain - located["school_probability"].numpy()).max() < 1e-5
    where = located["school_location"].numpy()
    assert where.shape == (3, 2) and (where >= 0).all() and (where <= 1).all()


def test_a_model_without_the_map_falls_back_to_the_tile_centre(tmp_path) -> None:
    """A model exported before points (or of another shape) scans as before; results say so."""
    import keras

    from school_detector.core.model_card import ModelCard
    from school_detector.ml.predictor import SavedModelPredictor

    inputs = keras.Input((32, 32, 3))
    pooled = keras.layers.GlobalAveragePooling2D()(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid", name="school_probability")(pooled))
    export_saved_model(model, 32, tmp_path / "schools" / "1")
    ModelCard("schools", 1, "tiny", 32, 18).write(tmp_path)
    predictor = SavedModelPredictor(tmp_path)
    got = predictor.predict([np.zeros((256, 256, 3), np.uint8)])
    assert not predictor.locates and got[0].fx is None and predictor.describe()["location"] == "tile-centre"
