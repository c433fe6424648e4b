"""Build a chip dataset from a QGIS raster layer, in a QgsTask (no ML runtime needed).

The dialog reads the label layers on the main thread and hands over plain points plus a
clone of the imagery layer; the task renders chips with QGIS and writes the same dataset
folder the CLI writes (core planning + dataset.builder)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qgis.core import QgsRasterLayer

from ..core.chip_plan import LabeledPoint
from ..core.errors import NoChipsError
from ..dataset.builder import BuildOptions, build_dataset
from ..qgis_io.layer_source import QgisLayerSource, qimage_save_png
from .in_process import InProcessTask


@dataclass
class BuildParams:
    """Everything the task needs; built by the dialog or the Processing algorithm."""

    points: list[LabeledPoint]
    imagery: QgsRasterLayer  # a clone, owned by the task
    out_dir: Path
    options: BuildOptions
    add_footprints: bool = True
    unlabeled: int = 0


class BuildDatasetTask(InProcessTask):
    def __init__(self, params: BuildParams) -> None:
        super().__init__("Build training data", "chips")
        self.params = params

    def finished(self, result: bool) -> None:
        """Main thread: let go of the imagery layer clone here, not in the worker thread, and
        before QGIS exits (a layer outliving QGIS crashes it)."""
        self.params.imagery = None  # type: ignore[assignment]

    def run(self) -> bool:
        try:
            source = QgisLayerSource(self.params.imagery)
            reporter = self.reporter()
            try:
                self.result_data = build_dataset(
                    self.params.points,
                    source,
                    self.params.out_dir,
                    self.params.options,
                    reporter,
                    cancelled=self.isCanceled,
                    save_png=qimage_save_png,
                    source_notes={"unlabeled_features": self.params.unlabeled},
                )
            except NoChipsError as exc:
                if source.describe()["type"] in ("qgis-xyz", "qgis-wms"):
                    exc.message += " The imagery layer drew nothing: is its server reachable from this computer?"
                raise
            return True
        except Exception as exc:  # noqa: BLE001 - stored, never raised out of run()
            self.capture(exc, "Building the dataset")
        return False
