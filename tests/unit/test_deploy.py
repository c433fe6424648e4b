"""export-serving writes a deployment a team can apply as is."""

import json

import pytest
import yaml

from school_detector.core.errors import InputError
from school_detector.core.model_card import ModelCard
from school_detector.serving.deploy import export_serving


def fake_model(tmp_path):
    model = tmp_path / "model"
    for v in (1, 2):
        (model / "schools" / str(v) / "variables").mkdir(parents=True)
        (model / "schools" / str(v) / "saved_model.pb").write_bytes(b"pb")
    ModelCard(name="schools", version=2, backbone="mobilenetv2", input_size=224, zoom=18, threshold=0.31).write(model)
    return model


def test_deployment_files(tmp_path):
    out = tmp_path / "deploy"
    res = export_serving(fake_model(tmp_path), out, replicas=3, max_replicas=12, max_batch=128)
    assert res["versions"] == [1, 2]
    assert (out / "models" / "schools" / "2" / "saved_model.pb").read_bytes() == b"pb"
    docs = list(yaml.safe_load_all((out / "k8s.yaml").read_text()))
    assert [d["kind"] for d in docs] == ["Deployment", "ConfigMap", "Service", "HorizontalPodAutoscaler"]
    assert docs[0]["spec"]["replicas"] == 3 and docs[3]["spec"]["maxReplicas"] == 12
    container = docs[0]["spec"]["template"]["spec"]["containers"][0]
    assert {"name": "MODEL_NAME", "value": "schools"} in container["env"]
    assert "max_batch_size { value: 128 }" in docs[1]["data"]["batching.config"]
    compose = yaml.safe_load((out / "docker-compose.yml").read_text())
    assert compose["services"]["tfserving"]["ports"] == ["8501:8501"]
    assert "--threshold 0.310" in (out / "README.md").read_text()
    assert json.loads((out / "model_card.json").read_text())["name"] == "schools"
    with pytest.raises(InputError, match="not empty"):
        export_serving(fake_model(tmp_path / "again"), out)


def test_the_serving_image_follows_the_training_tensorflow(tmp_path):
    """A SavedModel may use ops an older TF Serving does not know: the image is the version of
    the TensorFlow that trained it (the card's), else the runtime's pinned one."""
    from pathlib import Path

    from school_detector.serving.deploy import TRAINING_TENSORFLOW

    model = fake_model(tmp_path)
    card = ModelCard.read(model)
    card.software = {"tensorflow": "2.20.0"}
    card.write(model)
    export_serving(model, tmp_path / "d")
    compose = yaml.safe_load((tmp_path / "d" / "docker-compose.yml").read_text())
    assert compose["services"]["tfserving"]["image"] == "tensorflow/serving:2.20.0"
    assert "tensorflow/serving:2.20.0" in (tmp_path / "d" / "docker-run.sh").read_text()
    export_serving(fake_model(tmp_path / "old"), tmp_path / "d2")  # a card that does not say
    assert f"tensorflow/serving:{TRAINING_TENSORFLOW}" in (tmp_path / "d2" / "k8s.yaml").read_text()
    pinned = Path(__file__).resolve().parents[2] / "school_detector" / "runtime-requirements.txt"
    assert f"tensorflow-cpu=={TRAINING_TENSORFLOW};" in pinned.read_text()
