"""Credentials stay secret and connections stay safe: a planted API key and token are used
(the servers require them) and appear in no output at all; TLS is verified by default; the
local model server listens on 127.0.0.1 only."""

from __future__ import annotations

import json
import subprocess

import pytest
from urllib3.exceptions import InsecureRequestWarning

from school_detector.serving.client import Endpoint, ServingClient, ServingError
from tests.support.cli import result_of, run_cli
from tests.support.fake_serving import FakeServing
from tests.support.serve_process import ServeProcess
from tests.support.tile_server import TileServer

TILE_KEY = "PLANTED-TILE-KEY-7f3a9c"
TOKEN = "PLANTED-SERVING-TOKEN-51be02"
SECRETS = {"TILE_KEY": TILE_KEY, "SERVING_TOKEN": TOKEN}


def leaks(folder, *texts):
    """Every file under ``folder`` (bytes, so GeoPackages and PNG metadata too) and every text."""
    secrets = [s.encode() for s in SECRETS.values()]
    found = [str(p) for p in folder.rglob("*") if p.is_file() and any(s in p.read_bytes() for s in secrets)]
    return found + [t[:200] for t in texts if any(s in t for s in SECRETS.values())]


def test_planted_secrets_are_used_but_written_nowhere(scene, tmp_path):
    out = tmp_path / "work"
    with TileServer(scene / "tiles") as tiles:
        template = tiles.template + "?key=${TILE_KEY}"  # a key in the URL, from the environment
        chips = ["chips", "--imagery", template, "--header", "X-Api-Key: ${TILE_KEY}", "--labels",
                 str(scene / "labels.gpkg"), "--out", str(out / "ds")]  # fmt: skip
        proc1, _ = run_cli(*chips, env=SECRETS)
        assert proc1.returncode == 0, proc1.stderr[-2000:]
        assert tiles.headers_seen and all(h.get("X-Api-Key") == TILE_KEY for h in tiles.headers_seen)  # used
        train = ["train", "--data", str(out / "ds"), "--model", "tiny", "--weights", "none", "--input-size", "64",
                 "--epochs", "1", "--fine-tune-epochs", "0", "--batch-size", "8",
                 "--out", str(out / "model")]  # fmt: skip
        proc2, _ = run_cli(*train, env=SECRETS)
        assert proc2.returncode == 0, proc2.stderr[-2000:]
        with FakeServing(required_headers={"Authorization": f"Bearer {TOKEN}"}) as srv:
            auth = "Authorization: Bearer ${SERVING_TOKEN}"
            scan = ["scan", "--imagery", template, "--header", "X-Api-Key: ${TILE_KEY}", "--bbox-crs", "EPSG:3857",
                    "--bbox", bbox(scene), "--serving-url", srv.url, "--serving-header", auth, "--model-name",
                    "schools", "--out"]  # fmt: skip
            proc3, events = run_cli(*scan, str(out / "r.gpkg"), env=SECRETS)
            assert proc3.returncode == 0, proc3.stderr[-2000:]
            assert result_of(events)["scored_now"] > 0 and srv.predicts > 0  # the token was accepted
            proc4, events4 = run_cli(*scan, str(out / "r2.gpkg"), env={"SERVING_TOKEN": "wrong", "TILE_KEY": TILE_KEY})
        assert proc4.returncode != 0 and "credentials" in events4[-1]["message"]
    with TileServer(scene / "tiles", fault=lambda path, nth: (403, b"forbidden")) as refusing:
        # a failure quotes the tile URL: with its key masked
        bad = refusing.template + "?key=${TILE_KEY}"
        proc5, events5 = run_cli(*[bad if a == template else a for a in chips[:-1]], str(out / "ds2"), env=SECRETS)
    assert proc5.returncode != 0 and "key=***" in events5[-1]["message"]
    outputs = [p.stdout + p.stderr for p in (proc1, proc2, proc3, proc4, proc5)]
    assert leaks(out, *outputs) == []
    template_kept = json.loads((out / "ds" / "dataset.json").read_text())["imagery"]["template"]
    assert template_kept.endswith("?key=***")  # where the key goes, never its value


def bbox(scene):
    west, south, east, north = json.loads((scene / "scene.json").read_text())["bounds_3857"]
    return f"{west + 1},{south + 1},{east - 1},{north - 1}"


def test_tls_is_verified_by_default(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    with FakeServing() as srv:
        srv.use_tls(cert, key)
        with pytest.raises(ServingError, match="TLS verification failed"):
            ServingClient(Endpoint(srv.url, "schools"), retries=0).metadata()
        with pytest.warns(InsecureRequestWarning):  # off only when asked, and never silently
            meta = ServingClient(Endpoint(srv.url, "schools"), retries=0, verify_tls=False).metadata()
        assert "signature_def" in meta["metadata"]  # only when the user turns verification off


def test_the_local_server_listens_on_loopback_only(model):
    with ServeProcess(model) as server:
        listening = server.url
        port = int(listening.rsplit(":", 1)[1])
        assert listening.startswith("http://127.0.0.1:")
        sockets = [line.split() for line in open("/proc/net/tcp").read().splitlines()[1:]]
        bound = {s[1] for s in sockets if s[3] == "0A" and int(s[1].split(":")[1], 16) == port}  # LISTEN
        assert bound == {f"0100007F:{port:04X}"}  # 127.0.0.1, not 0.0.0.0
