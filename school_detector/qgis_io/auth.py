"""HTTP headers from a QGIS authentication configuration, made by QGIS itself.

QGIS's auth manager applies a configuration to a network request (``updateNetworkRequest``):
Basic sets ``Authorization``, API Header sets its headers, OAuth2 fetches or refreshes a token
and sets a bearer header, and so on for every method QGIS knows. We copy the raw headers QGIS
set on a request to the endpoint's URL and send exactly those from the ML runtime: the
configuration's own map (an OAuth2 client secret, a token under its config key) never leaves
QGIS, and no method needs code of ours. Nothing is stored: the headers live in memory for one
scan.
"""

from __future__ import annotations

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtNetwork import QNetworkRequest

from ..core.errors import InputError


def auth_headers(auth_id: str, url: str) -> dict[str, str]:
    """The headers QGIS sets for ``auth_id`` on a request to ``url`` ({} without a config)."""
    if not auth_id:
        return {}
    manager = QgsApplication.authManager()
    if auth_id not in manager.configIds():
        raise InputError(f"The authentication configuration {auth_id} does not exist (any more).")
    request = QNetworkRequest(QUrl(url))
    answer = manager.updateNetworkRequest(request, auth_id)
    ok, request = answer if isinstance(answer, tuple) else (answer, request)
    if not ok:
        method = manager.configAuthMethodKey(auth_id) or "?"
        raise InputError(
            f"QGIS could not apply the authentication configuration {auth_id} ({method}) to {url}: is the "
            "master password set, and does QGIS support this method for web requests? See the QGIS log."
        )
    return {
        bytes(name).decode("latin-1"): bytes(request.rawHeader(name)).decode("latin-1")
        for name in request.rawHeaderList()
    }
