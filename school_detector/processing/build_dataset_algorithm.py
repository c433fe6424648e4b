"""Processing: Build training data (same engine as the dialog and the CLI)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QCoreApplication

from ..core.chip_plan import CONFLICT_RULES, ChipGeometry, parse_split
from ..core.errors import JobCancelled
from ..dataset.builder import FOOTPRINTS_GPKG, BuildOptions, build_dataset
from ..qgis_compat import NUMBER_DOUBLE, NUMBER_INTEGER, SOURCE_VECTOR_POINT, SOURCE_VECTOR_POLYGON
from ..qgis_io.labels import labels_from_features
from ..qgis_io.layer_source import QgisLayerSource, qimage_save_png
from .base import SchoolDetectorAlgorithm, feedback_reporter


def tr(text: str) -> str:
    return QCoreApplication.translate("BuildDatasetAlgorithm", text)


class BuildDatasetAlgorithm(SchoolDetectorAlgorithm):
    LABELS, FIELD, SCHOOL_VALUES = "LABELS", "FIELD", "SCHOOL_VALUES"
    ZOOM, SUPERTILE, CENTERED, SPLIT, SEED = "ZOOM", "SUPERTILE", "CENTERED", "SPLIT", "SEED"
    CONFLICTS, BACKGROUND, OUTPUT, CHIPS, FOOTPRINTS = "CONFLICTS", "BACKGROUND", "OUTPUT", "CHIPS", "FOOTPRINTS"

    def name(self) -> str:
        return "build_training_data"

    def displayName(self) -> str:  # noqa: N802 (QGIS API)
        return tr("Build training data")

    def group(self) -> str:
        return tr("Training")

    def groupId(self) -> str:  # noqa: N802 (QGIS API)
        return "training"

    def shortHelpString(self) -> str:  # noqa: N802 (QGIS API)
        return tr(
            "Cuts one image chip per labeled web-mercator tile from any raster layer into "
            "OUT/{train,valid,test}/{school,not-school}/z-x-y.png, with manifest.csv, dataset.json "
            "and chips.gpkg. Splits are spatially blocked and reproducible with the seed; a tile "
            "labeled both ways follows the conflict rule. Re-running into the same folder resumes."
        )

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802 (QGIS API)
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.LABELS,
                tr("Labeled points (or polygons)"),
                [SOURCE_VECTOR_POINT, SOURCE_VECTOR_POLYGON],
            )
        )
        self.addParameter(QgsProcessingParameterField(self.FIELD, tr("Class field"), "label", self.LABELS))
        self.addParameter(
            QgsProcessingParameterString(
                self.SCHOOL_VALUES, tr("Values meaning school (comma-separated; others are not-school)"), "school"
            )
        )
        self.addParameter(QgsProcessingParameterRasterLayer(self.IMAGERY, tr("Imagery")))
        self.addParameter(QgsProcessingParameterNumber(self.ZOOM, tr("Zoom"), NUMBER_INTEGER, 18, False, 10, 22))
        self.addParameter(QgsProcessingParameterBoolean(self.SUPERTILE, tr("Supertiles (512 px)"), False))
        self.addParameter(QgsProcessingParameterBoolean(self.CENTERED, tr("Centre chips on the points"), False))
        self.addParameter(QgsProcessingParameterString(self.SPLIT, tr("Split train,valid,test"), "0.7,0.15,0.15"))
        self.addParameter(QgsProcessingParameterNumber(self.SEED, tr("Seed"), NUMBER_INTEGER, 0, False, 0))
        self.addParameter(
            QgsProcessingParameterEnum(self.CONFLICTS, tr("Tile labeled both ways"), list(CONFLICT_RULES), False, 0)
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.BACKGROUND,
                tr("Random background tiles per school"),
                NUMBER_DOUBLE,
                0.0,
                False,
                0.0,
                20.0,
            )
        )
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT, tr("Dataset folder")))
        self.addOutput(QgsProcessingOutputNumber(self.CHIPS, tr("Chips written")))
        self.addOutput(QgsProcessingOutputVectorLayer(self.FOOTPRINTS, tr("Chip footprints")))

    def _process(self, parameters: dict[str, Any], context: Any, feedback: Any) -> dict[str, Any]:
        try:
            source = self.parameterAsSource(parameters, self.LABELS, context)
            if source is None or source.featureCount() == 0:
                raise QgsProcessingException(tr("The labels layer is empty."))
            field = self.parameterAsString(parameters, self.FIELD, context)
            values = [v for v in self.parameterAsString(parameters, self.SCHOOL_VALUES, context).split(",") if v]
            got = labels_from_features(source.getFeatures(), source.sourceCrs(), source.sourceName(), field, values)
            options = BuildOptions(
                geometry=ChipGeometry(
                    zoom=self.parameterAsInt(parameters, self.ZOOM, context),
                    supertile=self.parameterAsBool(parameters, self.SUPERTILE, context),
                    centered=self.parameterAsBool(parameters, self.CENTERED, context),
                ),
                split=parse_split(self.parameterAsString(parameters, self.SPLIT, context)),
                seed=self.parameterAsInt(parameters, self.SEED, context),
                conflict_rule=CONFLICT_RULES[self.parameterAsEnum(parameters, self.CONFLICTS, context)],
                background_ratio=self.parameterAsDouble(parameters, self.BACKGROUND, context),
                workers=1,
            )
            out = Path(self.parameterAsString(parameters, self.OUTPUT, context))
            imagery = self.imagery(context)
            info = build_dataset(
                got.points,
                QgisLayerSource(imagery),
                out,
                options,
                feedback_reporter(feedback),
                cancelled=feedback.isCanceled,
                save_png=qimage_save_png,
            )
        except JobCancelled:
            feedback.reportError(tr("Cancelled; the chips written so far are kept and a re-run resumes."))
            return {self.OUTPUT: str(out), self.CHIPS: 0, self.FOOTPRINTS: None}
        feedback.pushInfo(tr("{n} chips written to {out}").format(n=info["chips"], out=out))
        return {
            self.OUTPUT: str(out),
            self.CHIPS: info["chips"],
            self.FOOTPRINTS: f"{out / FOOTPRINTS_GPKG}|layername=chips",
        }
