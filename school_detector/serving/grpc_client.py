"""TF Serving over gRPC (port 8500): the CLI's option for big scans (no JSON, no base64).

Needs the ML runtime (TensorFlow builds the tensor protos; tensorflow-serving-api provides the
service stubs). Same contract as the REST client: metadata checked first, retries with backoff
on UNAVAILABLE / DEADLINE_EXCEEDED / RESOURCE_EXHAUSTED, never on request errors, and a wrong
prediction count stops rather than mis-scoring tiles.
"""

from __future__ import annotations

import time
from typing import Any

from ..core.results import Prediction
from ..core.signatures import LOCATE, LOCATION, OUTPUT
from .client import Endpoint, ServingError, _scalar, location

RETRY_CODES = ("UNAVAILABLE", "DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED")


class GrpcPredictor:
    wants_bytes = True

    def __init__(
        self,
        target: str,
        endpoint: Endpoint,
        metadata: dict[str, str] | None = None,
        tls: bool = False,
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 0.5,
        concurrency: int = 4,
    ) -> None:
        import grpc
        from tensorflow_serving.apis import prediction_service_pb2_grpc

        self.target = target
        self.endpoint = endpoint
        self.metadata = [(k.lower(), v) for k, v in (metadata or {}).items()]
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.concurrency = concurrency
        options = [
            ("grpc.max_send_message_length", 256 * 1024 * 1024),
            ("grpc.max_receive_message_length", 64 * 1024 * 1024),
        ]
        self.channel = (
            grpc.secure_channel(target, grpc.ssl_channel_credentials(), options)
            if tls
            else grpc.insecure_channel(target, options)
        )
        self.stub = prediction_service_pb2_grpc.PredictionServiceStub(self.channel)
        self.locates = False
        self.input_name = self.check_signature()

    def _spec(self, request: Any) -> None:
        request.model_spec.name = self.endpoint.model
        request.model_spec.signature_name = self.endpoint.signature
        if self.endpoint.version is not None:
            request.model_spec.version.value = self.endpoint.version
        elif self.endpoint.label:
            request.model_spec.version_label = self.endpoint.label

    def _call(self, method: Any, request: Any) -> Any:
        import grpc

        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                return method(request, timeout=self.timeout, metadata=self.metadata)
            except grpc.RpcError as exc:
                code = exc.code().name if exc.code() else "UNKNOWN"
                if code in RETRY_CODES:
                    last = f"{code}: {exc.details()}"
                    continue
                if code == "NOT_FOUND":
                    message = f"The gRPC endpoint has no model '{self.endpoint.model}' ({exc.details()})."
                    raise ServingError(message) from None
                raise ServingError(f"The gRPC endpoint rejected the request ({code}): {exc.details()}") from None
        raise ServingError(
            f"The gRPC endpoint {self.target} failed after {self.retries + 1} tries ({last}). Is the server running "
            "and reachable from this computer?"
        )

    def check_signature(self) -> str:
        from tensorflow_serving.apis import get_model_metadata_pb2

        request = get_model_metadata_pb2.GetModelMetadataRequest()
        self._spec(request)
        request.metadata_field.append("signature_def")
        response = self._call(self.stub.GetModelMetadata, request)
        sig_map = get_model_metadata_pb2.SignatureDefMap()
        response.metadata["signature_def"].Unpack(sig_map)
        sig = sig_map.signature_def.get(self.endpoint.signature)
        if sig is None:
            raise ServingError(f"The served model has no signature '{self.endpoint.signature}'.")
        strings = [name for name, info in sig.inputs.items() if info.dtype == 7]  # DT_STRING
        if len(sig.inputs) != 1 or not strings:
            raise ServingError("The served model's signature does not take encoded image chips (one DT_STRING input).")
        locate = sig_map.signature_def.get(LOCATE)
        self.locates = (
            locate is not None and list(locate.inputs) == strings and {OUTPUT, LOCATION} <= set(locate.outputs)
        )
        return strings[0]

    def predict(self, chips: list[Any]) -> list[Prediction]:
        import tensorflow as tf
        from tensorflow_serving.apis import predict_pb2

        if not chips:
            return []
        request = predict_pb2.PredictRequest()
        self._spec(request)
        if self.locates:
            request.model_spec.signature_name = LOCATE
        request.inputs[self.input_name].CopyFrom(tf.make_tensor_proto(list(chips), dtype=tf.string))
        response = self._call(self.stub.Predict, request)
        if self.locates:
            values = tf.make_ndarray(response.outputs[OUTPUT]).reshape(-1).tolist()
            places = tf.make_ndarray(response.outputs[LOCATION]).reshape(-1, 2).tolist()
        elif len(response.outputs) != 1:
            raise ServingError("The served model must return one output (the school probability).")
        else:
            values = tf.make_ndarray(next(iter(response.outputs.values()))).reshape(-1).tolist()
            places = [None] * len(values)
        if len(values) != len(chips) or len(places) != len(chips):
            raise ServingError(
                f"The gRPC endpoint returned {len(values)} predictions for {len(chips)} images; no "
                "score was written for this batch."
            )
        return [
            Prediction(_scalar(v)) if p is None else Prediction(_scalar(v), *location(p))
            for v, p in zip(values, places)
        ]

    def close(self) -> None:
        self.channel.close()

    def describe(self) -> dict[str, Any]:
        return {
            "backend": "grpc",
            "model": self.endpoint.model,
            "version": self.endpoint.version,
            "label": self.endpoint.label,
            "concurrency": self.concurrency,
            "location": "model" if self.locates else "tile-centre",
        }
