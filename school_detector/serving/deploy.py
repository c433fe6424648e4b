"""``export-serving``: everything a team needs to serve a model at scale with TF Serving.

Writes the model in TF Serving's layout plus a batching config and ready-to-use docker run,
docker-compose and Kubernetes (Deployment + Service + HorizontalPodAutoscaler) files. Many
replicas behind one Service URL is how a national scan spreads over many GPUs; the scan
client needs nothing but that URL.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from ..core.errors import InputError
from ..core.model_card import ModelCard

BATCHING = """# TF Serving server-side batching (--enable_batching --batching_parameters_file=...).
# Requests from several scan clients are merged into GPU-sized batches.
max_batch_size {{ value: {max_batch} }}
batch_timeout_micros {{ value: 5000 }}
max_enqueued_batches {{ value: 100 }}
num_batch_threads {{ value: 4 }}
pad_variable_length_inputs: false
"""

DOCKER_RUN = """#!/usr/bin/env bash
# Serve {name} on port 8501 (REST). GPU: use tensorflow/serving:{tf}-gpu and add --gpus all.
set -euo pipefail
cd "$(dirname "$0")"
docker run --rm -p 8501:8501 \\
  -v "$PWD/models/{name}:/models/{name}:ro" -v "$PWD/batching.config:/config/batching.config:ro" \\
  -e MODEL_NAME={name} tensorflow/serving:{tf} \\
  --enable_batching --batching_parameters_file=/config/batching.config
"""

COMPOSE = """# docker compose up -d ; then scan with --serving-url http://HOST:8501 --model-name {name}
services:
  tfserving:
    image: tensorflow/serving:{tf}   # :{tf}-gpu with the deploy.resources block below for GPUs
    ports: ["8501:8501"]
    environment: [MODEL_NAME={name}]
    command: ["--enable_batching", "--batching_parameters_file=/config/batching.config"]
    volumes:
      - ./models/{name}:/models/{name}:ro
      - ./batching.config:/config/batching.config:ro
    restart: unless-stopped
    # deploy:
    #   resources:
    #     reservations:
    #       devices: [{{driver: nvidia, count: 1, capabilities: [gpu]}}]
"""

K8S = """# kubectl apply -f k8s.yaml   (the model files must be in the image or on a volume at /models/{name})
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}-serving, labels: {{app: {name}-serving}}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}-serving}}}}
  template:
    metadata: {{labels: {{app: {name}-serving}}}}
    spec:
      containers:
        - name: tfserving
          image: tensorflow/serving:{tf}          # -gpu image + nvidia.com/gpu limit for GPU nodes
          args: ["--enable_batching", "--batching_parameters_file=/config/batching.config"]
          env: [{{name: MODEL_NAME, value: {name}}}]
          ports: [{{containerPort: 8501, name: rest}}]
          readinessProbe: {{httpGet: {{path: /v1/models/{name}, port: 8501}}, initialDelaySeconds: 10}}
          resources:
            requests: {{cpu: "2", memory: 2Gi}}
            limits: {{memory: 4Gi}}               # add nvidia.com/gpu: 1 on GPU nodes
          volumeMounts:
            - {{name: models, mountPath: /models/{name}, readOnly: true}}
            - {{name: config, mountPath: /config, readOnly: true}}
      volumes:
        - name: models
          persistentVolumeClaim: {{claimName: {name}-models}}
        - name: config
          configMap: {{name: {name}-batching}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: {name}-batching}}
data:
  batching.config: |
{batching_indented}
---
apiVersion: v1
kind: Service
metadata: {{name: {name}-serving}}
spec:
  selector: {{app: {name}-serving}}
  ports: [{{name: rest, port: 8501, targetPort: 8501}}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: {name}-serving}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {name}-serving}}
  minReplicas: {replicas}
  maxReplicas: {max_replicas}
  metrics:
    - type: Resource
      resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 70}}}}
"""

README = """# Serving model {model_id}

Files:
- `models/{name}/<version>/` — the SavedModel in TF Serving layout (signature `serving_default`:
  `image_bytes` = encoded PNG/JPEG chips as `{{"b64": ...}}`, returns `school_probability`).
- `model_card.json` — how to cut chips for it: zoom {zoom}, {kind}, threshold {threshold:.3f}.
- `batching.config` — server-side batching: requests from many clients become GPU-sized batches.
- `docker-run.sh`, `docker-compose.yml` — one machine.
- `k8s.yaml` — Deployment + Service + HorizontalPodAutoscaler: many replicas (GPUs) behind one URL.

Scan against it from any machine:

    school-detector scan --imagery SRC --region district.gpkg --serving-url http://HOST:8501 \\
        --model-name {name} --zoom {zoom} {supertile_flag}--threshold {threshold:.3f} --concurrency 8 --out results.gpkg

or in QGIS: *Scan region… → TF Serving endpoint*. For a whole country, split the region with
`--shard I/N` across N workers (e.g. a Kubernetes Indexed Job with `--shard $JOB_COMPLETION_INDEX/N`)
and join the results with `school-detector merge`.
"""


#: the TensorFlow the runtime trains with (runtime-requirements.txt), for cards that don't say
TRAINING_TENSORFLOW = "2.21.0"


def serving_image_version(card: ModelCard) -> str:
    """The TF Serving image that matches the TensorFlow the model was trained with: a SavedModel
    may use ops newer than an older server knows."""
    version = str(card.software.get("tensorflow") or TRAINING_TENSORFLOW)
    return version if re.fullmatch(r"\d+\.\d+\.\d+", version) else TRAINING_TENSORFLOW


def export_serving(
    model_dir: Path, out: Path, replicas: int = 2, max_replicas: int = 8, max_batch: int = 64
) -> dict[str, Any]:
    model_dir, out = Path(model_dir), Path(out)
    card = ModelCard.read(model_dir)
    src = model_dir / card.name
    versions = sorted(p for p in src.iterdir() if p.is_dir() and p.name.isdigit() and (p / "saved_model.pb").exists())
    if not versions:
        raise InputError(f"{src} holds no exported version.")
    if out.exists() and any(out.iterdir()):
        raise InputError(f"{out} is not empty; choose a new folder.")
    target = out / "models" / card.name
    target.mkdir(parents=True, exist_ok=True)
    for v in versions:
        shutil.copytree(v, target / v.name)
    card.write(out)
    batching = BATCHING.format(max_batch=max_batch)
    fmt = {
        "tf": serving_image_version(card),
        "name": card.name,
        "replicas": replicas,
        "max_replicas": max_replicas,
        "model_id": card.model_id,
        "zoom": card.zoom,
        "kind": "supertiles (512 px)" if card.supertile else "tiles (256 px)",
        "threshold": card.threshold,
        "supertile_flag": "--supertile " if card.supertile else "",
        "batching_indented": "\n".join("    " + line for line in batching.splitlines()),
    }
    (out / "batching.config").write_text(batching)
    run = out / "docker-run.sh"
    run.write_text(DOCKER_RUN.format(**fmt))
    run.chmod(0o755)
    (out / "docker-compose.yml").write_text(COMPOSE.format(**fmt))
    (out / "k8s.yaml").write_text(K8S.format(**fmt))
    (out / "README.md").write_text(README.format(**fmt))
    return {
        "out": str(out.resolve()),
        "model": card.model_id,
        "versions": [int(v.name) for v in versions],
        "files": sorted(str(p.relative_to(out)) for p in out.iterdir()),
    }
