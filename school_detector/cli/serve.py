"""``school-detector serve``: TF-Serving-compatible REST server for a model folder."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..core.errors import InputError
from ..core.progress import Reporter
from ..inference.backend import BACKENDS, SCAN_ONLY, installed
from . import cancel


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("serve", parents=[common], help="serve a model over TF Serving's REST API (local inference)")
    p.add_argument("--model", required=True, type=Path, help="model folder (model_card.json + NAME/VERSION)")
    p.add_argument("--port", type=int, default=8501, help="port (0: any free port; default 8501 like TF Serving)")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1: this computer only; a model runs its own code)",
    )
    p.add_argument("--label", action="append", default=[], help="version label NAME=VERSION (repeatable)")
    p.add_argument(
        "--backend",
        choices=BACKENDS,
        default="auto",
        help="engine: onnx (ONNX Runtime, the versions' ONNX copies), tensorflow (the SavedModels), or auto "
        "(default: ONNX Runtime where a version has its copy and it is installed)",
    )
    p.add_argument(
        "--grpc-port",
        type=int,
        default=None,
        help="also serve TF Serving's gRPC API on this port (0: any free port; TF Serving uses 8500)",
    )
    p.set_defaults(run=run)

    e = sub.add_parser(
        "export-serving",
        parents=[common],
        help="write a TF Serving deployment (model layout, batching, docker, Kubernetes)",
    )
    e.add_argument("model", type=Path, help="model folder")
    e.add_argument("--out", required=True, type=Path, help="an empty folder for the deployment files")
    e.add_argument("--replicas", type=int, default=2)
    e.add_argument("--max-replicas", type=int, default=8)
    e.add_argument("--max-batch", type=int, default=64, help="server-side batching: largest batch")
    e.set_defaults(run=run_export)


def run(args: argparse.Namespace, reporter: Reporter) -> dict[str, Any]:
    from ..serving.server import ModelRepository, make_server

    labels = {}
    for item in args.label:
        name, sep, version = item.partition("=")
        if not sep or not version.isdigit():
            raise InputError(f"--label {item!r} must look like stable=2.")
        labels[name] = int(version)
    if args.grpc_port is not None and not installed("tensorflow"):
        raise InputError(
            SCAN_ONLY.format(what="serve gRPC (TF Serving's gRPC messages come with TensorFlow); use REST")
        )
    repo = ModelRepository(args.model, labels, args.backend)
    repo.load(repo.versions[-1])  # fail now, not on the first request
    engine = repo.engine(repo.versions[-1])
    server = make_server(repo, args.host, args.port)
    # with --control stdin: the caller closing the channel (QGIS closed, crashed or killed) stops
    # us. Registered before "listening" is announced: a caller that closes the channel as soon as
    # it reads that line must find the server's own way to stop, not a cancel (exit 130).
    cancel.on_close(server.shutdown)
    port = server.server_address[1]
    url = f"http://{args.host}:{port}"
    grpc_server, grpc_port = None, None
    if args.grpc_port is not None:
        from ..serving.grpc_server import make_grpc_server

        grpc_server, grpc_port = make_grpc_server(repo, args.host, args.grpc_port)
        reporter.log(f"gRPC PredictionService at {args.host}:{grpc_port}")
    reporter.log(f"Serving model '{repo.name}' versions {repo.versions} at {url}/v1/models/{repo.name} ({engine})")
    reporter.metric(
        {
            "listening": url,
            "port": port,
            "grpc": f"{args.host}:{grpc_port}" if grpc_port else None,
            "model": repo.name,
            "versions": repo.versions,
            "engine": engine,
            "runs_on": repo.runs_on(repo.versions[-1]),
        }
    )
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        if grpc_server is not None:
            grpc_server.stop(grace=2)
    return {"stopped": True}


def run_export(args: argparse.Namespace, reporter: Reporter) -> dict[str, Any]:
    from ..serving.deploy import export_serving

    return export_serving(args.model, args.out, args.replicas, args.max_replicas, args.max_batch)
