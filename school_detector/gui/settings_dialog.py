"""Settings…: where the ML runtime is, what it can do (TensorFlow, GPUs), and setting it up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qgis.PyQt.QtCore import QCoreApplication, Qt
from qgis.PyQt.QtGui import QGuiApplication
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .. import settings as plugin_settings
from ..core.errors import JobCancelled
from ..notify import error_text, report_info, runtime_ready
from ..runtime.install import SCAN_ONLY, SIZES, TRAINING, runtime_kind
from ..runtime.locate import ENV_VAR, REQUIREMENTS_FILE, SCAN_REQUIREMENTS_FILE, locate_runtime
from ..settings import PluginSettings
from ..tasks.registry import TaskRegistry
from ..tasks.runtime_job import RuntimeJobTask
from ..tasks.setup_runtime import SetupRuntimeTask
from .job_panel import JobPanel
from .signals import on_click


def tr(text: str) -> str:
    return QCoreApplication.translate("SettingsDialog", text)


def describe_info(info: dict[str, Any]) -> str:
    """Readable lines from ``school-detector info``: what scans run on, and what trains."""
    tf = info.get("tensorflow") or {}
    ort = info.get("onnxruntime") or {}
    lines = [f"Python {info.get('python', '?')}"]
    if ort.get("available"):
        lines.append(tr("Scanning on: ") + str(ort.get("scanning_on")))
    if tf.get("available"):
        gpus = tf.get("gpus") or []
        seen = (
            tr("GPUs: ") + ", ".join(g.get("model") or g.get("name", "GPU") for g in gpus)
            if gpus
            else tr("no GPU seen (CPU only)")
        )
        lines.append(tr("Training: TensorFlow {v} · {gpus}").format(v=tf.get("version"), gpus=seen))
    elif tf.get("installed") is False:
        lines.append(tr("Training: not in this runtime (scanning and review only)"))
    elif tf:
        lines.append(tr("TensorFlow not usable: ") + str(tf.get("error", "")))
    return "\n".join(lines)


class SettingsDialog(QDialog):
    def __init__(self, iface: Any, tasks: TaskRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.iface = iface
        self.tasks = tasks
        self.settings = PluginSettings.load()
        self.last_info: dict[str, Any] | None = None
        self._shown_python: Path | None = None  # the runtime "Set up for" was last set from
        self.panel = JobPanel(tasks, tr("Set up ML runtime…"), tr("Cancel job"), parent=self)
        self.state_label = self.panel.status_label
        self.progress = self.panel.progress
        self.setup_button = self.panel.run_button
        self.cancel_button = self.panel.cancel_button
        self.setWindowTitle(tr("School detector — Settings"))
        self.setMinimumWidth(640)
        self._build()
        self._refresh_location()

    # -- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        box = QGroupBox(tr("ML runtime (TensorFlow runs here, outside QGIS)"))
        form = QFormLayout(box)
        row = QHBoxLayout()
        self.python_edit = QLineEdit(self.settings.runtime_python)
        self.python_edit.setPlaceholderText(tr("automatic: ${env}, then the managed runtime").format(env=ENV_VAR))
        self.python_edit.editingFinished.connect(self._refresh_location)
        self.python_edit.returnPressed.connect(self._check_typed_path)
        self.python_edit.textChanged.connect(self._on_path_text)
        self.browse_button = QPushButton(tr("Browse…"))
        on_click(self.browse_button, self._browse)
        row.addWidget(self.python_edit)
        row.addWidget(self.browse_button)
        form.addRow(tr("Python:"), row)
        self.location_label = QLabel()
        self.location_label.setWordWrap(True)
        self.location_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(tr("In use:"), self.location_label)
        self.panel.say(tr("not checked yet"))
        form.addRow(tr("State:"), self.state_label)
        self.index_edit = QLineEdit(self.settings.pip_index_url)
        self.index_edit.setPlaceholderText(tr("default: PyPI (set a mirror URL if your network needs one)"))
        form.addRow(tr("Package index:"), self.index_edit)
        self.flavour_combo = QComboBox()
        download, disk = SIZES[SCAN_ONLY]
        self.flavour_combo.addItem(
            tr("Scanning and review (ONNX Runtime; {d} download, {s} on disk)").format(d=download, s=disk),
            SCAN_ONLY,
        )
        download, disk = SIZES[TRAINING]
        self.flavour_combo.addItem(
            tr("Training too (adds TensorFlow; {d} download, {s} on disk)").format(d=download, s=disk), TRAINING
        )
        self.flavour_combo.setToolTip(
            tr(
                "Scanning and review runs models someone trained, on ONNX Runtime. Training needs TensorFlow "
                "too; choose it now or add it later (the same button)."
            )
        )
        form.addRow(tr("Set up for:"), self.flavour_combo)
        buttons = QHBoxLayout()
        self.check_button = QPushButton(tr("Check runtime"))
        on_click(self.check_button, self.check_runtime)
        self.test_button = QPushButton(tr("Test runtime"))
        self.test_button.setToolTip(tr("Build a tiny model and time predictions on this machine"))
        on_click(self.test_button, self.test_runtime)
        self.setup_button.setDefault(False)
        self.setup_button.setToolTip(
            tr("Create (or add to) a private Python environment for School detector, as chosen in 'Set up for'")
        )
        on_click(self.setup_button, self.setup_runtime)
        for b in (self.check_button, self.test_button, self.setup_button, self.cancel_button):
            buttons.addWidget(b)
        form.addRow(buttons)
        form.addRow(self.progress)
        self.log_view = QPlainTextEdit()
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumBlockCount(2000)
        self.log_view.setMinimumHeight(140)
        form.addRow(self.log_view)
        layout.addWidget(box)
        self.button_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        self.button_box.accepted.connect(self.save)
        self.button_box.rejected.connect(self.reject)
        self.diagnostics_button = self.button_box.addButton(tr("Diagnostics"), QDialogButtonBox.ButtonRole.ActionRole)
        self.diagnostics_button.setToolTip(
            tr("Copy a report for bug reports: versions, runtime, GPUs, settings, last errors (secrets masked)")
        )
        on_click(self.diagnostics_button, self.copy_diagnostics)
        layout.addWidget(self.button_box)

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """Enter in a text field finishes that field (the path is looked up); it does not press
        Save or close the dialog."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and isinstance(self.focusWidget(), QLineEdit):
            event.accept()
            return
        super().keyPressEvent(event)

    # -- state --------------------------------------------------------------------------
    def location(self) -> Any:
        import os

        return locate_runtime(self.python_edit.text(), os.environ, plugin_settings.managed_dir())

    def _refresh_location(self) -> None:
        loc = self.location()
        if loc.found:
            self.location_label.setText(loc.describe())
        else:
            self.location_label.setText(
                tr(
                    "No ML runtime yet. Click 'Set up ML runtime…' (needs internet once), or choose the "
                    "Python of an existing runtime."
                )
                + f"\n{loc.describe()}"
            )
        idle = self.panel.current_task is None
        self.check_button.setEnabled(loc.found and idle)
        self.test_button.setEnabled(loc.found and idle)
        if loc.found and loc.python is not None and loc.python != self._shown_python:
            # another runtime in use (or the first look): "Set up for" says what it is; the
            # mapper's own choice stays while it is the same runtime
            self._shown_python = loc.python
            self.flavour_combo.setCurrentIndex(self.flavour_combo.findData(runtime_kind(loc.python)))

    def _on_path_text(self, text: str) -> None:
        """A path pasted (or typed to its end) that names a file is looked up at once: Check and
        Test need not wait for the field to lose focus. A half-typed path names none."""
        if text.strip() and Path(text.strip()).expanduser().is_file():
            self._refresh_location()

    def _check_typed_path(self) -> None:
        """Enter in the Python field: look it up and, if it is a runtime, check it."""
        self._refresh_location()
        if self.check_button.isEnabled():
            self.check_runtime()

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("ML runtime Python"), self.python_edit.text())
        if path:
            self.python_edit.setText(path)
            self._refresh_location()

    def save(self) -> None:
        self.settings.runtime_python = self.python_edit.text().strip()
        self.settings.pip_index_url = self.index_edit.text().strip()
        self.settings.save()
        report_info(self.iface, tr("Settings saved."), duration=3)
        self.accept()

    def copy_diagnostics(self) -> str:
        """The diagnostics report, on the clipboard and in the log view."""
        from dataclasses import asdict

        from ..diagnostics import report
        from ..notify import RECENT_ERRORS

        text = report(self.location(), self.last_info, asdict(self.settings), list(RECENT_ERRORS))
        QGuiApplication.clipboard().setText(text)
        self.append_log(text)
        report_info(self.iface, tr("Diagnostics copied to the clipboard: paste them into your bug report."))
        return text

    def append_log(self, line: str) -> None:
        self.log_view.appendPlainText(line)

    @property
    def current_task(self) -> Any:
        return self.panel.current_task

    # -- jobs ---------------------------------------------------------------------------
    def _busy(self, task: Any, on_success: Any = None) -> None:
        self.panel.start(
            task,
            on_done=self._completed(on_success),
            on_failed=self._on_terminated,
            busy=(self.check_button, self.test_button),
        )

    def _completed(self, callback: Any) -> Any:
        def done(task: Any) -> None:
            self._refresh_location()
            if callback is not None:
                callback(task)

        return done

    def _on_terminated(self, task: Any) -> None:
        message, details = error_text(getattr(task, "error", None) or JobCancelled("Cancelled."))
        self.append_log(message + (f"\n{details}" if details else ""))
        self._refresh_location()

    def _runtime_job(self, description: str, args: list[str], on_success: Any) -> RuntimeJobTask | None:
        loc = self.location()
        if not loc.found:
            self._refresh_location()
            return None
        task = RuntimeJobTask(description, loc.python, args)
        task.eventReceived.connect(self._on_event)
        self._busy(task, on_success)
        return task

    def _on_event(self, event: Any) -> None:
        if event.event == "log":
            self.append_log(str(event.data.get("message", "")))

    def check_runtime(self) -> RuntimeJobTask | None:
        self.state_label.setText(tr("checking… (importing TensorFlow can take a while)"))
        return self._runtime_job(tr("Check ML runtime"), ["info"], self._show_info)

    def _show_info(self, task: RuntimeJobTask) -> None:
        self.last_info = task.result_data or {}
        self.state_label.setText(describe_info(self.last_info))
        trains = self.last_info.get("kind") != SCAN_ONLY
        self.test_button.setEnabled(trains)  # the self-test builds a TensorFlow model
        self.test_button.setToolTip(
            tr("Build a tiny model and time predictions on this machine")
            if trains
            else tr("Needs the training runtime: choose 'Training too' and set up")
        )
        runtime_ready(self.iface)  # the runtime answered: no more offers to set it up

    def test_runtime(self) -> RuntimeJobTask | None:
        return self._runtime_job(tr("Test ML runtime"), ["selftest"], self._show_selftest)

    def _show_selftest(self, task: RuntimeJobTask) -> None:
        result = task.result_data or {}
        text = tr("Runtime works: {n} images/s on {dev} (tiny test model).").format(
            n=result.get("images_per_s"), dev=result.get("device")
        )
        self.append_log(text)
        report_info(self.iface, text)

    def setup_runtime(self) -> SetupRuntimeTask:
        """Set up the runtime chosen in 'Set up for', from the package index in the field."""
        index = self.index_edit.text().strip()
        return self.start_setup(["--index-url", index] if index else [])

    def start_setup(self, pip_args: list[str]) -> SetupRuntimeTask:
        """Set up the runtime with these pip arguments (a local wheel folder, say)."""
        args = list(pip_args)
        target = plugin_settings.managed_dir()
        training = self.flavour_combo.currentData() == TRAINING
        task = SetupRuntimeTask(
            target,
            requirements=REQUIREMENTS_FILE if training else SCAN_REQUIREMENTS_FILE,
            pip_args=args,
            verify_tensorflow=training,
        )
        task.logLine.connect(self.append_log)
        self.append_log(tr("Setting up the ML runtime in {dir}…").format(dir=target))
        self._busy(task, self._setup_done)
        return task

    def _setup_done(self, task: SetupRuntimeTask) -> None:
        self.append_log(tr("The ML runtime is ready."))
        self._refresh_location()
        self.check_runtime()

    def cancel_job(self) -> None:
        self.panel.cancel()


def open_settings(iface: Any, tasks: TaskRegistry) -> SettingsDialog:
    dialog = SettingsDialog(iface, tasks, iface.mainWindow() if iface is not None else None)
    dialog.show()
    dialog.raise_()
    if dialog.check_button.isEnabled():
        dialog.check_runtime()  # show TensorFlow and GPU state without an extra click
    return dialog
