"""Processing: export reviewed candidates and add them to the training data (the active-learning
step), the same code as the review panel's buttons and the CLI's ``export``/``add-reviewed``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterRasterLayer,
)
from qgis.PyQt.QtCore import QCoreApplication

from ..core.errors import InputError
from ..core.results import ReviewStatus
from ..qgis_compat import FILE_FOLDER
from ..qgis_io.layer_source import QgisLayerSource, qimage_save_png
from ..review.add_reviewed import add_reviewed
from ..review.export import export
from .base import SchoolDetectorAlgorithm, feedback_reporter

STATUSES = tuple(s.value for s in ReviewStatus)
FORMATS = {".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg", ".csv": "csv"}


def tr(text: str) -> str:
    return QCoreApplication.translate("ReviewAlgorithms", text)


class _ReviewAlgorithm(SchoolDetectorAlgorithm):
    RESULTS = "RESULTS"

    def group(self) -> str:
        return tr("Reviewing")

    def groupId(self) -> str:  # noqa: N802 (QGIS API)
        return "reviewing"

    def add_results_parameter(self) -> None:
        self.addParameter(QgsProcessingParameterFile(self.RESULTS, tr("Scan results (GeoPackage)"), extension="gpkg"))


class ExportReviewedAlgorithm(_ReviewAlgorithm):
    STATUS, FOOTPRINT, ONE_PER_PLACE, OUTPUT = "STATUS", "FOOTPRINT", "ONE_PER_PLACE", "OUTPUT"
    EXPORTED, PRECISION = "EXPORTED", "REVIEW_PRECISION"

    def name(self) -> str:
        return "exportreviewed"

    def displayName(self) -> str:  # noqa: N802 (QGIS API)
        return tr("Export reviewed candidates")

    def shortHelpString(self) -> str:  # noqa: N802 (QGIS API)
        return tr(
            "Writes the candidates with the chosen review statuses (confirmed schools by default) to "
            "GeoJSON, GeoPackage or CSV (by the output's extension): lon/lat or the tile polygon, score, "
            "status, reviewer, time and model. 'One per place' merges touching tiles of one status into one "
            "school. Also reports the model's precision as measured by the review."
        )

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802 (QGIS API)
        self.add_results_parameter()
        self.addParameter(
            QgsProcessingParameterEnum(
                self.STATUS, tr("Statuses"), list(STATUSES), allowMultiple=True, defaultValue=[1]
            )
        )
        self.addParameter(QgsProcessingParameterBoolean(self.FOOTPRINT, tr("Tile polygons instead of points"), False))
        self.addParameter(
            QgsProcessingParameterBoolean(self.ONE_PER_PLACE, tr("One per place (touching tiles)"), False)
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.OUTPUT, tr("Output file"), tr("GeoJSON (*.geojson);;GeoPackage (*.gpkg);;CSV (*.csv)")
            )
        )
        self.addOutput(QgsProcessingOutputNumber(self.EXPORTED, tr("Exported")))
        self.addOutput(QgsProcessingOutputNumber(self.PRECISION, tr("Precision measured by the review")))

    def _process(self, parameters: dict[str, Any], context: Any, feedback: Any) -> dict[str, Any]:
        out = Path(self.parameterAsFileOutput(parameters, self.OUTPUT, context))
        fmt = FORMATS.get(out.suffix.lower())
        if fmt is None:
            raise InputError(f"Export to .geojson, .gpkg or .csv, not {out.suffix or 'a file without extension'}.")
        statuses = [STATUSES[i] for i in self.parameterAsEnums(parameters, self.STATUS, context)]
        result = export(
            Path(self.parameterAsFile(parameters, self.RESULTS, context)),
            out,
            fmt,
            statuses,
            self.parameterAsBool(parameters, self.FOOTPRINT, context),
            self.parameterAsBool(parameters, self.ONE_PER_PLACE, context),
        )
        feedback.pushInfo(
            tr("{n} exported; {c} confirmed, {r} rejected, {u} unsure, {o} unreviewed").format(
                n=result["exported"], c=result["confirmed"], r=result["rejected"], u=result["unsure"],
                o=result["unreviewed"],
            )
        )  # fmt: skip
        return {self.OUTPUT: str(out), self.EXPORTED: result["exported"], self.PRECISION: result["review_precision"]}


class AddReviewedAlgorithm(_ReviewAlgorithm):
    DATA, ADDED, VERSION = "DATA", "ADDED", "DATASET_VERSION"

    def name(self) -> str:
        return "addreviewed"

    def displayName(self) -> str:  # noqa: N802 (QGIS API)
        return tr("Add reviewed to training data")

    def shortHelpString(self) -> str:  # noqa: N802 (QGIS API)
        return tr(
            "The active-learning step: confirmed candidates become 'school' chips and rejected ones "
            "'not-school' hard negatives in an existing dataset folder, rendered from the imagery the scan "
            "used, with the dataset's own chip geometry and split rules and no duplicates; dataset.json "
            "gets a new version."
        )

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802 (QGIS API)
        self.add_results_parameter()
        self.addParameter(QgsProcessingParameterRasterLayer(self.IMAGERY, tr("Imagery the scan used")))
        self.addParameter(
            QgsProcessingParameterFile(self.DATA, tr("Dataset folder (with dataset.json)"), behavior=FILE_FOLDER)
        )
        self.addOutput(QgsProcessingOutputNumber(self.ADDED, tr("Chips added")))
        self.addOutput(QgsProcessingOutputNumber(self.VERSION, tr("Dataset version")))

    def _process(self, parameters: dict[str, Any], context: Any, feedback: Any) -> dict[str, Any]:
        source = QgisLayerSource(self.imagery(context))
        try:
            result = add_reviewed(
                Path(self.parameterAsFile(parameters, self.RESULTS, context)),
                source,
                Path(self.parameterAsFile(parameters, self.DATA, context)),
                save_png=qimage_save_png,
                reporter=feedback_reporter(feedback),
                cancelled=feedback.isCanceled,
            )
        finally:
            source.close()
        feedback.pushInfo(
            tr("Added {n} chips {labels}; dataset version {v}").format(
                n=result["added"], labels=result["by_label"], v=result["dataset_version"]
            )
        )
        return {self.ADDED: result["added"], self.VERSION: result["dataset_version"]}
