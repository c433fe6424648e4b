"""Processing: Train classifier (the CLI's ``train`` in the ML runtime: TF never loads in QGIS)."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    QgsProcessingOutputFolder,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
)
from qgis.PyQt.QtCore import QCoreApplication

from ..core.training import BACKBONE_KEYS, TrainConfig
from ..qgis_compat import FILE_FOLDER, NUMBER_INTEGER
from .base import SchoolDetectorAlgorithm, run_runtime_cli

#: the start weights a Processing enum offers (a local file is its own parameter)
WEIGHTS = ("imagenet", "none")
#: Processing parameter -> TrainConfig field, for the numbers the algorithm exposes
NUMBERS = (("EPOCHS", "epochs"), ("FINE_TUNE_EPOCHS", "fine_tune_epochs"), ("BATCH_SIZE", "batch_size"))


def tr(text: str) -> str:
    return QCoreApplication.translate("TrainAlgorithm", text)


class TrainAlgorithm(SchoolDetectorAlgorithm):
    DATA, BACKBONE, WEIGHTS, WEIGHTS_FILE = "DATA", "BACKBONE", "WEIGHTS", "WEIGHTS_FILE"
    EPOCHS, FINE_TUNE_EPOCHS, BATCH_SIZE, OUTPUT = "EPOCHS", "FINE_TUNE_EPOCHS", "BATCH_SIZE", "OUTPUT"
    ROC_AUC, THRESHOLD = "ROC_AUC", "THRESHOLD"

    def name(self) -> str:
        return "train"

    def displayName(self) -> str:  # noqa: N802 (QGIS API)
        return tr("Train classifier")

    def group(self) -> str:
        return tr("Training")

    def groupId(self) -> str:  # noqa: N802 (QGIS API)
        return "training"

    def shortHelpString(self) -> str:  # noqa: N802 (QGIS API)
        return tr(
            "Trains a school / not-school classifier on a dataset folder made by 'Build training data' "
            "(transfer learning: a frozen backbone, then fine-tuning), picks the F2 threshold on the "
            "validation split, evaluates on the test split and exports a TF Serving model folder with "
            "model_card.json and report.html. Runs in the ML runtime; Cancel stops after the current batch "
            "and keeps the best checkpoint. Without internet, choose weights 'none' or a local weights file."
        )

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802 (QGIS API)
        self.addParameter(
            QgsProcessingParameterFile(self.DATA, tr("Dataset folder (with dataset.json)"), behavior=FILE_FOLDER)
        )
        defaults = TrainConfig()
        self.addParameter(
            QgsProcessingParameterEnum(
                self.BACKBONE, tr("Backbone"), list(BACKBONE_KEYS), defaultValue=BACKBONE_KEYS.index(defaults.backbone)
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.WEIGHTS, tr("Start weights"), list(WEIGHTS), defaultValue=WEIGHTS.index(defaults.weights)
            )
        )
        self.addParameter(
            QgsProcessingParameterFile(
                self.WEIGHTS_FILE, tr("Local weights file (.h5, overrides 'Start weights')"), optional=True
            )
        )
        labels = {
            "EPOCHS": tr("Epochs with the backbone frozen"),
            "FINE_TUNE_EPOCHS": tr("Fine-tuning epochs"),
            "BATCH_SIZE": tr("Batch size"),
        }
        for key, name in NUMBERS:
            lo, hi = TrainConfig.limits(name)
            self.addParameter(
                QgsProcessingParameterNumber(key, labels[key], NUMBER_INTEGER, getattr(defaults, name), False, lo, hi)
            )
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT, tr("Model folder")))
        self.addOutput(QgsProcessingOutputNumber(self.ROC_AUC, tr("Test ROC AUC")))
        self.addOutput(QgsProcessingOutputNumber(self.THRESHOLD, tr("Decision threshold")))
        self.addOutput(QgsProcessingOutputFolder("MODEL_DIR", tr("Model folder")))

    def config(self, parameters: dict[str, Any], context: Any) -> TrainConfig:
        """The TrainConfig these parameters stand for (the others keep TrainConfig's defaults)."""
        weights = (
            self.parameterAsFile(parameters, self.WEIGHTS_FILE, context)
            or WEIGHTS[self.parameterAsEnum(parameters, self.WEIGHTS, context)]
        )
        numbers = {name: self.parameterAsInt(parameters, key, context) for key, name in NUMBERS}
        backbone = BACKBONE_KEYS[self.parameterAsEnum(parameters, self.BACKBONE, context)]
        return TrainConfig(backbone=backbone, weights=weights, **numbers).resolved().validate()

    def _process(self, parameters: dict[str, Any], context: Any, feedback: Any) -> dict[str, Any]:
        out = self.parameterAsString(parameters, self.OUTPUT, context)
        args = self.config(parameters, context).to_argv(self.parameterAsFile(parameters, self.DATA, context), out)
        result = run_runtime_cli(tr("Train classifier"), args, feedback)
        test = result.get("metrics") or {}
        card = result.get("card") or {}
        feedback.pushInfo(
            tr("Model {m}: test ROC AUC {auc}, threshold {t}; report: {r}").format(
                m=out, auc=test.get("roc_auc"), t=card.get("threshold"), r=f"{out}/report.html"
            )
        )
        return {
            self.OUTPUT: out,
            "MODEL_DIR": out,
            self.ROC_AUC: test.get("roc_auc"),
            self.THRESHOLD: card.get("threshold"),
        }
