"""The QGIS plugin: toolbar and menu entries, and nothing heavy at load time."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction

from .core.errors import RuntimeMissingError
from .gui.signals import on_trigger
from .notify import offer_runtime_setup, report_error
from .paths import icon_path
from .settings import current_runtime
from .tasks.registry import TaskRegistry
from .translation import N_

MENU = "&School detector"


def tr(text: str) -> str:
    return QCoreApplication.translate("SchoolDetector", text)


def reports_errors(method: Callable[..., Any]) -> Callable[..., Any]:
    """Slots must never let an exception reach Qt: show it instead."""

    @functools.wraps(method)
    def wrapper(self: SchoolDetectorPlugin) -> Any:
        try:
            return method(self)
        except Exception as exc:  # noqa: BLE001 - shown to the user and logged
            report_error(self.iface, exc)
            return None

    return wrapper


class SchoolDetectorPlugin:
    #: (key, label, icon, needs the ML runtime, status tip)
    ACTIONS = (
        (
            "build_data",
            N_("Build training data…"),
            "build_data",
            False,
            N_("Cut labeled image chips from imagery for training"),
        ),
        ("train", N_("Train classifier…"), "train", True, N_("Train a school classifier on a chip dataset")),
        (
            "scan_extent",
            N_("Scan current extent"),
            "scan_extent",
            True,
            N_("Scan the visible map extent with the last model and settings"),
        ),
        ("scan_region", N_("Scan region…"), "scan_region", True, N_("Scan polygons (e.g. a district) tile by tile")),
        ("review", N_("Review detections"), "review", False, N_("Confirm or reject candidate schools")),
        ("settings", N_("Settings…"), "settings", False, N_("ML runtime, TensorFlow and GPU state")),
    )

    def __init__(self, iface: Any) -> None:
        self.iface = iface
        self.actions: dict[str, QAction] = {}
        self.toolbar: Any = None
        self.tasks = TaskRegistry(iface)
        self.dialogs: dict[str, Any] = {}
        self.provider: Any = None
        self.review_dock: Any = None
        self.log_handler: Any = None
        from .runtime.local_server import LocalServer

        self.server = LocalServer()
        from qgis.PyQt.QtCore import QSettings

        from .translation import install_translator

        locale = str(QSettings().value("locale/userLocale", "") or "")
        self.translator = install_translator(locale) if locale else None

    # -- QGIS life cycle ------------------------------------------------------------------
    def initProcessing(self) -> None:  # noqa: N802 (QGIS API)
        from qgis.core import QgsApplication

        from .processing.provider import SchoolDetectorProvider

        self.provider = SchoolDetectorProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:  # noqa: N802 (QGIS API)
        from .notify import route_logging

        self.log_handler = route_logging()
        self.initProcessing()
        main = self.iface.mainWindow()
        self.toolbar = self.iface.addToolBar(tr("School detector"))
        self.toolbar.setObjectName("SchoolDetectorToolbar")
        for key, label, icon, _needs, tip in self.ACTIONS:
            action = QAction(QIcon(icon_path(icon)), tr(label), main)
            action.setObjectName(f"school_detector_{key}")
            action.setStatusTip(tr(tip))
            action.setToolTip(tr(tip))
            on_trigger(action, getattr(self, f"on_{key}"))
            self.toolbar.addAction(action)
            self.iface.addPluginToMenu(MENU, action)
            self.actions[key] = action

    def unload(self) -> None:
        self.tasks.cancel_all()
        self.server.stop()
        if self.log_handler is not None:
            from .notify import unroute_logging

            unroute_logging(self.log_handler)
            self.log_handler = None
        if self.translator is not None:
            from qgis.PyQt.QtCore import QCoreApplication

            QCoreApplication.removeTranslator(self.translator)
            self.translator = None
        if self.provider is not None:
            from qgis.core import QgsApplication

            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        for dialog in self.dialogs.values():
            dialog.close()
            dialog.deleteLater()
        self.dialogs.clear()
        if self.review_dock is not None:
            self.review_dock.preview.close()  # its imagery clone goes now, on the main thread
            self.iface.removeDockWidget(self.review_dock)
            self.review_dock.deleteLater()
            self.review_dock = None
        for action in self.actions.values():
            self.iface.removePluginMenu(MENU, action)
            if self.toolbar is not None:
                self.toolbar.removeAction(action)
            action.deleteLater()
        self.actions.clear()
        if self.toolbar is not None:
            self.iface.mainWindow().removeToolBar(self.toolbar)
            self.toolbar.deleteLater()
            self.toolbar = None

    # -- helpers ----------------------------------------------------------------------------
    def require_runtime(self, training: bool = False) -> Any:
        """The runtime's Python, or a message bar offer to set one up (first-run path) or, for
        ``training``, to add TensorFlow to a scan-only runtime."""
        from .runtime.install import SCAN_ONLY, runtime_kind

        location = current_runtime()
        if location.python is not None and training and runtime_kind(location.python) == SCAN_ONLY:
            offer_runtime_setup(
                self.iface,
                tr("Training needs TensorFlow, which this ML runtime (scanning and review only) does not have."),
                tr("Add training…"),
                self.on_add_training,
            )
            raise RuntimeMissingError(
                "Training needs TensorFlow: open School detector > Settings…, choose 'Training too' and click "
                "'Set up ML runtime…'.",
                location.describe(),
                shown=True,
            )
        if location.found:
            return location.python
        offer_runtime_setup(
            self.iface,
            tr("The ML runtime is not set up yet: this needs it."),
            tr("Set up ML runtime…"),
            self.on_settings,
        )
        raise RuntimeMissingError(
            "The ML runtime is not set up. Open School detector > Settings… and click 'Set up ML runtime…'.",
            location.describe(),
            shown=True,  # the offer above says it: one message, not two
        )

    # -- actions ------------------------------------------------------------------------------
    def _show_dialog(self, key: str, factory: Callable[[], Any]) -> Any:
        """One dialog of each kind, kept while the plugin lives: reopening it shows the same
        dialog, with the progress of a job it started still there."""
        old = self.dialogs.get(key)
        if old is not None:
            old.show()
            old.raise_()
            return old
        self.dialogs[key] = factory()
        return self.dialogs[key]

    @reports_errors
    def on_settings(self) -> None:
        from .gui.settings_dialog import open_settings

        self._show_dialog("settings", lambda: open_settings(self.iface, self.tasks))

    @reports_errors
    def on_add_training(self) -> None:
        """Settings, with "Training too" chosen: one click adds TensorFlow to the runtime."""
        from .gui.settings_dialog import open_settings
        from .runtime.install import TRAINING

        dialog = self._show_dialog("settings", lambda: open_settings(self.iface, self.tasks))
        dialog.flavour_combo.setCurrentIndex(dialog.flavour_combo.findData(TRAINING))

    @reports_errors
    def on_build_data(self) -> None:
        from .gui.build_dataset_dialog import open_build_dataset

        self._show_dialog("build_data", lambda: open_build_dataset(self.iface, self.tasks))

    @reports_errors
    def on_train(self) -> None:
        from .gui.train_dialog import open_train

        python = self.require_runtime(training=True)
        dialog = self._show_dialog("train", lambda: open_train(self.iface, self.tasks, python))
        dialog.python = python  # the runtime may have been set up since the dialog was made
        dialog.opened()

    def _scan_dialog(self) -> Any:
        """The Scan dialog, as this opening finds things: the model in use now (Use this model
        may have changed it since), the previous run's status and estimate cleared."""
        from .gui.scan_dialog import open_scan

        python = current_runtime().python
        dialog = self._show_dialog("scan", lambda: open_scan(self.iface, self.tasks, self.server, python))
        dialog.python = python
        dialog.opened()
        return dialog

    @reports_errors
    def on_scan_extent(self) -> None:
        """One click: the visible extent, the model in use, the topmost visible raster under it."""
        from .qgis_io.region import imagery_under_extent
        from .settings import PluginSettings

        settings = PluginSettings.load()
        if not settings.model_dir:
            dialog = self._scan_dialog()
            dialog.status_label.setText(
                tr("Choose a model first (Train classifier… makes one); then one click scans the current extent.")
            )
            return
        self.require_runtime()
        dialog = self._scan_dialog()
        if dialog.current_task is not None:
            dialog.status_label.setText(tr("A scan is running: wait for it, or cancel it, then scan again."))
            return
        imagery = imagery_under_extent(self.iface.mapCanvas())
        if imagery is None:
            dialog.status_label.setText(
                tr("No visible raster layer covers the map: show the imagery (or zoom to it), then scan again.")
            )
            return
        dialog.imagery_combo.setLayer(imagery)
        dialog.extent_radio.setChecked(True)
        from .gui.scan_dialog import ask_results_folder, default_output

        out = default_output() or ask_results_folder(dialog)
        if out is None:
            dialog.status_label.setText(tr("Not started: choose where scan results go."))
            return
        dialog.out_widget.setFilePath(str(out))
        dialog.start()

    @reports_errors
    def on_scan_region(self) -> None:
        self._scan_dialog()

    @reports_errors
    def on_review(self) -> None:
        from qgis.core import QgsVectorLayer
        from qgis.PyQt.QtCore import Qt

        from .gui.review_dock import ReviewDock
        from .qgis_io.review_layer import candidates_layer_of, latest_candidates_layer

        if self.review_dock is None:
            self.review_dock = ReviewDock(self.iface, self.iface.mainWindow(), self.tasks)
            self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.review_dock)
        active = self.iface.activeLayer()
        chosen = candidates_layer_of(active) if isinstance(active, QgsVectorLayer) else None
        if chosen is None or chosen.fields().indexOf("score") < 0:
            chosen = latest_candidates_layer()  # the active layer is no candidates layer: the last scan's
        if chosen is not None:
            self.review_dock.set_layer(chosen)
        self.review_dock.show()
        self.review_dock.raise_()
