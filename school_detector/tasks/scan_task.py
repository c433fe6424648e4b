"""Scan a region from QGIS: the one scan job (scan.job), run in a QgsTask. Chips are rendered
from any QGIS raster layer and scored through the TF Serving REST API (the local server or a
remote TF Serving); progress shows tiles/s and ETA in the task manager."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsRasterLayer

from ..scan.job import ScanJob
from .in_process import InProcessTask


class ScanTask(InProcessTask):
    def __init__(self, job: ScanJob, imagery: QgsRasterLayer) -> None:
        """``imagery``: the clone the job's source renders, owned by the task."""
        super().__init__("Scan for schools", "tiles")
        self.job: ScanJob | None = job
        self.imagery: QgsRasterLayer | None = imagery
        self.out: Path = job.request.out

    def finished(self, result: bool) -> None:
        # main thread, before QGIS exits: let go of the layer clone (the job's source holds it too)
        self.job = None
        self.imagery = None

    def run(self) -> bool:
        if self.job is None:  # let go of in finished(): a task runs once
            return False
        try:
            self.result_data = self.job.run(self.reporter(), self.isCanceled)
            return True
        except Exception as exc:  # noqa: BLE001 - stored, never raised out of run()
            self.capture(exc, "The scan")
        return False
