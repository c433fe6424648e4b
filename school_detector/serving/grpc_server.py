"""TF Serving's gRPC PredictionService (Predict, GetModelMetadata) for ``serve --grpc-port``:
the local stand-in for a real TF Serving's port 8500, over the same model repository."""

from __future__ import annotations

from concurrent import futures
from typing import Any

from .server import ModelRepository, RequestError


def make_grpc_server(repo: ModelRepository, host: str, port: int) -> tuple[Any, int]:
    import grpc
    import tensorflow as tf
    from tensorflow.core.protobuf import meta_graph_pb2
    from tensorflow_serving.apis import get_model_metadata_pb2, predict_pb2, prediction_service_pb2_grpc

    def version_of(spec: Any) -> int:
        version = str(spec.version.value) if spec.HasField("version") else None
        label = spec.version_label or None
        return repo.resolve(spec.name, version, label)

    def fail(context: Any, exc: RequestError) -> None:
        code = grpc.StatusCode.NOT_FOUND if exc.status == 404 else grpc.StatusCode.INVALID_ARGUMENT
        context.abort(code, exc.message)

    class Service(prediction_service_pb2_grpc.PredictionServiceServicer):
        def GetModelMetadata(self, request: Any, context: Any) -> Any:  # noqa: N802 (gRPC API)
            try:
                version = version_of(request.model_spec)
            except RequestError as exc:
                fail(context, exc)
            sig_map = get_model_metadata_pb2.SignatureDefMap()
            for key, signature in repo.load(version).items():
                sig = meta_graph_pb2.SignatureDef(method_name="tensorflow/serving/predict")
                for name, spec in signature.inputs.items():
                    sig.inputs[name].name = f"{name}:0"
                    sig.inputs[name].dtype = tf.as_dtype(spec.dtype).as_datatype_enum
                for name, spec in signature.outputs.items():
                    sig.outputs[name].name = f"{name}:0"
                    sig.outputs[name].dtype = tf.as_dtype(spec.dtype).as_datatype_enum
                sig_map.signature_def[key].CopyFrom(sig)
            response = get_model_metadata_pb2.GetModelMetadataResponse()
            response.model_spec.name = repo.name
            response.model_spec.version.value = version
            response.metadata["signature_def"].Pack(sig_map)
            return response

        def Predict(self, request: Any, context: Any) -> Any:  # noqa: N802 (gRPC API)
            try:
                version = version_of(request.model_spec)
            except RequestError as exc:
                fail(context, exc)
            signatures = repo.load(version)
            name = request.model_spec.signature_name or "serving_default"
            if name not in signatures:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, f'Serving signature name: "{name}" not found')
            try:
                outputs = signatures[name].call(**{k: tf.make_ndarray(v) for k, v in request.inputs.items()})
            except (ValueError, TypeError) as exc:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc).splitlines()[0])
            response = predict_pb2.PredictResponse()
            response.model_spec.name = repo.name
            response.model_spec.version.value = version
            for key, value in outputs.items():
                response.outputs[key].CopyFrom(tf.make_tensor_proto(value))
            return response

    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=8), options=[("grpc.max_receive_message_length", 256 * 1024 * 1024)]
    )
    prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(Service(), server)
    bound = server.add_insecure_port(f"{host}:{port}")
    server.start()
    return server, bound
