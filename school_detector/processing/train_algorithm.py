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

from .base import SchoolDetectorAlgorithm, run_runtime_cli

BACKBONES = ("mobilenetv2", "xception", "tiny")
WEIGHTS = ("imagenet", "none")


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
            QgsProcessingParameterFile(
                self.DATA, tr("Dataset folder (with dataset.json)"), behavior=QgsProcessingParameterFile.Folder
            )
        )
        self.addParameter(QgsProcessingParameterEnum(self.BACKBONE, tr("Backbone"), list(BACKBONES), defaultValue=0))
        self.addParameter(QgsProcessingParameterEnum(self.WEIGHTS, tr("Start weights"), list(WEIGHTS), defaultValue=0))
        self.addParameter(
            QgsProcessingParameterFile(
                self.WEIGHTS_FILE, tr("Local weights file (.h5, overrides 'Start weights')"), optional=True
            )
        )
        for key, label, default, top in (
            (self.EPOCHS, tr("Epochs with the backbone frozen"), 5, 500),
            (self.FINE_TUNE_EPOCHS, tr("Fine-tuning epochs"), 5, 500),
            (self.BATCH_SIZE, tr("Batch size"), 32, 1024),
        ):
            self.addParameter(
                QgsProcessingParameterNumber(
                    key, label, QgsProcessingParameterNumber.Integer, default, minValue=0 if "EPOCHS" in key else 1,
                    maxValue=top,
                )
            )  # fmt: skip
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT, tr("Model folder")))
        self.addOutput(QgsProcessingOutputNumber(self.ROC_AUC, tr("Test ROC AUC")))
        self.addOutput(QgsProcessingOutputNumber(self.THRESHOLD, tr("Decision threshold")))
        self.addOutput(QgsProcessingOutputFolder("MODEL_DIR", tr("Model folder")))

    def _process(self, parameters: dict[str, Any], context: Any, feedback: Any) -> dict[str, Any]:
        out = self.parameterAsString(parameters, self.OUTPUT, context)
        weights = (
            self.parameterAsFile(parameters, self.WEIGHTS_FILE, context)
            or WEIGHTS[self.parameterAsEnum(parameters, self.WEIGHTS, context)]
        )
        args = [
            "train",
            "--data",
            self.parameterAsFile(parameters, self.DATA, context),
            "--model",
            BACKBONES[self.parameterAsEnum(parameters, self.BACKBONE, context)],
            "--weights",
            weights,
            "--epochs",
            str(self.parameterAsInt(parameters, self.EPOCHS, context)),
            "--fine-tune-epochs",
            str(self.parameterAsInt(parameters, self.FINE_TUNE_EPOCHS, context)),
            "--batch-size",
            str(self.parameterAsInt(parameters, self.BATCH_SIZE, context)),
            "--out",
            out,
        ]
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
