"""Train classifier…: dataset folder -> model folder, trained in the ML runtime with live curves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qgis.gui import QgsCollapsibleGroupBox, QgsFileWidget
from qgis.PyQt.QtCore import QCoreApplication, QUrl
from qgis.PyQt.QtGui import QDesktopServices
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.dataset import SPLITS
from ..core.errors import InputError
from ..notify import error_text, report_info
from ..settings import PluginSettings
from ..tasks.registry import TaskRegistry
from ..tasks.runtime_job import RuntimeJobTask, format_eta
from ..translation import N_
from .plot_widget import CurvePlot

BACKBONES = (
    ("mobilenetv2", N_("MobileNetV2 (recommended: ~4x faster)")),
    ("xception", N_("Xception (slower, a bit more accurate)")),
    ("tiny", N_("Tiny CNN (from scratch; quick CPU experiments)")),
)
WEIGHTS = (
    ("imagenet", N_("ImageNet (downloaded once)")),
    ("none", N_("None (train from scratch)")),
    ("file", N_("Local file… (offline)")),
)


def tr(text: str) -> str:
    return QCoreApplication.translate("TrainDialog", text)


def dataset_summary(folder: Path) -> tuple[str, list[str]]:
    """Counts per split and class, and warnings a mapper should see before spending an hour."""
    info_path = folder / "dataset.json"
    counts: dict[str, dict[str, int]] = {}
    warnings: list[str] = []
    if info_path.is_file():
        try:
            info = json.loads(info_path.read_text(encoding="utf-8"))
            counts = info.get("counts", {})
            if not info.get("complete", True):
                warnings.append(
                    tr("The dataset build did not finish; build again into the same folder to complete it.")
                )
        except (OSError, json.JSONDecodeError):
            warnings.append(tr("dataset.json is unreadable; counting files instead."))
    if not counts:
        from ..dataset.builder import read_dataset_folder

        try:
            found = read_dataset_folder(folder)
        except InputError as exc:
            return exc.message, [exc.message]
        counts = {s: {c: len(files) for c, files in classes.items()} for s, classes in found.items()}
    for split in ("train", "valid"):
        c = counts.get(split, {})
        if not c.get("school") or not c.get("not-school"):
            warnings.append(
                tr("{split}/ lacks a class: training needs schools and not-schools in it.").format(split=split)
            )
    train = counts.get("train", {})
    pos, neg = train.get("school", 0), train.get("not-school", 0)
    if pos and neg and max(pos, neg) / min(pos, neg) > 10:
        warnings.append(
            tr(
                "Classes are imbalanced ({p} schools : {n} not-schools); class weights compensate, but "
                "more of the rarer class helps."
            ).format(p=pos, n=neg)
        )
    if 0 < pos < 50:
        warnings.append(tr("Only {p} school chips to train on: expect a weak model; 200+ is better.").format(p=pos))
    text = "; ".join(
        f"{s}: {counts[s].get('school', 0)} school / {counts[s].get('not-school', 0)} not-school"
        for s in SPLITS
        if s in counts
    )
    return text, warnings


class TrainDialog(QDialog):
    def __init__(self, iface: Any, tasks: TaskRegistry, python: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.iface = iface
        self.tasks = tasks
        self.python = Path(python)
        self.current_task: RuntimeJobTask | None = None
        self.last_result: dict[str, Any] | None = None
        self.setWindowTitle(tr("School detector — Train classifier"))
        self.setMinimumWidth(600)
        self._build()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        box = QGroupBox(tr("Data and model"))
        form = QFormLayout(box)
        self.data_widget = QgsFileWidget()
        self.data_widget.setStorageMode(QgsFileWidget.GetDirectory)
        self.data_widget.fileChanged.connect(self._on_data_changed)
        form.addRow(tr("Dataset folder:"), self.data_widget)
        self.counts_label = QLabel(
            tr(
                "Choose a folder made by 'Build training data…' (or any train/valid/test "
                "folder with school/ and not-school/)."
            )
        )
        self.counts_label.setWordWrap(True)
        form.addRow(self.counts_label)
        self.warnings_label = QLabel()
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setStyleSheet("color: #a15c00;")
        form.addRow(self.warnings_label)
        self.backbone_combo = QComboBox()
        for key, text in BACKBONES:
            self.backbone_combo.addItem(tr(text), key)
        self.backbone_combo.currentIndexChanged.connect(self._on_backbone_changed)
        form.addRow(tr("Backbone:"), self.backbone_combo)
        row = QHBoxLayout()
        self.weights_combo = QComboBox()
        for key, text in WEIGHTS:
            self.weights_combo.addItem(tr(text), key)
        self.weights_combo.currentIndexChanged.connect(self._on_weights_changed)
        self.weights_file = QgsFileWidget()
        self.weights_file.setFilter("Keras weights (*.h5 *.weights.h5)")
        self.weights_file.setEnabled(False)
        row.addWidget(self.weights_combo)
        row.addWidget(self.weights_file, 1)
        form.addRow(tr("Weights:"), row)
        row = QHBoxLayout()
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(0, 500)
        self.epochs_spin.setValue(5)
        self.fine_spin = QSpinBox()
        self.fine_spin.setRange(0, 500)
        self.fine_spin.setValue(5)
        row.addWidget(QLabel(tr("frozen")))
        row.addWidget(self.epochs_spin)
        row.addWidget(QLabel(tr("+ fine-tuning")))
        row.addWidget(self.fine_spin)
        row.addStretch(1)
        form.addRow(tr("Epochs:"), row)
        self.out_widget = QgsFileWidget()
        self.out_widget.setStorageMode(QgsFileWidget.GetDirectory)
        form.addRow(tr("Model folder:"), self.out_widget)
        layout.addWidget(box)

        advanced = QgsCollapsibleGroupBox(tr("Advanced"))
        advanced.setCollapsed(True)
        grid = QGridLayout(advanced)
        self.batch_spin = self._spin(1, 1024, 32)
        self.size_spin = self._spin(0, 1024, 0)
        self.size_spin.setSpecialValueText(tr("auto"))
        self.layers_spin = self._spin(0, 1000, 40)
        self.layers_spin.setToolTip(tr("Top backbone layers unfrozen for fine-tuning (0: all)"))
        self.patience_spin = self._spin(1, 100, 4)
        self.seed_spin = self._spin(0, 999999, 0)
        self.lr_spin = QDoubleSpinBox()
        self.lr_spin.setDecimals(6)
        self.lr_spin.setRange(1e-6, 1.0)
        self.lr_spin.setValue(1e-3)
        self.ft_lr_spin = QDoubleSpinBox()
        self.ft_lr_spin.setDecimals(7)
        self.ft_lr_spin.setRange(1e-7, 1.0)
        self.ft_lr_spin.setValue(1e-5)
        self.name_edit = QLineEdit("schools")
        self.augment_check = QCheckBox(tr("Augment (flips, rotations, brightness/contrast)"))
        self.augment_check.setChecked(True)
        for i, (label, widget) in enumerate(
            (
                (tr("Batch size"), self.batch_spin),
                (tr("Input size"), self.size_spin),
                (tr("Fine-tune layers"), self.layers_spin),
                (tr("Early-stop patience"), self.patience_spin),
                (tr("Learning rate"), self.lr_spin),
                (tr("Fine-tune learning rate"), self.ft_lr_spin),
                (tr("Seed"), self.seed_spin),
                (tr("Model name"), self.name_edit),
            )
        ):
            grid.addWidget(QLabel(label), i // 2, 2 * (i % 2))
            grid.addWidget(widget, i // 2, 2 * (i % 2) + 1)
        grid.addWidget(self.augment_check, 4, 0, 1, 4)
        layout.addWidget(advanced)

        self.plot = CurvePlot()
        layout.addWidget(self.plot, 1)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        layout.addWidget(self.progress)
        self.status_label = QLabel(tr("Training runs in the ML runtime; QGIS stays responsive."))
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        buttons = QHBoxLayout()
        self.report_button = QPushButton(tr("Open report"))
        self.report_button.setEnabled(False)
        self.report_button.clicked.connect(self.open_report)
        self.use_button = QPushButton(tr("Use this model for scanning"))
        self.use_button.setEnabled(False)
        self.use_button.clicked.connect(self.use_model)
        self.train_button = QPushButton(tr("Train"))
        self.train_button.setDefault(True)
        self.train_button.clicked.connect(self.start)
        self.cancel_button = QPushButton(tr("Cancel job"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.setToolTip(tr("Stops after the current batch; the best checkpoint is kept"))
        self.cancel_button.clicked.connect(self.cancel_job)
        close = QPushButton(tr("Close"))
        close.clicked.connect(self.reject)
        for b in (self.report_button, self.use_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        for b in (self.train_button, self.cancel_button, close):
            buttons.addWidget(b)
        layout.addLayout(buttons)

    @staticmethod
    def _spin(lo: int, hi: int, value: int) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(lo, hi)
        spin.setValue(value)
        return spin

    def _on_backbone_changed(self) -> None:
        """The tiny CNN has no pretrained weights: show what will really happen."""
        if self.backbone_combo.currentData() == "tiny" and self.weights_combo.currentData() == "imagenet":
            self.weights_combo.setCurrentIndex(self.weights_combo.findData("none"))

    def _on_weights_changed(self) -> None:
        self.weights_file.setEnabled(self.weights_combo.currentData() == "file")

    def _on_data_changed(self) -> None:
        folder = Path(self.data_widget.filePath()) if self.data_widget.filePath() else None
        if folder is None or not folder.is_dir():
            return
        text, warnings = dataset_summary(folder)
        self.counts_label.setText(text)
        self.warnings_label.setText("\n".join(warnings))
        if not self.out_widget.filePath():
            self.out_widget.setFilePath(str(folder.parent / f"{folder.name}_model"))

    def arguments(self) -> list[str]:
        """The ``school-detector train`` command line this dialog stands for."""
        data = self.data_widget.filePath().strip()
        out = self.out_widget.filePath().strip()
        if not data or not Path(data).is_dir():
            raise InputError("Choose the dataset folder (made by 'Build training data…').")
        if not out:
            raise InputError("Choose a folder for the model.")
        weights = self.weights_combo.currentData()
        if weights == "file":
            weights = self.weights_file.filePath().strip()
            if not weights:
                raise InputError("Choose the local weights file, or pick ImageNet or None.")
        if self.backbone_combo.currentData() == "tiny" and weights == "imagenet":
            weights = "none"  # the tiny CNN has no pretrained weights
        if self.epochs_spin.value() + self.fine_spin.value() == 0:
            raise InputError("Set at least one epoch.")
        args = [
            "train",
            "--data",
            data,
            "--out",
            out,
            "--model",
            self.backbone_combo.currentData(),
            "--weights",
            weights,
            "--epochs",
            str(self.epochs_spin.value()),
            "--fine-tune-epochs",
            str(self.fine_spin.value()),
            "--batch-size",
            str(self.batch_spin.value()),
            "--fine-tune-layers",
            str(self.layers_spin.value()),
            "--patience",
            str(self.patience_spin.value()),
            "--learning-rate",
            repr(self.lr_spin.value()),
            "--fine-tune-learning-rate",
            repr(self.ft_lr_spin.value()),
            "--seed",
            str(self.seed_spin.value()),
            "--name",
            self.name_edit.text().strip() or "schools",
        ]
        if self.size_spin.value():
            args += ["--input-size", str(self.size_spin.value())]
        if not self.augment_check.isChecked():
            args.append("--no-augment")
        return args

    def start(self) -> RuntimeJobTask | None:
        try:
            args = self.arguments()
        except InputError as exc:
            self.status_label.setText(exc.message)
            return None
        task = RuntimeJobTask(tr("Train classifier"), self.python, args)
        self.current_task = task
        self.plot.clear()
        task.eventReceived.connect(self._on_event)
        task.progressChanged.connect(lambda p: self.progress.setValue(int(p)))
        task.taskCompleted.connect(self._on_completed)
        task.taskTerminated.connect(self._on_terminated)
        for b in (self.train_button, self.report_button, self.use_button):
            b.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status_label.setText(tr("Starting the ML runtime…"))
        self.tasks.start(task)
        return task

    def _on_event(self, event: Any) -> None:
        if event.event == "metric":
            self.plot.add_epoch(event.data)
            d = event.data
            self.status_label.setText(
                tr("Epoch {e}: loss {l:.3f}, val loss {vl:.3f}, val accuracy {va:.3f}").format(
                    e=d.get("epoch"), l=d.get("loss", 0.0), vl=d.get("val_loss", 0.0), va=d.get("val_accuracy", 0.0)
                )
            )
        elif event.event == "progress":
            d = event.data
            eta = format_eta(d.get("eta_s"))
            if d.get("unit") == "batch":
                self.progress.setFormat(
                    f"%p% · {d.get('done')}/{d.get('total')} batches" + (f" · ETA {eta}" if eta else "")
                )
        elif event.event == "log":
            self.status_label.setText(str(event.data.get("message", "")))

    def _idle(self) -> RuntimeJobTask | None:
        task, self.current_task = self.current_task, None
        self.train_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        return task

    def _on_completed(self) -> None:
        task = self._idle()
        res = (task.result_data if task else None) or {}
        self.last_result = res
        m = res.get("metrics", {})
        card = res.get("card", {})
        text = tr(
            "Model {name} v{v} saved in {dir}. On the {split} split at threshold {t:.2f}: ROC AUC {auc:.3f}, "
            "recall {r:.2f}, precision {p:.2f}."
        ).format(
            name=card.get("name"),
            v=card.get("version"),
            dir=res.get("model_dir"),
            split=m.get("split", "test"),
            t=m.get("threshold", 0.0),
            auc=m.get("roc_auc", 0.0),
            r=m.get("recall", 0.0),
            p=m.get("precision", 0.0),
        )
        self.status_label.setText(text)
        self.progress.setFormat("%p%")
        self.progress.setValue(100)
        self.report_button.setEnabled(bool(res.get("report")))
        self.use_button.setEnabled(bool(res.get("model_dir")))
        report_info(self.iface, text)

    def _on_terminated(self) -> None:
        task = self._idle()
        self.progress.setFormat("%p%")
        if task is not None and task.error is not None:
            self.status_label.setText(error_text(task.error)[0])

    def open_report(self) -> None:
        if self.last_result and self.last_result.get("report"):
            QDesktopServices.openUrl(QUrl.fromLocalFile(self.last_result["report"]))

    def use_model(self) -> None:
        if not self.last_result:
            return
        settings = PluginSettings.load()
        settings.model_dir = self.last_result["model_dir"]
        settings.trust(settings.model_dir)  # trained here: no warning when it is loaded
        settings.save()
        report_info(self.iface, tr("Scans will use {dir}.").format(dir=settings.model_dir))

    def cancel_job(self) -> None:
        if self.current_task is not None:
            self.current_task.cancel()


def open_train(iface: Any, tasks: TaskRegistry, python: Path) -> TrainDialog:
    dialog = TrainDialog(iface, tasks, python, iface.mainWindow() if iface is not None else None)
    dialog.show()
    dialog.raise_()
    return dialog
