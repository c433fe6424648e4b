"""Train classifier…: dataset folder -> model folder, trained in the ML runtime with live curves.

The dialog collects a core.training.TrainConfig (its defaults, ranges and command line are
the CLI's and Processing's too) and runs ``school-detector train`` as a runtime job."""

from __future__ import annotations

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
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import InputError
from ..core.training import BACKBONES, WEIGHTS, TrainConfig, backbone
from ..dataset.health import dataset_summary, is_dataset_folder
from ..notify import report_info
from ..runtime.jobs import format_eta
from ..settings import PluginSettings
from ..tasks.registry import TaskRegistry
from ..tasks.runtime_job import RuntimeJobTask
from .fit import fit_to_screen, scroll_body
from .job_panel import JobPanel
from .plot_widget import CurvePlot
from .signals import on_click


def tr(text: str) -> str:
    return QCoreApplication.translate("TrainDialog", text)


def int_spin(name: str) -> QSpinBox:
    """A spin box with a TrainConfig parameter's range and default."""
    lo, hi = TrainConfig.limits(name)
    spin = QSpinBox()
    spin.setRange(int(lo), int(hi))
    spin.setValue(int(getattr(TrainConfig(), name) or 0))
    return spin


def float_spin(name: str, decimals: int) -> QDoubleSpinBox:
    lo, hi = TrainConfig.limits(name)
    spin = QDoubleSpinBox()
    spin.setDecimals(decimals)
    spin.setRange(float(lo), float(hi))
    spin.setValue(float(getattr(TrainConfig(), name)))
    return spin


