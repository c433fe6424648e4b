"""A TF-Serving-compatible REST server for exported models (``school-detector serve``).

Implements the parts of the REST API that clients use: model status, metadata, and predict
in row (``instances``) and columnar (``inputs``) form, with ``{"b64": ...}`` binary values,
``/versions/N`` and ``/labels/L``, and TF Serving's error shape ``{"error": "..."}`` with its
status codes. Binds to 127.0.0.1 unless told otherwise: it runs the model's code.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ..core.errors import InputError, ModelCardError

_URL = re.compile(
    r"^/v1/models/([^/:]+)(?:/versions/(\d+)|/labels/([^/:]+))?(/metadata|:predict|:classify|"
    r":regress)?/?$"
)
DTYPES = {
    "string": "DT_STRING",
    "float32": "DT_FLOAT",
    "uint8": "DT_UINT8",
    "float16": "DT_HALF",
    "int64": "DT_INT64",
    "int32": "DT_INT32",
    "float64": "DT_DOUBLE",
}


class RequestError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ModelRepository:
    """Versions of one model from a TF Serving model base path (``NAME/1``, ``NAME/2``…)."""

    def __init__(self, model_dir: Path, labels: dict[str, int] | None = None, backend: str = "auto") -> None:
        from ..core.model_card import ModelCard

        self.model_dir = Path(model_dir)
        self.card: ModelCard | None = None
        try:
            self.card = ModelCard.read(self.model_dir)
            self.name = self.card.name
            self.base = self.model_dir / self.card.name
        except ModelCardError:
            # a bare TF Serving base path (NAME/1/saved_model.pb) with no card
            self.base = self.model_dir
            self.name = self.model_dir.name
        self.backend = backend
        self.versions = (
            sorted(
                int(p.name)
                for p in self.base.iterdir()
                if p.is_dir() and p.name.isdigit() and (p / "saved_model.pb").is_file()
            )
            if self.base.is_dir()
            else []
        )
        if not self.versions:
            raise InputError(f"{model_dir} holds no SavedModel version (NAME/1/saved_model.pb).")
        self.labels = dict(labels or {})
        for label, version in self.labels.items():
            if version not in self.versions:
                raise InputError(f"Label {label} points at version {version}, which does not exist.")
        self._loaded: dict[int, Any] = {}
        self._lock = threading.Lock()

    def resolve(self, name: str, version: str | None, label: str | None) -> int:
        if name != self.name:
            raise RequestError(404, f"Servable not found for request: Latest({name})")
        if version is not None:
            if int(version) not in self.versions:
                raise RequestError(404, f"Servable not found for request: Specific({name}, {version})")
            return int(version)
        if label is not None:
            if label not in self.labels:
                raise RequestError(404, f"Unrecognized servable version label: {label}")
            return self.labels[label]
        return self.versions[-1]

    def engine(self, version: int) -> str:
        """ "onnx" or "tensorflow" for a version (inference.backend: ONNX Runtime when the
        version has its ONNX copy and onnxruntime is here, unless told otherwise)."""
        from ..inference.backend import ONNX, TENSORFLOW, choose_backend

        if self.card is None:
            return TENSORFLOW
        card = replace(self.card, version=version)
        if version != self.card.version and not (self.base / str(version) / str(card.onnx.get("file"))).is_file():
            card = replace(card, onnx={})  # an older version, exported before its copy
        return ONNX if choose_backend(card, self.model_dir, self.backend) == ONNX else TENSORFLOW

    def load(self, version: int) -> dict[str, Any]:
        """The version's signatures (serving.servable), loaded once."""
        from .servable import onnx_signatures, tensorflow_signatures

        with self._lock:
            if version not in self._loaded:
                folder = self.base / str(version)
                if self.card is not None and self.engine(version) == "onnx":  # no card: TensorFlow
                    self._loaded[version] = onnx_signatures(folder / str(self.card.onnx["file"]))
                else:
                    self._loaded[version] = tensorflow_signatures(folder)
            return self._loaded[version]

    def runs_on(self, version: int) -> str:
        """What a loaded version runs on, in the words the plugin shows."""
        if self.engine(version) == "onnx":
            from ..inference.onnx_model import scanning_on

            return scanning_on() or "ONNX Runtime"
        import tensorflow as tf

        device = "GPU" if tf.config.list_physical_devices("GPU") else "CPU"
        return f"{device}, TensorFlow {tf.__version__}"

    def signature_defs(self, version: int) -> dict[str, Any]:
        return {
            key: {
                "inputs": {n: _tensor_info(n, spec) for n, spec in sig.inputs.items()},
                "outputs": {n: _tensor_info(n, spec) for n, spec in sig.outputs.items()},
                "method_name": "tensorflow/serving/predict",
            }
            for key, sig in self.load(version).items()
        }


def _tensor_info(name: str, spec: Any) -> dict[str, Any]:
    dims = [{"size": str(-1 if d is None else d), "name": ""} for d in spec.shape]
    return {
        "dtype": DTYPES.get(spec.dtype, spec.dtype),
        "tensor_shape": {"dim": dims, "unknown_rank": False},
        "name": f"{name}:0",
    }


