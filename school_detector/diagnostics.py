"""The Diagnostics report (Settings → Diagnostics): what a bug report needs, nothing secret.

QGIS, Qt, Python and platform, the plugin version, the ML runtime and what its last check found
(TensorFlow, GPUs), the plugin settings and the last errors. Secrets are masked: URL query
values and user info, and header-like ``key: value`` / ``key=value`` pairs whose key looks like a
credential, wherever they appear (an error message can quote a URL with a key in it).
"""

from __future__ import annotations

import platform
import sys
from typing import Any

from .core.redact import redact


def report(runtime: Any, last_info: dict[str, Any] | None, settings: dict[str, Any], errors: list[str]) -> str:
    from qgis.core import Qgis
    from qgis.PyQt.QtCore import QT_VERSION_STR

    from .version import __version__

    tf = (last_info or {}).get("tensorflow") or {}
    lines = [
        "School detector diagnostics",
        f"plugin: {__version__}",
        f"QGIS: {Qgis.QGIS_VERSION} (Qt {QT_VERSION_STR})",
        f"QGIS Python: {sys.version.split()[0]} on {platform.platform()}",
        f"ML runtime: {runtime.describe()}",
    ]
    if last_info:
        lines += [
            f"runtime Python: {last_info.get('python')}",
            f"TensorFlow: {tf.get('version', 'not importable')} (CUDA build: {tf.get('cuda_build')})",
            f"GPUs: {', '.join(map(str, tf.get('gpus', []))) or 'none'}",
        ]
    else:
        lines.append("TensorFlow / GPUs: not checked yet (click 'Check runtime' first for these)")
    lines.append("settings: " + ", ".join(f"{k}={v!r}" for k, v in sorted(settings.items())))
    lines.append(f"last errors ({len(errors)}):")
    lines += [f"  - {e}" for e in errors[-10:]] or ["  none"]
    return redact("\n".join(lines))
