"""Scan region…: region, imagery, model (local or TF Serving), threshold, output; the size and
an ETA before starting; progress and the candidates layer at the end. "Scan current extent"
runs the same with the last settings in one click."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsMapLayerProxyModel, QgsProject, QgsRasterLayer
from qgis.gui import QgsAuthConfigSelect, QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.cover import Polygon, count_cover
from ..core.errors import InputError, ModelCardError
from ..core.model_card import ModelCard
from ..core.tiles import ground_resolution
from ..notify import error_text, report_info
from ..qgis_io.region import extent_region, layer_region
from ..qgis_io.results import load_results
from ..scan.scanner import ScanSettings
from ..serving.client import Endpoint
from ..settings import PluginSettings
from ..tasks.local_server import LocalServer
from ..tasks.registry import TaskRegistry
from ..tasks.runtime_job import format_eta
from ..tasks.scan_task import ScanParams, ScanTask


def tr(text: str) -> str:
    return QCoreApplication.translate("ScanDialog", text)


def default_output() -> Path:
    home = QgsProject.instance().homePath() or str(Path.home() / "school_detector")
    return Path(home) / f"scan-{datetime.now().strftime('%Y%m%d-%H%M%S')}.gpkg"


def auth_headers(auth_id: str) -> dict[str, str]:
    """Headers from a QGIS auth manager configuration (Basic or API header); never stored by us."""
    if not auth_id:
        return {}
    config = QgsAuthMethodConfig()
    if not QgsApplication.authManager().loadAuthenticationConfig(auth_id, config, True):
        raise InputError("The chosen authentication configuration cannot be read (is the master password set?).")
    method = config.method()
    if method == "Basic":
        import base64

        token = base64.b64encode(f"{config.config('username')}:{config.config('password')}".encode()).decode()
        return {"Authorization": f"Basic {token}"}
    if method in ("APIHeader", "EsriToken", "OAuth2"):
        return {k: v for k, v in config.configMap().items() if k and v and k not in ("realm",)}
    raise InputError(f"Authentication method {method} is not supported for TF Serving; use Basic or API Header.")


class ScanDialog(QDialog):
    def __init__(
        self, iface: Any, tasks: TaskRegistry, server: LocalServer, python: Path | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.iface = iface
        self.tasks = tasks
        self.server = server
        self.python = python
        self.settings = PluginSettings.load()
        self.current_task: ScanTask | None = None
        self.result_layer_id: str | None = None
        self.last_result: dict[str, Any] | None = None
        self.setWindowTitle(tr("School detector — Scan region"))
        self.setMinimumWidth(600)
        self._build()
        self._update_estimate()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        region = QGroupBox(tr("Region"))
        form = QFormLayout(region)
        self.extent_radio = QRadioButton(tr("Current map extent"))
        self.selected_radio = QRadioButton(tr("Selected polygons of"))
        self.layer_radio = QRadioButton(tr("All polygons of"))
        self.extent_radio.setChecked(True)
        group = QButtonGroup(self)
        for b in (self.extent_radio, self.selected_radio, self.layer_radio):
            group.addButton(b)
            b.toggled.connect(self._update_estimate)
        self.region_combo = QgsMapLayerComboBox()
        self.region_combo.setFilters(QgsMapLayerProxyModel.PolygonLayer)
        self.region_combo.layerChanged.connect(self._update_estimate)
        row = QHBoxLayout()
        row.addWidget(self.extent_radio)
        row.addWidget(self.selected_radio)
        row.addWidget(self.layer_radio)
        form.addRow(row)
        form.addRow(tr("Polygon layer:"), self.region_combo)
        self.imagery_combo = QgsMapLayerComboBox()
        self.imagery_combo.setFilters(QgsMapLayerProxyModel.RasterLayer)
        layer = QgsProject.instance().mapLayer(self.settings.imagery_layer_id)
        if isinstance(layer, QgsRasterLayer):
            self.imagery_combo.setLayer(layer)
        form.addRow(tr("Imagery:"), self.imagery_combo)
        layout.addWidget(region)

        model = QGroupBox(tr("Model"))
        form = QFormLayout(model)
        self.model_widget = QgsFileWidget()
        self.model_widget.setStorageMode(QgsFileWidget.GetDirectory)
        self.model_widget.setFilePath(self.settings.model_dir)
        self.model_widget.fileChanged.connect(self._on_model_changed)
        form.addRow(tr("Model folder:"), self.model_widget)
        self.card_label = QLabel()
        self.card_label.setWordWrap(True)
        form.addRow(self.card_label)
        self.local_radio = QRadioButton(tr("Local (this computer, in the ML runtime)"))
        self.remote_radio = QRadioButton(tr("TF Serving endpoint"))
        self.local_radio.setChecked(True)
        backend = QButtonGroup(self)
        backend.addButton(self.local_radio)
        backend.addButton(self.remote_radio)
        row = QHBoxLayout()
        row.addWidget(self.local_radio)
        row.addWidget(self.remote_radio)
        form.addRow(row)
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("https://serving.example.org:8501")
        form.addRow(tr("URL:"), self.url_edit)
        row = QHBoxLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(tr("model name (default: the card's)"))
        self.version_edit = QLineEdit()
        self.version_edit.setPlaceholderText(tr("version or label (default: latest)"))
        row.addWidget(self.name_edit)
        row.addWidget(self.version_edit)
        form.addRow(tr("Model:"), row)
        self.auth_select = QgsAuthConfigSelect()
        form.addRow(tr("Authentication:"), self.auth_select)
        self.threshold_spin = QDoubleSpinBox()
        self.threshold_spin.setRange(0.0, 1.0)
        self.threshold_spin.setSingleStep(0.05)
        self.threshold_spin.setDecimals(3)
        form.addRow(tr("Threshold:"), self.threshold_spin)
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(1, 512)
        self.batch_spin.setValue(32)
        form.addRow(tr("Batch size:"), self.batch_spin)
        for w in (self.local_radio, self.remote_radio):
            w.toggled.connect(self._on_backend_changed)
        layout.addWidget(model)

        output = QGroupBox(tr("Output"))
        form = QFormLayout(output)
        self.out_widget = QgsFileWidget()
        self.out_widget.setStorageMode(QgsFileWidget.SaveFile)
        self.out_widget.setFilter("GeoPackage (*.gpkg)")
        self.out_widget.setFilePath(str(default_output()))
        form.addRow(tr("Results:"), self.out_widget)
        self.resume_check = QCheckBox(tr("Resume into an existing results file (skip tiles already scanned)"))
        self.resume_check.setChecked(True)
        form.addRow(self.resume_check)
        layout.addWidget(output)

        self.estimate_label = QLabel()
        self.estimate_label.setWordWrap(True)
        layout.addWidget(self.estimate_label)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        layout.addWidget(self.progress)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.scan_button = QPushButton(tr("Scan"))
        self.scan_button.setDefault(True)
        self.scan_button.clicked.connect(self.start)
        self.cancel_button = QPushButton(tr("Cancel job"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_job)
        close = QPushButton(tr("Close"))
        close.clicked.connect(self.reject)
        for b in (self.scan_button, self.cancel_button, close):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self._on_model_changed()
        self._on_backend_changed()

    # -- reactions -------------------------------------------------------------------------
    def card(self) -> ModelCard | None:
        path = self.model_widget.filePath().strip()
        if not path:
            return None
        return ModelCard.read(Path(path))

    def _on_model_changed(self) -> None:
        try:
            card = self.card()
        except ModelCardError as exc:
            self.card_label.setText(exc.message)
            return
        if card is None:
            self.card_label.setText(tr("Choose a model folder (Train classifier… makes one)."))
            return
        self.card_label.setText(
            tr("{id}: {bb}, zoom {z} {kind}, trained threshold {t:.2f}, test ROC AUC {auc}").format(
                id=card.model_id,
                bb=card.backbone,
                z=card.zoom,
                kind="supertiles" if card.supertile else "tiles",
                t=card.threshold,
                auc=f"{card.metrics.get('roc_auc', float('nan')):.3f}",
            )
        )
        self.threshold_spin.setValue(card.threshold)
        self._update_estimate()

    def _on_backend_changed(self) -> None:
        remote = self.remote_radio.isChecked()
        for w in (self.url_edit, self.name_edit, self.version_edit, self.auth_select):
            w.setEnabled(remote)

    def polygons(self) -> list[Polygon]:
        if self.extent_radio.isChecked():
            canvas = self.iface.mapCanvas()
            return extent_region(canvas.extent(), canvas.mapSettings().destinationCrs())
        return layer_region(self.region_combo.currentLayer(), self.selected_radio.isChecked())

    def _update_estimate(self) -> None:
        try:
            card = self.card()
            polygons = self.polygons()
        except (InputError, ModelCardError) as exc:
            self.estimate_label.setText(exc.message)
            return
        if card is None:
            return
        key_zoom = card.zoom - 1 if card.supertile else card.zoom
        n = count_cover(polygons, key_zoom)
        lat = 0.0
        side = ground_resolution(lat, key_zoom) * 256
        area = n * side * side / 1e6
        rate = self.settings.last_rate
        eta = (
            tr(", about {eta} at the last scan's {r:.0f} tiles/s").format(eta=format_eta(n / rate), r=rate)
            if rate > 0
            else ""
        )
        self.estimate_label.setText(
            tr("{n} tiles at zoom {z} (≈ {a:.1f} km² at most){eta}.").format(n=n, z=key_zoom, a=area, eta=eta)
        )
        self.tile_count = n

    # -- running -------------------------------------------------------------------------------
    def params(self) -> ScanParams:
        card = self.card()
        if card is None:
            raise InputError("Choose a model folder (its card says how to cut chips).")
        imagery = self.imagery_combo.currentLayer()
        if imagery is None or not imagery.isValid():
            raise InputError("Choose the imagery layer to scan.")
        out = self.out_widget.filePath().strip()
        if not out:
            raise InputError("Choose where to write the results GeoPackage.")
        out_path = Path(out if out.lower().endswith(".gpkg") else out + ".gpkg")
        if out_path.exists() and not self.resume_check.isChecked():
            raise InputError(f"{out_path} exists: tick 'Resume' to continue it, or choose a new file.")
        settings = ScanSettings(
            zoom=card.zoom,
            supertile=card.supertile,
            tile_size=card.tile_size,
            threshold=self.threshold_spin.value(),
            batch_size=self.batch_spin.value(),
            workers=1,
        )
        params = ScanParams(
            self.polygons(), imagery.clone(), out_path, settings, card.model_id, resume=self.resume_check.isChecked()
        )
        if self.remote_radio.isChecked():
            url = self.url_edit.text().strip()
            if not url.startswith(("http://", "https://")):
                raise InputError("Give the TF Serving URL, e.g. https://host:8501.")
            ref = self.version_edit.text().strip()
            params.endpoint = Endpoint(
                url,
                self.name_edit.text().strip() or card.name,
                int(ref) if ref.isdigit() else None,
                ref if ref and not ref.isdigit() else None,
            )
            params.headers = auth_headers(self.auth_select.configId())
            params.model_id = f"{params.endpoint.model}:{ref or 'latest'}"
        else:
            if self.python is None:
                raise InputError("The ML runtime is not set up: open Settings… and click 'Set up ML runtime…'.")
            params.model_dir = Path(self.model_widget.filePath())
            params.python = self.python
        return params

    def start(self, confirm: bool = True) -> ScanTask | None:
        try:
            params = self.params()
        except (InputError, ModelCardError) as exc:
            self.status_label.setText(exc.message)
            return None
        if params.model_dir is not None and not self.trust_model(params.model_dir, ask=confirm):
            self.status_label.setText(tr("Not started: the model folder was not trusted."))
            return None
        n = count_cover(params.polygons, params.settings.key_zoom)
        if confirm and n > self.settings.ask_above_tiles:
            answer = QMessageBox.question(
                self, tr("Large scan"), tr("This scan covers {n} tiles. Start it?").format(n=n)
            )
            if answer != QMessageBox.StandardButton.Yes:
                return None
        settings = PluginSettings.load()
        settings.model_dir = self.model_widget.filePath()
        settings.imagery_layer_id = self.imagery_combo.currentLayer().id()
        settings.save()
        task = ScanTask(params, self.server)
        self.current_task = task
        task.progressChanged.connect(self._on_progress)
        task.eventReceived.connect(self._on_event)
        task.taskCompleted.connect(self._on_completed)
        task.taskTerminated.connect(self._on_terminated)
        self.scan_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status_label.setText(tr("Starting ({n} tiles)…").format(n=n))
        self.tasks.start(task)
        return task

    def trust_model(self, model_dir: Path, ask: bool = True) -> bool:
        """The first time a model folder is loaded, say that loading it runs its code."""
        settings = PluginSettings.load()
        if settings.trusts(model_dir):
            return True
        if ask:
            answer = QMessageBox.warning(
                self,
                tr("Load this model?"),
                tr(
                    "Loading a model runs its code: a SavedModel can carry arbitrary operations. Load "
                    "{dir} only if you made it or trust where it comes from.\n\nLoad it and remember the choice?"
                ).format(dir=model_dir),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        settings.trust(model_dir)
        settings.save()
        return True

    def _on_progress(self, value: float) -> None:
        self.progress.setValue(int(value))

    def _on_event(self, event: Any) -> None:
        if event.event == "progress":
            d = event.data
            eta = format_eta(d.get("eta_s"))
            rate = f" · {d['rate']:.1f} tiles/s" if d.get("rate") else ""
            self.status_label.setText(tr("{done}/{total} tiles").format(**d) + rate + (f" · ETA {eta}" if eta else ""))

    def _idle(self) -> ScanTask | None:
        task, self.current_task = self.current_task, None
        self.scan_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        return task

    def _on_completed(self) -> None:
        task = self._idle()
        if task is None:
            return
        res = task.result_data or {}
        self.last_result = res
        if res.get("tiles_per_s"):
            settings = PluginSettings.load()
            settings.last_rate = float(res["tiles_per_s"])
            settings.save()
        candidates, _ = load_results(
            task.params.out, tr("Candidate schools — {name}").format(name=task.params.out.stem)
        )
        self.result_layer_id = candidates.id()
        skipped = ", ".join(f"{v} {k}" for k, v in (res.get("skipped") or {}).items())
        text = tr("{c} candidates in {n} tiles ({rate} tiles/s); results in {out}.").format(
            c=res.get("candidates"), n=res.get("tiles"), rate=res.get("tiles_per_s"), out=task.params.out
        )
        if skipped:
            text += " " + tr("Skipped: ") + skipped
        self.status_label.setText(text)
        self.progress.setValue(100)
        report_info(self.iface, text)

    def _on_terminated(self) -> None:
        task = self._idle()
        if task is not None and task.error is not None:
            self.status_label.setText(error_text(task.error)[0])
            if task.params.out.exists():  # keep what was scanned visible
                layer, _ = load_results(task.params.out, tr("Candidate schools (partial)"))
                self.result_layer_id = layer.id()

    def cancel_job(self) -> None:
        if self.current_task is not None:
            self.current_task.cancel()


def open_scan(iface: Any, tasks: TaskRegistry, server: LocalServer, python: Path | None) -> ScanDialog:
    dialog = ScanDialog(iface, tasks, server, python, iface.mainWindow() if iface is not None else None)
    dialog.show()
    dialog.raise_()
    return dialog