def _decode(value: Any) -> Any:
    """JSON value -> python value, with {"b64": ...} decoded to bytes (recursively)."""
    if isinstance(value, dict) and set(value) == {"b64"}:
        try:
            return base64.b64decode(value["b64"], validate=True)
        except (ValueError, TypeError) as exc:
            raise RequestError(400, f"Invalid base64 value: {exc}") from exc
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, str):
        return value.encode()
    return value


def parse_inputs(body: dict[str, Any], input_names: list[str]) -> tuple[dict[str, list[Any]], bool]:
    """(tensors by input name, row format?) from a predict request body."""
    if "instances" in body and "inputs" in body:
        raise RequestError(400, "Request body may have either 'instances' or 'inputs', not both")
    if "instances" in body:
        rows = body["instances"]
        if not isinstance(rows, list):
            raise RequestError(400, "'instances' must be a list")
        if len(input_names) == 1 and not (rows and isinstance(rows[0], dict) and set(rows[0]) != {"b64"}):
            return {input_names[0]: [_decode(r) for r in rows]}, True
        out: dict[str, list[Any]] = {n: [] for n in input_names}
        for r in rows:
            if not isinstance(r, dict) or set(r) != set(input_names):
                raise RequestError(400, f"Each instance must name the inputs {input_names}")
            for n in input_names:
                out[n].append(_decode(r[n]))
        return out, True
    if "inputs" in body:
        cols = body["inputs"]
        if isinstance(cols, dict) and set(cols) != {"b64"}:
            if set(cols) != set(input_names):
                raise RequestError(400, f"'inputs' must name the inputs {input_names}")
            return {n: _decode(cols[n]) for n in input_names}, False
        if len(input_names) != 1:
            raise RequestError(400, f"'inputs' must be an object naming {input_names}")
        value = _decode(cols)
        return {input_names[0]: value if isinstance(value, list) else [value]}, False
    raise RequestError(400, "Missing 'inputs' or 'instances' key")


def predict(repo: ModelRepository, version: int, body: dict[str, Any]) -> dict[str, Any]:
    signatures = repo.load(version)
    sig_name = body.get("signature_name") or "serving_default"
    if sig_name not in signatures:
        raise RequestError(400, f'Serving signature name: "{sig_name}" not found in signature def')
    signature = signatures[sig_name]
    tensors, row = parse_inputs(body, list(signature.inputs))
    try:
        result = signature.call(**tensors)
    except (ValueError, TypeError) as exc:
        raise RequestError(400, str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc
    outputs = {k: v.tolist() for k, v in result.items()}
    if len(outputs) == 1:
        values = next(iter(outputs.values()))
        return {"predictions": values} if row else {"outputs": values}
    if row:
        n = len(next(iter(outputs.values())))
        return {"predictions": [{k: v[i] for k, v in outputs.items()} for i in range(n)]}
    return {"outputs": outputs}


def make_server(repo: ModelRepository, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _reply(self, status: int, obj: dict[str, Any]) -> None:
            data = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _route(self, method: str) -> None:
            try:
                m = _URL.match(self.path.split("?")[0])
                if not m:
                    raise RequestError(400, f"Malformed request: {method} {self.path}")
                name, version, label, action = m.groups()
                v = repo.resolve(name, version, label)
                if method == "GET" and action is None:
                    versions = [v] if version or label else repo.versions
                    self._reply(
                        200,
                        {
                            "model_version_status": [
                                {
                                    "version": str(x),
                                    "state": "AVAILABLE",
                                    "status": {"error_code": "OK", "error_message": ""},
                                }
                                for x in versions
                            ]
                        },
                    )
                elif method == "GET" and action == "/metadata":
                    self._reply(
                        200,
                        {
                            "model_spec": {"name": name, "signature_name": "", "version": str(v)},
                            "metadata": {
                                "signature_def": {
                                    "signature_def": repo.signature_defs(v),
                                    "@type": "type.googleapis.com/tensorflow.serving.SignatureDefMap",
                                }
                            },
                        },
                    )
                elif method == "POST" and action == ":predict":
                    length = int(self.headers.get("Content-Length") or 0)
                    try:
                        body = json.loads(self.rfile.read(length) or b"{}")
                    except json.JSONDecodeError as exc:
                        raise RequestError(400, f"JSON Parse error: {exc}") from exc
                    if not isinstance(body, dict):
                        raise RequestError(400, "The request body must be a JSON object")
                    self._reply(200, predict(repo, v, body))
                elif method == "POST" and action in (":classify", ":regress"):
                    raise RequestError(400, f"{action[1:]} is not supported by this model; use :predict")
                else:
                    raise RequestError(400, f"Malformed request: {method} {self.path}")
            except RequestError as exc:
                self._reply(exc.status, {"error": exc.message})
            except Exception as exc:  # noqa: BLE001 - a server answers 500, never dies
                self._reply(500, {"error": f"{type(exc).__name__}: {exc}"})

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server
