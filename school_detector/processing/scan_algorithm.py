"""Processing: Scan for schools. The one scan job (scan.job) with the dialog's predictor:
QGIS renders the imagery, the local model server in the ML runtime scores it. The results file
records the scan like the dialog's, so the review panel treats both alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qgis.core import (
    QgsFeatureRequest,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterMapLayer,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterVectorLayer,
)
from qgis.PyQt.QtCore import QCoreApplication

from ..core.errors import JobCancelled
from ..core.model_card import ModelCard
from ..qgis_compat import FILE_FOLDER, NUMBER_DOUBLE, SOURCE_VECTOR_POINT, SOURCE_VECTOR_POLYGON
from ..qgis_io.layer_source import QgisLayerSource
from ..qgis_io.places import buildings_from_layer, known_from_layer
from ..qgis_io.region import features_region
from ..scan.job import PredictorSpec, ScanJob, ScanRequest
from ..settings import PluginSettings, current_runtime
from .base import SchoolDetectorAlgorithm, feedback_reporter


def tr(text: str) -> str:
    return QCoreApplication.translate("ScanAlgorithm", text)


class ScanAlgorithm(SchoolDetectorAlgorithm):
    REGION, MODEL, THRESHOLD, RESUME, OUTPUT = "REGION", "MODEL", "THRESHOLD", "RESUME", "OUTPUT"
    TRUST_MODEL, KNOWN, BUILDINGS = "TRUST_MODEL", "KNOWN_SCHOOLS", "BUILDINGS"
    TRAINING_SCHOOLS = "TRAINING_SCHOOLS"
    TILES, CANDIDATES = "TILES", "CANDIDATES"

    def name(self) -> str:
        return "scan"

    def displayName(self) -> str:  # noqa: N802 (QGIS API)
        return tr("Scan for schools")

    def group(self) -> str:
        return tr("Scanning")

    def groupId(self) -> str:  # noqa: N802 (QGIS API)
        return "scanning"

    def shortHelpString(self) -> str:  # noqa: N802 (QGIS API)
        return tr(
            "Scores every web-mercator tile of the region (polygons, or the imagery's extent) with a trained "
            "model, running it in the ML runtime, and writes a results GeoPackage: tile_scores, candidates "
            "and candidate_footprints. Each candidate's point is where the model places the school. Candidates "
            "on known schools are set aside ('known'), tiles without a building are skipped, and candidates "
            "outside the region's polygons are left out. An existing results file is replaced, unless 'Resume' is "
            "ticked: then the tiles already in it are skipped (refused if it holds a scan by another model, chip "
            "size or imagery)."
        )

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802 (QGIS API)
        self.addParameter(QgsProcessingParameterRasterLayer(self.IMAGERY, tr("Imagery")))
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.REGION,
                tr("Region polygons (empty: the imagery's extent)"),
                [SOURCE_VECTOR_POLYGON],
                optional=True,
            )
        )
        self.addParameter(QgsProcessingParameterFile(self.MODEL, tr("Model folder"), behavior=FILE_FOLDER))
        self.addParameter(
            QgsProcessingParameterNumber(
                self.THRESHOLD,
                tr("Threshold (-1: the model card's)"),
                NUMBER_DOUBLE,
                -1.0,
                False,
                -1.0,
                1.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterVectorLayer(
                self.KNOWN,
                tr("Known schools (candidates on them are set aside; a 'label' field: its 'school' features)"),
                [SOURCE_VECTOR_POINT, SOURCE_VECTOR_POLYGON],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.TRAINING_SCHOOLS,
                tr("The schools of the model's dataset count as known (when it is on this computer)"),
                True,
            )
        )
        self.addParameter(
            QgsProcessingParameterMapLayer(
                self.BUILDINGS,
                tr("Buildings (footprints, points or a built-up raster): tiles without one are not scanned"),
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.TRUST_MODEL,
                tr("Trust this model folder (loading a model runs its code; needed once per folder)"),
                False,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.RESUME, tr("Resume an existing results file (else it is replaced)"), False
            )
        )
        self.addParameter(QgsProcessingParameterFileDestination(self.OUTPUT, tr("Results"), "GeoPackage (*.gpkg)"))
        self.addOutput(QgsProcessingOutputNumber(self.TILES, tr("Tiles")))
        self.addOutput(QgsProcessingOutputNumber(self.CANDIDATES, tr("Candidates")))

    def _process(self, parameters: dict[str, Any], context: Any, feedback: Any) -> dict[str, Any]:
        job = ScanJob(self.request(parameters, context))
        feedback.pushInfo(tr("Starting the model server in the ML runtime…"))
        try:
            res = job.run(feedback_reporter(feedback), feedback.isCanceled)
        except JobCancelled:
            feedback.reportError(tr("Cancelled; finished batches are saved (resume to continue)."))
            return {self.OUTPUT: str(job.request.out), self.TILES: 0, self.CANDIDATES: 0}
        feedback.pushInfo(tr("{c} candidates in {n} tiles").format(c=res["candidates"], n=res["tiles"]))
        return {self.OUTPUT: str(job.request.out), self.TILES: res["tiles"], self.CANDIDATES: res["candidates"]}

    def request(self, parameters: dict[str, Any], context: Any) -> ScanRequest:
        model_dir = Path(self.parameterAsFile(parameters, self.MODEL, context))
        ModelCard.read(model_dir)  # a folder that is no model is said first, before the runtime
        python = current_runtime().python
        if python is None:
            raise QgsProcessingException(tr("The ML runtime is not set up: School detector > Settings…"))
        settings = PluginSettings.load()
        if self.parameterAsBool(parameters, self.TRUST_MODEL, context) and not settings.trusts(model_dir):
            settings.trust(model_dir)
            settings.save()
        region = self.parameterAsSource(parameters, self.REGION, context)
        resume = self.parameterAsBool(parameters, self.RESUME, context)
        threshold = self.parameterAsDouble(parameters, self.THRESHOLD, context)
        known = self.parameterAsVectorLayer(parameters, self.KNOWN, context)
        buildings = self.parameterAsLayer(parameters, self.BUILDINGS, context)
        return ScanRequest(
            QgisLayerSource(self.imagery(context)),
            Path(self.parameterAsFileOutput(parameters, self.OUTPUT, context)),
            PredictorSpec("local", model_dir, python=python),
            polygons=None
            if region is None
            else features_region(region.getFeatures(QgsFeatureRequest()), region.sourceCrs(), tr("The region layer")),
            region="imagery extent" if region is None else "region polygons",
            threshold=None if threshold < 0 else threshold,
            workers=1,
            resume=resume,
            overwrite=not resume,  # QGIS asked "replace?" when the file was chosen
            trusted=lambda folder: PluginSettings.load().trusts(folder),
            known=None if known is None else known_from_layer(known),
            training_schools=self.parameterAsBool(parameters, self.TRAINING_SCHOOLS, context),
            buildings=None if buildings is None else buildings_from_layer(buildings),
        )
