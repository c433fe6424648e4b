"""Processing: Scan for schools (the same scanner as the dialog: QGIS rendering + local server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qgis.core import (
    QgsFeatureRequest,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
)
from qgis.PyQt.QtCore import QCoreApplication

from ..core.cover import Polygon, polygons_to_3857
from ..core.errors import JobCancelled
from ..core.model_card import ModelCard
from ..imagery.png import png_bytes
from ..qgis_io.layer_source import QgisLayerSource
from ..qgis_io.region import to_3857
from ..scan.region import extent_polygon
from ..scan.scanner import ScanSettings, scan
from ..scan.store import ResultStore
from ..serving.client import Endpoint, ServingClient
from ..serving.predictor import RestPredictor
from ..settings import current_runtime
from ..tasks.local_server import LocalServer
from .base import SchoolDetectorAlgorithm, feedback_reporter


def tr(text: str) -> str:
    return QCoreApplication.translate("ScanAlgorithm", text)


class ScanAlgorithm(SchoolDetectorAlgorithm):
    REGION, MODEL, THRESHOLD, RESUME, OUTPUT = "REGION", "MODEL", "THRESHOLD", "RESUME", "OUTPUT"
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
            "and candidate_footprints. With 'Resume', tiles already in the file are skipped."
        )

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802 (QGIS API)
        self.addParameter(QgsProcessingParameterRasterLayer(self.IMAGERY, tr("Imagery")))
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.REGION,
                tr("Region polygons (empty: the imagery's extent)"),
                [QgsProcessing.TypeVectorPolygon],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFile(self.MODEL, tr("Model folder"), behavior=QgsProcessingParameterFile.Folder)
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.THRESHOLD,
                tr("Threshold (-1: the model card's)"),
                QgsProcessingParameterNumber.Double,
                -1.0,
                False,
                -1.0,
                1.0,
            )
        )
        self.addParameter(QgsProcessingParameterBoolean(self.RESUME, tr("Resume an existing results file"), True))
        self.addParameter(QgsProcessingParameterFileDestination(self.OUTPUT, tr("Results"), "GeoPackage (*.gpkg)"))
        self.addOutput(QgsProcessingOutputNumber(self.TILES, tr("Tiles")))
        self.addOutput(QgsProcessingOutputNumber(self.CANDIDATES, tr("Candidates")))

    def _process(self, parameters: dict[str, Any], context: Any, feedback: Any) -> dict[str, Any]:
        card = ModelCard.read(Path(self.parameterAsFile(parameters, self.MODEL, context)))
        imagery = self.imagery(context)
        source = QgisLayerSource(imagery)
        region = self.parameterAsSource(parameters, self.REGION, context)
        polygons: list[Polygon]
        if region is not None:
            raw = []
            for f in region.getFeatures(QgsFeatureRequest()):
                g = f.geometry()
                for part in g.asMultiPolygon() if g.isMultipart() else [g.asPolygon()]:
                    raw.append([[(p.x(), p.y()) for p in ring] for ring in part])
            if not raw:
                raise QgsProcessingException(tr("The region layer has no polygons."))
            polygons = polygons_to_3857(raw, to_3857(region.sourceCrs()))
        else:
            extent = source.extent_3857()
            if extent is None:
                raise QgsProcessingException(tr("A web layer has no extent: give region polygons."))
            polygons = extent_polygon(extent)
        threshold = self.parameterAsDouble(parameters, self.THRESHOLD, context)
        settings = ScanSettings(
            zoom=card.zoom,
            supertile=card.supertile,
            tile_size=card.tile_size,
            threshold=card.threshold if threshold < 0 else threshold,
            workers=1,
        )
        python = current_runtime().python
        if python is None:
            raise QgsProcessingException(tr("The ML runtime is not set up: School detector > Settings…"))
        out = Path(self.parameterAsFileOutput(parameters, self.OUTPUT, context))
        if out.exists() and not self.parameterAsBool(parameters, self.RESUME, context):
            raise QgsProcessingException(tr("{out} exists; tick Resume or choose a new file.").format(out=out))
        server = LocalServer()
        store = None
        try:
            feedback.pushInfo(tr("Starting the model server in the ML runtime…"))
            url = server.ensure(python, Path(self.parameterAsFile(parameters, self.MODEL, context)))
            predictor = RestPredictor(ServingClient(Endpoint(url, card.name)))
            store = ResultStore(out, card.model_id, settings.threshold)
            res = scan(
                source,
                predictor,
                store,
                polygons,
                settings,
                feedback_reporter(feedback),
                cancelled=feedback.isCanceled,
                encode=png_bytes,
            )
        except JobCancelled:
            feedback.reportError(tr("Cancelled; finished batches are saved (resume to continue)."))
            return {self.OUTPUT: str(out), self.TILES: 0, self.CANDIDATES: 0}
        finally:
            if store is not None:
                store.close()
            server.stop()
        feedback.pushInfo(tr("{c} candidates in {n} tiles").format(c=res["candidates"], n=res["tiles"]))
        return {self.OUTPUT: str(out), self.TILES: res["tiles"], self.CANDIDATES: res["candidates"]}
