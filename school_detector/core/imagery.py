"""What names an imagery across sessions and front ends: the same GeoTIFF read by the CLI
(rasterio) or rendered by QGIS is the same imagery; a QGIS layer's id changes with every
project and is no name."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any


def imagery_identity(imagery: Any) -> str:
    """An imagery description's name: its file, its URL template, else its layer's kind and name."""
    if not isinstance(imagery, dict):
        return str(imagery or "")
    if imagery.get("path"):
        return str(Path(str(imagery["path"])).expanduser().resolve())
    if imagery.get("template"):
        return str(imagery["template"])
    return f"{imagery.get('type', '')}:{imagery.get('layer', '')}"


def imagery_id(description: dict[str, Any]) -> str:
    """A short id of an imagery for manifests (the same for dataset and review chips of one file)."""
    return hashlib.sha1(imagery_identity(description).encode(), usedforsecurity=False).hexdigest()[:10]
