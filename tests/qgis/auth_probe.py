"""Run by test_auth.py in a subprocess with its own QGIS auth database (QGIS_AUTH_DB_DIR_PATH):
store Basic, EsriToken and OAuth2 (resource owner, token from a loopback server) configurations
with planted secrets, and print, as JSON, the headers school_detector sends for each."""

from __future__ import annotations

import json
import sys

from qgis.core import QgsApplication, QgsAuthMethodConfig

SECRETS = {
    "password": "SECRET-BASIC-PW",
    "token": "SECRET-ESRI-TOKEN",
    "client_secret": "SECRET-OAUTH-CLIENT",
    "oauth_password": "SECRET-OAUTH-PW",
}


def store(method: str, name: str, values: dict[str, str]) -> str:
    config = QgsAuthMethodConfig(method)
    config.setName(name)
    for key, value in values.items():
        config.setConfig(key, value)
    manager = QgsApplication.authManager()
    ok = manager.storeAuthenticationConfig(config)
    stored = ok[-1] if isinstance(ok, tuple) else config
    return stored.id()


def oauth2_config(token_url: str) -> str:
    """QGIS's OAuth2 method keeps its settings as one JSON document under "oauth2config"."""
    document = {
        "apiKey": "",
        "clientId": "school-detector-test",
        "clientSecret": SECRETS["client_secret"],
        "configType": 1,  # custom
        "grantFlow": 2,  # resource owner
        "id": "",
        "name": "oauth",
        "password": SECRETS["oauth_password"],
        "persistToken": False,
        "queryPairs": {},
        "redirectPort": 7070,
        "redirectUrl": "",
        "refreshTokenUrl": "",
        "requestTimeout": 10,
        "requestUrl": token_url,
        "scope": "",
        "tokenUrl": token_url,
        "username": "ana",
        "version": 1,
        "accessMethod": 0,  # header
    }
    return store("OAuth2", "oauth", {"oauth2config": json.dumps(document)})


def main(token_url: str) -> int:
    app = QgsApplication([], False)
    app.initQgis()
    manager = QgsApplication.authManager()
    manager.setMasterPassword("school-detector-tests", True)
    from school_detector.qgis_io.auth import auth_headers

    ids = {
        "basic": store("Basic", "basic", {"username": "ana", "password": SECRETS["password"]}),
        "esri": store("EsriToken", "esri", {"token": SECRETS["token"]}),
        "oauth2": oauth2_config(token_url),
    }
    out = {}
    for name, auth_id in ids.items():
        try:
            out[name] = {"headers": auth_headers(auth_id, "http://127.0.0.1:8501/v1/models/schools:predict")}
        except Exception as exc:  # noqa: BLE001 - reported to the test, which decides
            out[name] = {"error": str(exc)}
    print(json.dumps({"ids": ids, "results": out}), flush=True)
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
