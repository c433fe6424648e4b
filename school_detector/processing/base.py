"""What our Processing algorithms share: the imagery layer cloned on the main thread into the
context's temporary store (freed there, whatever happens), and our typed errors shown as
Processing errors."""

from __future__ import annotations

from typing import Any

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException, QgsRasterLayer
from qgis.PyQt.QtCore import QCoreApplication

from ..core.errors import SchoolDetectorError


class SchoolDetectorAlgorithm(QgsProcessingAlgorithm):
    IMAGERY = "IMAGERY"

    def createInstance(self) -> SchoolDetectorAlgorithm:  # noqa: N802 (QGIS API)
        return type(self)()

    def prepareAlgorithm(self, parameters: dict[str, Any], context: Any, feedback: Any) -> bool:  # noqa: N802
        layer = self.parameterAsRasterLayer(parameters, self.IMAGERY, context)
        if layer is None:
            raise QgsProcessingException(QCoreApplication.translate("SchoolDetector", "Choose an imagery layer."))
        clone = layer.clone()
        context.temporaryLayerStore().addMapLayer(clone)
        self._imagery_id = clone.id()
        return True

    def imagery(self, context: Any) -> QgsRasterLayer:
        return context.temporaryLayerStore().mapLayer(self._imagery_id)

    def processAlgorithm(self, parameters: dict[str, Any], context: Any, feedback: Any) -> dict[str, Any]:  # noqa: N802
        try:
            return self._process(parameters, context, feedback)
        except SchoolDetectorError as exc:
            raise QgsProcessingException(exc.message) from None

    def _process(self, parameters: dict[str, Any], context: Any, feedback: Any) -> dict[str, Any]:
        raise NotImplementedError
