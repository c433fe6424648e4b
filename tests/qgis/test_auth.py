"""Headers for TF Serving and tile servers come from QGIS's auth manager as it sets them on a
request: Basic and EsriToken configurations and an OAuth2 one (resource-owner token from a
loopback token server) each give exactly their own header, and no secret of a configuration
(a password, an OAuth2 client secret) lands in any header it does not belong in."""

import base64
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "qgis"))
from auth_probe import SECRETS  # noqa: E402

ACCESS_TOKEN = "ACCESS-TOKEN-FOR-TF-SERVING"


class TokenServer(BaseHTTPRequestHandler):
    """An OAuth2 token endpoint (RFC 6749 section 4.3, resource owner password grant)."""

    seen: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        form = {k: v[0] for k, v in parse_qs(body).items()}
        TokenServer.seen.append(form)
        answer = json.dumps({"access_token": ACCESS_TOKEN, "token_type": "bearer", "expires_in": 3600}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args) -> None:
        pass


def test_headers_come_from_qgis_and_carry_no_foreign_secret(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), TokenServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {**os.environ, "QGIS_AUTH_DB_DIR_PATH": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
        env["PYTHONPATH"] = str(ROOT)
        run = subprocess.run(
            [sys.executable, str(ROOT / "tests" / "qgis" / "auth_probe.py"), f"http://127.0.0.1:{server.server_port}/token"],
            capture_output=True, text=True, timeout=120, env=env, cwd=ROOT,
        )  # fmt: skip
    finally:
        server.shutdown()
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(run.stdout.strip().splitlines()[-1])["results"]
    basic = results["basic"]["headers"]
    assert basic == {"Authorization": "Basic " + base64.b64encode(f"ana:{SECRETS['password']}".encode()).decode()}
    esri = results["esri"]["headers"]
    assert esri and SECRETS["token"] in "".join(esri.values())
    assert "oauth2config" not in json.dumps(esri).lower()
    oauth = results["oauth2"]
    assert oauth.get("headers") == {"Authorization": f"Bearer {ACCESS_TOKEN}"}, oauth
    assert TokenServer.seen and TokenServer.seen[0].get("grant_type") == "password"
    every_header = json.dumps(results)
    for name in ("client_secret", "oauth_password"):  # they went to the token server, never to TF Serving
        assert SECRETS[name] not in every_header
    assert SECRETS["password"] not in json.dumps(esri) + json.dumps(oauth)
