"""Plain requests from the QGIS process go through QGIS's network manager: it brings the proxy,
the SSL settings and the certificate exceptions the mapper set in QGIS (Settings > Options >
Network), which urllib in the same process would ignore."""

from __future__ import annotations

from qgis.core import QgsNetworkAccessManager
from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtNetwork import QNetworkRequest


def answers(url: str, timeout_s: float = 10.0) -> bool:
    """Whether a server answers at ``url``: any HTTP status counts (a 404 is a server that is
    there); a refused connection, an unknown host or no answer within ``timeout_s`` does not.
    Blocking: call it from a task's worker thread, never the GUI thread."""
    request = QNetworkRequest(QUrl(url))
    if hasattr(request, "setTransferTimeout"):  # Qt 5.15+; before it, QGIS's own network timeout
        request.setTransferTimeout(int(timeout_s * 1000))
    reply = QgsNetworkAccessManager.instance().blockingGet(request, forceRefresh=True)
    status = reply.attribute(QNetworkRequest.Attribute.HttpStatusCodeAttribute)
    return status is not None and int(status) > 0
