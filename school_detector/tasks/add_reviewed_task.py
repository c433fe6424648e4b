"""Add reviewed candidates to a training dataset from QGIS: chips rendered from a QGIS raster
layer (the one the scan used), written by the same code as the CLI's ``add-reviewed``."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsRasterLayer

from ..qgis_io.layer_source import QgisLayerSource, qimage_save_png
from ..review.add_reviewed import add_reviewed
from .in_process import InProcessTask


class AddReviewedTask(InProcessTask):
    def __init__(self, results: Path, imagery: QgsRasterLayer, data_dir: Path) -> None:
        super().__init__("Add reviewed to training data", "chips")
        self.results = results
        self.imagery: QgsRasterLayer | None = imagery  # a clone, owned by the task
        self.data_dir = data_dir

    def finished(self, result: bool) -> None:
        self.imagery = None  # main thread, before QGIS exits: a layer outliving QGIS crashes it

    def run(self) -> bool:
        if self.imagery is None:  # let go of in finished(): a task runs once
            return False
        try:
            self.result_data = add_reviewed(
                self.results,
                QgisLayerSource(self.imagery),
                self.data_dir,
                save_png=qimage_save_png,
                reporter=self.reporter(),
                cancelled=self.isCanceled,
            )
            return True
        except Exception as exc:  # noqa: BLE001 - stored, never raised out of run()
            self.capture(exc, "Adding reviewed tiles")
        return False
