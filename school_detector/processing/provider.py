"""The Processing provider; registered at initGui, removed at unload."""

from __future__ import annotations

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..paths import icon_path


class SchoolDetectorProvider(QgsProcessingProvider):
    def id(self) -> str:
        return "school_detector"

    def name(self) -> str:
        return "School detector"

    def icon(self) -> QIcon:
        return QIcon(icon_path("icon"))

    def loadAlgorithms(self) -> None:  # noqa: N802 (QGIS API)
        from .build_dataset_algorithm import BuildDatasetAlgorithm
        from .review_algorithms import AddReviewedAlgorithm, ExportReviewedAlgorithm
        from .scan_algorithm import ScanAlgorithm
        from .train_algorithm import TrainAlgorithm

        for algorithm in (
            BuildDatasetAlgorithm(),
            TrainAlgorithm(),
            ScanAlgorithm(),
            ExportReviewedAlgorithm(),
            AddReviewedAlgorithm(),
        ):
            self.addAlgorithm(algorithm)
