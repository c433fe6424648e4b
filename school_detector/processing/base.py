"""What our Processing algorithms share: the imagery layer cloned on the main thread into the
context's temporary store (freed there, whatever happens), and our typed errors shown as
Processing errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException, QgsRasterLayer
from qgis.PyQt.QtCore import QCoreApplication

from ..core.errors import RuntimeJobError, SchoolDetectorError
from ..core.progress import LOG, PROGRESS, Event, Reporter
from ..runtime.jobs import describe_progress, run_cli_job


class SchoolDetectorAlgorithm(QgsProcessingAlgorithm):
    IMAGERY = "IMAGERY"

    def createInstance(self) -> SchoolDetectorAlgorithm:  # noqa: N802 (QGIS API)
        return type(self)()

    def prepareAlgorithm(self, parameters: dict[str, Any], context: Any, feedback: Any) -> bool:  # noqa: N802
        if self.parameterDefinition(self.IMAGERY) is None:
            return True  # an algorithm without imagery
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
            if exc.details and feedback is not None:
                feedback.pushDebugInfo(exc.details)  # the log keeps what the message leaves out
            raise QgsProcessingException(exc.message) from None

    def _process(self, parameters: dict[str, Any], context: Any, feedback: Any) -> dict[str, Any]:
        raise NotImplementedError


def feedback_reporter(feedback: Any) -> Reporter:
    """Our progress events as Processing feedback (percent, rate and ETA text, log lines)."""
    return Reporter("callback", sink=feedback_sink(feedback))


def feedback_sink(feedback: Any) -> Callable[[dict[str, Any]], None]:
    def sink(obj: dict[str, Any]) -> None:
        if obj.get("event") == PROGRESS and obj.get("total"):
            feedback.setProgress(100.0 * obj["done"] / obj["total"])
            feedback.setProgressText(describe_progress(str(obj.get("message", "")), obj))
        elif obj.get("event") == LOG:
            feedback.pushInfo(str(obj.get("message", "")))

    return sink


def run_runtime_cli(title: str, args: list[str], feedback: Any) -> dict[str, Any]:
    """One ``school-detector`` command in the ML runtime, followed like a runtime task:
    progress to the feedback; the algorithm's Cancel asks the job to stop on its control channel
    (runtime.process), as the dialogs' Cancel does."""
    from ..settings import current_runtime

    location = current_runtime()
    if not location.found or location.python is None:
        raise RuntimeJobError(
            "The ML runtime is not set up: open School detector > Settings… and click 'Set up ML runtime…' "
            "(or set SCHOOL_DETECTOR_PYTHON).",
            location.describe(),
        )
    sink = feedback_sink(feedback)

    def on_event(event: Event) -> None:
        if event.event in (PROGRESS, LOG):
            sink({"event": event.event, **event.data})

    return run_cli_job(location.python, args, title, on_event, feedback.isCanceled)