class TrainDialog(QDialog):
    def __init__(self, iface: Any, tasks: TaskRegistry, python: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.iface = iface
        self.tasks = tasks
        self.python = Path(python)
        self.last_result: dict[str, Any] | None = None
        self.setWindowTitle(tr("School detector — Train classifier"))
        self.setMinimumWidth(600)
        self.panel = JobPanel(tasks, tr("Train"), tr("Cancel job"), tr("Close"), self, on_close=self.reject)
        self.status_label = self.panel.status_label
        self.progress = self.panel.progress
        self.train_button = self.panel.run_button
        self.cancel_button = self.panel.cancel_button
        self.cancel_button.setToolTip(tr("Stops after the current batch; the best checkpoint is kept"))
        self._build()
        fit_to_screen(self, self.scroll)

    @property
    def current_task(self) -> RuntimeJobTask | None:
        return self.panel.current_task  # type: ignore[return-value]

    # -- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.scroll, form = scroll_body(self)
        form.addWidget(self._data_box())
        form.addWidget(self._advanced_box())
        layout.addWidget(self.scroll)
        self.plot = CurvePlot()
        layout.addWidget(self.plot, 1)
        self.report_button = QPushButton(tr("Open report"))
        self.report_button.setEnabled(False)
        on_click(self.report_button, self.open_report)
        self.use_button = QPushButton(tr("Use this model for scanning"))
        self.use_button.setEnabled(False)
        on_click(self.use_button, self.use_model)
        self.panel.extra_row.addWidget(self.report_button)
        self.panel.extra_row.addWidget(self.use_button)
        layout.addWidget(self.panel.widget())
        self.panel.say(tr("Training runs in the ML runtime; QGIS stays responsive."))
        self._explain_phases()
        on_click(self.train_button, self.start)

    def _data_box(self) -> QGroupBox:
        box = QGroupBox(tr("Data and model"))
        form = QFormLayout(box)
        self.data_widget = QgsFileWidget()
        self.data_widget.setStorageMode(QgsFileWidget.StorageMode.GetDirectory)
        self.data_widget.fileChanged.connect(self._on_data_changed)
        self.data_widget.lineEdit().editingFinished.connect(self._on_data_changed)
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
        for b in BACKBONES:
            self.backbone_combo.addItem(tr(b.label), b.key)
        self.backbone_combo.currentIndexChanged.connect(self._on_backbone_changed)
        form.addRow(tr("Backbone:"), self.backbone_combo)
        form.addRow(tr("Weights:"), self._weights_row())
        form.addRow(tr("Epochs:"), self._epochs_row())
        self.out_widget = QgsFileWidget()
        self.out_widget.setStorageMode(QgsFileWidget.StorageMode.GetDirectory)
        form.addRow(tr("Model folder:"), self.out_widget)
        return box

    def _weights_row(self) -> QHBoxLayout:
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
        return row

    def _epochs_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.epochs_spin = int_spin("epochs")
        self.fine_spin = int_spin("fine_tune_epochs")
        self.frozen_label = QLabel(tr("frozen"))
        self.fine_label = QLabel(tr("+ fine-tuning"))
        self.phases_label = QLabel()
        self.phases_label.setWordWrap(True)
        for w in (self.frozen_label, self.epochs_spin, self.fine_label, self.fine_spin):
            row.addWidget(w)
        row.addWidget(self.phases_label, 1)
        return row

    def _explain_phases(self) -> None:
        """Pretrained weights train in two phases (the head on a frozen backbone, then fine-tuning);
        from scratch there is one phase where every layer trains: show what will happen."""
        chosen = TrainConfig(backbone=self.backbone_combo.currentData(), weights=str(self.weights_combo.currentData()))
        scratch = chosen.resolved().from_scratch
        if scratch and not self.fine_spin.isHidden():
            self.fine_spin.setValue(0)  # one phase: no fine-tuning epochs hidden behind it
        elif not scratch and self.fine_spin.isHidden():
            self.fine_spin.setValue(TrainConfig().fine_tune_epochs)  # two phases again: the default
        for w in (self.frozen_label, self.fine_label, self.fine_spin):
            w.setHidden(scratch)
        self.phases_label.setText(tr("epochs, one phase: from scratch every layer trains") if scratch else tr("epochs"))

    def _advanced_box(self) -> QgsCollapsibleGroupBox:
        box = QgsCollapsibleGroupBox(tr("Advanced"))
        box.setCollapsed(True)
        grid = QGridLayout(box)
        self.batch_spin = int_spin("batch_size")
        self.size_spin = int_spin("input_size")
        self.size_spin.setSpecialValueText(tr("auto"))
        self.layers_spin = int_spin("fine_tune_layers")
        self.layers_spin.setToolTip(tr("Top backbone layers unfrozen for fine-tuning (0: all)"))
        self.patience_spin = int_spin("patience")
        self.seed_spin = int_spin("seed")
        self.lr_spin = float_spin("learning_rate", 6)
        self.ft_lr_spin = float_spin("fine_tune_learning_rate", 7)
        self.name_edit = QLineEdit(TrainConfig().name)
        self.augment_check = QCheckBox(tr("Augment (flips, rotations, brightness/contrast)"))
        self.augment_check.setChecked(TrainConfig().augment)
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
        return box

    # -- reactions ------------------------------------------------------------------------------
    def _on_backbone_changed(self) -> None:
        """The tiny CNN has no pretrained weights: show what will really happen."""
        if (
            not backbone(self.backbone_combo.currentData()).pretrained
            and self.weights_combo.currentData() == "imagenet"
        ):
            self.weights_combo.setCurrentIndex(self.weights_combo.findData("none"))
        self._explain_phases()

    def _on_weights_changed(self) -> None:
        self.weights_file.setEnabled(self.weights_combo.currentData() == "file")
        self._explain_phases()

    def _on_data_changed(self) -> None:
        """A dataset folder chosen (browsed, or typed and finished): its counts and warnings, and
        a model folder beside it when none is set. Never while a path is being typed (its first
        keystroke, "/", is a folder too)."""
        if self.data_widget.lineEdit().hasFocus() and self.sender() is not self.data_widget.lineEdit():
            return
        folder = Path(self.data_widget.filePath()) if self.data_widget.filePath() else None
        if folder is None or not folder.is_dir():
            return
        text, warnings = dataset_summary(folder)
        self.counts_label.setText(text)
        self.warnings_label.setText("\n".join(warnings))
        if is_dataset_folder(folder) and not self.out_widget.filePath():
            self.out_widget.setFilePath(str(folder.parent / f"{folder.name}_model"))

    def opened(self) -> None:
        """Shown again: a dataset built since (Build training data…) is offered when none is chosen."""
        last = PluginSettings.load().last_dataset
        if not self.data_widget.filePath() and last and is_dataset_folder(Path(last)):
            self.data_widget.setFilePath(last)

    # -- the job --------------------------------------------------------------------------------
    def config(self) -> TrainConfig:
        weights = self.weights_combo.currentData()
        if weights == "file":
            weights = self.weights_file.filePath().strip()
            if not weights:
                raise InputError("Choose the local weights file, or pick ImageNet or None.")
        return TrainConfig(
            backbone=self.backbone_combo.currentData(),
            weights=weights,
            input_size=self.size_spin.value() or None,
            epochs=self.epochs_spin.value(),
            fine_tune_epochs=self.fine_spin.value(),
            batch_size=self.batch_spin.value(),
            learning_rate=self.lr_spin.value(),
            fine_tune_learning_rate=self.ft_lr_spin.value(),
            fine_tune_layers=self.layers_spin.value(),
            patience=self.patience_spin.value(),
            seed=self.seed_spin.value(),
            name=self.name_edit.text().strip() or TrainConfig().name,
            augment=self.augment_check.isChecked(),
        ).resolved()

    def set_config(self, cfg: TrainConfig) -> None:
        """Show ``cfg`` (a card's or a test's) in the widgets."""
        self.backbone_combo.setCurrentIndex(self.backbone_combo.findData(cfg.backbone))
        known = self.weights_combo.findData(cfg.weights)
        self.weights_combo.setCurrentIndex(known if known >= 0 else self.weights_combo.findData("file"))
        if known < 0:
            self.weights_file.setFilePath(cfg.weights)
        self.size_spin.setValue(cfg.input_size or 0)
        for spin, value in (
            (self.epochs_spin, cfg.epochs),
            (self.fine_spin, cfg.fine_tune_epochs),
            (self.batch_spin, cfg.batch_size),
            (self.lr_spin, cfg.learning_rate),
            (self.ft_lr_spin, cfg.fine_tune_learning_rate),
            (self.layers_spin, cfg.fine_tune_layers),
            (self.patience_spin, cfg.patience),
            (self.seed_spin, cfg.seed),
        ):
            spin.setValue(value)
        self.name_edit.setText(cfg.name)
        self.augment_check.setChecked(cfg.augment)

    def arguments(self) -> list[str]:
        """The ``school-detector train`` command line this dialog stands for."""
        data = self.data_widget.filePath().strip()
        out = self.out_widget.filePath().strip()
        if not data or not Path(data).is_dir():
            raise InputError("Choose the dataset folder (made by 'Build training data…').")
        if not out:
            raise InputError("Choose a folder for the model.")
        return self.config().validate().to_argv(data, out)

    def start(self) -> RuntimeJobTask | None:
        try:
            args = self.arguments()
        except InputError as exc:
            self.panel.say(exc.message)
            return None
        task = RuntimeJobTask(tr("Train classifier"), self.python, args)
        self.plot.clear()
        self.panel.start(
            task,
            on_done=self._on_completed,
            on_failed=self._on_terminated,
            on_event=self._on_event,
            busy=(self.report_button, self.use_button),
        )
        self.report_button.setEnabled(False)
        self.use_button.setEnabled(False)
        self.panel.say(tr("Starting the ML runtime…"))
        return task

    def _on_event(self, event: Any) -> None:
        if event.event == "metric":
            self.plot.add_epoch(event.data)
            d = event.data
            self.panel.say(
                tr("Epoch {e}: loss {l:.3f}, val loss {vl:.3f}, val accuracy {va:.3f}").format(
                    e=d.get("epoch"), l=d.get("loss", 0.0), vl=d.get("val_loss", 0.0), va=d.get("val_accuracy", 0.0)
                )
            )
        elif event.event == "progress" and event.data.get("unit") == "batch":
            d = event.data
            eta = format_eta(d.get("eta_s"))
            self.progress.setFormat(
                f"%p% · {d.get('done')}/{d.get('total')} batches" + (f" · ETA {eta}" if eta else "")
            )

    def _on_completed(self, task: RuntimeJobTask) -> None:
        res = task.result_data or {}
        self.last_result = res
        m = res.get("metrics", {})
        card = res.get("card", {})
        text = tr(
            "Model {name} v{v} saved in {dir}. On the {split} split ({pos} schools / {neg} not-schools) at threshold "
            "{t:.2f}: ROC AUC {auc:.3f}, recall {r:.2f}, precision {p:.2f}."
        ).format(
            pos=int(m.get("positives", 0)),
            neg=int(m.get("n", 0) - m.get("positives", 0)),
            name=card.get("name"),
            v=card.get("version"),
            dir=res.get("model_dir"),
            split=m.get("split", "test"),
            t=m.get("threshold", 0.0),
            auc=m.get("roc_auc", 0.0),
            r=m.get("recall", 0.0),
            p=m.get("precision", 0.0),
        )
        stopped = (res.get("stopping") or {}).get("text")
        warnings = res.get("warnings") or []
        text += " " + tr("Training {how}.").format(how=stopped) if stopped else ""
        self.warnings_label.setText("\n".join(warnings))  # in full, above
        self.panel.say(text + (" " + tr("⚠ Read the cautions above.") if warnings else ""))
        self.progress.setFormat("%p%")
        self.report_button.setEnabled(bool(res.get("report")))
        self.use_button.setEnabled(bool(res.get("model_dir")))
        # the message bar, away from the dialog, says them with the figures
        report_info(self.iface, text + (" " + tr("Caution: ") + " ".join(warnings) if warnings else ""))

    def _on_terminated(self, task: RuntimeJobTask) -> None:
        """A cancelled training still saved its best model so far: it can be used and read."""
        self.progress.setFormat("%p%")
        saved = task.result_data or {}
        self.last_result = saved or self.last_result
        self.report_button.setEnabled(bool(saved.get("report")))
        self.use_button.setEnabled(bool(saved.get("model_dir")))
        if saved:
            self.warnings_label.setText("\n".join(saved.get("warnings") or []))

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
        said = tr("Scans will use {dir}: Scan current extent and Scan region… take it.").format(dir=settings.model_dir)
        self.panel.say(said)  # here, where the click was (the message bar is behind the dialog)
        report_info(self.iface, said)

    def cancel_job(self) -> None:
        self.panel.cancel()


def open_train(iface: Any, tasks: TaskRegistry, python: Path) -> TrainDialog:
    dialog = TrainDialog(iface, tasks, python, iface.mainWindow() if iface is not None else None)
    dialog.show()
    dialog.raise_()
    return dialog
