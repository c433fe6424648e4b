"""school_detector: find unmapped schools in high-resolution imagery.

This package is both the QGIS plugin (``classFactory``) and the ML runtime's library
(``school_detector.cli``). Importing it must stay cheap and free of Qt, QGIS and
TensorFlow, because the ML runtime imports it too and QGIS imports it at start-up.
"""

from __future__ import annotations

from typing import Any

from .version import __version__

__all__ = ["__version__", "classFactory"]


def classFactory(iface: Any) -> Any:  # noqa: N802 (name fixed by QGIS)
    """QGIS entry point; the plugin module is imported only now, never at package import."""
    from .plugin import SchoolDetectorPlugin

    return SchoolDetectorPlugin(iface)
