"""Project layers that show a file the plugin rewrites (an export, a dataset's chips.gpkg): they
are reloaded after the file is replaced, so the map shows the new content and no second copy of
the layer is added. (Windows refuses the replace while QGIS holds the file; core.files retries,
then says to remove the layer.)"""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsMapLayer, QgsProject, QgsProviderRegistry


def layers_of(path: Path) -> list[QgsMapLayer]:
    """Layers of the current project whose data source is the file ``path``."""
    target = Path(path).resolve()
    found = []
    for layer in QgsProject.instance().mapLayers().values():
        parts = QgsProviderRegistry.instance().decodeUri(layer.providerType(), layer.source())
        source = parts.get("path")
        if source and Path(source).resolve() == target:
            found.append(layer)
    return found


def reload_layers_of(path: Path) -> list[QgsMapLayer]:
    """Reload the layers showing ``path`` after it was replaced; returns them."""
    layers = layers_of(path)
    for layer in layers:
        layer.reload()
        layer.triggerRepaint()
    return layers
