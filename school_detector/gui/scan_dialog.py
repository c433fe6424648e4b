"""Scan region…: region, imagery, model (local or TF Serving), threshold, output; the size and
an ETA before starting; progress and the candidates layer at the end. "Scan current extent"
runs the same with the last settings in one click. The dialog only collects inputs: the scan
itself is scan.job's, run by a ScanTask."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from qgis.core import QgsProject, QgsRasterLayer, QgsVectorLayer
from qgis.gui import QgsAuthConfigSelect, QgsCollapsibleGroupBox, QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtCore import QCoreApplication, QTimer
from qgis.PyQt.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.cover import EXACT_COUNT_LIMIT, Polygon, estimate_cover
from ..core.errors import InputError, ModelCardError, OtherScanError, SchoolDetectorError
from ..core.model_card import ModelCard
from ..core.places import KnownSchools
from ..core.tiles import TILE_SIZE, ground_resolution
from ..notify import error_text, report_info
from ..qgis_compat import GEOMETRY_POLYGON, LAYER_POINT, LAYER_POLYGON, LAYER_RASTER, layer_filters
from ..qgis_io.auth import auth_headers
from ..qgis_io.layer_source import QgisLayerSource
from ..qgis_io.places import buildings_from_layer, known_from_layer
from ..qgis_io.region import extent_region, layer_region
from ..qgis_io.results import show_results
from ..runtime.jobs import format_eta
from ..runtime.local_server import LocalServer
from ..scan.buildings import BuildingsSource
from ..scan.job import PredictorSpec, ScanJob, ScanRequest
from ..scan.region import clip_to_extent
from ..settings import PluginSettings
from ..tasks.registry import TaskRegistry
from ..tasks.scan_task import ScanTask
from .fit import fit_to_screen, scroll_body
from .job_panel import JobPanel
from .signals import on_click

#: the estimate waits for the map to rest this long
ESTIMATE_DELAY_MS = 300
#: a scan this long (tiles scored) gives the rate later ETAs use
RATE_MIN_TILES = 200
#: layer names that say "a region to scan"
REGION_WORDS = ("district", "boundar", "region", "admin", "province", "county", "ward", "municip", "area")


def region_layer_guess() -> Any:
    """A polygon layer named like a district or boundary, else None (buildings, compounds and
    fields are polygons too: the region is not just any of them)."""
    for layer in QgsProject.instance().mapLayers().values():
        name = layer.name().lower()
        if (
            isinstance(layer, QgsVectorLayer)
            and layer.geometryType() == GEOMETRY_POLYGON
            and any(w in name for w in REGION_WORDS)
        ):
            return layer
    return None


def tr(text: str) -> str:
    return QCoreApplication.translate("ScanDialog", text)


def default_output() -> Path | None:
    """A new results file next to the saved project, or in the folder chosen for scans (asked
    once: see ask_results_folder); None when neither is known yet."""
    home = QgsProject.instance().homePath() or PluginSettings.load().results_dir
    if not home or not Path(home).is_dir():
        return None
    return Path(home) / f"scan-{datetime.now().strftime('%Y%m%d-%H%M%S')}.gpkg"


def ask_results_folder(parent: QWidget | None) -> Path | None:
    """Once, for a project that is not saved yet: where scans go (remembered)."""
    folder = QFileDialog.getExistingDirectory(
        parent, tr("Where should scan results go? (Saved projects keep them next to the project.)")
    )
    if not folder:
        return None
    settings = PluginSettings.load()
    settings.results_dir = folder
    settings.save()
    return default_output()


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
        self.result_layer_id: str | None = None
        self.last_result: dict[str, Any] | None = None
        self.setWindowTitle(tr("School detector — Scan region"))
        self.setMinimumWidth(600)
        self.panel = JobPanel(tasks, tr("Scan"), tr("Cancel job"), tr("Close"), self, on_close=self.reject)
        self.status_label = self.panel.status_label
        self.progress = self.panel.progress
        self.scan_button = self.panel.run_button
        self.cancel_button = self.panel.cancel_button
        self._build()
        fit_to_screen(self, self.scroll)
        self._update_estimate()

    @property
    def current_task(self) -> ScanTask | None:
        return self.panel.current_task  # type: ignore[return-value]

    def opened(self) -> None:
        """Shown again (the dialog lives as long as the plugin): take the model in use now and
        forget the previous run's words; a running scan keeps its progress."""
        if self.current_task is not None:
            return
        self.settings = PluginSettings.load()
        if self.settings.model_dir and self.settings.model_dir != self.model_widget.filePath():
            self.model_widget.setFilePath(self.settings.model_dir)  # refreshes the card and estimate
        self.panel.say("")
        self.progress.setValue(0)
        self._update_estimate()

    # -- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.scroll, form = scroll_body(self)
        form.addWidget(self._region_box())
        form.addWidget(self._model_box())
        form.addWidget(self._endpoint_box())
        form.addWidget(self._places_box())
        form.addWidget(self._output_box())
        layout.addWidget(self.scroll, 1)
        self.estimate_label = QLabel()
        self.estimate_label.setWordWrap(True)
        layout.addWidget(self.estimate_label)
        layout.addWidget(self.panel.widget())
        on_click(self.scan_button, self.start)
        self._on_model_changed()
        self._on_backend_changed()
        self.imagery_combo.layerChanged.connect(self._update_estimate)
        self._estimate_timer = QTimer(self)
        self._estimate_timer.setSingleShot(True)
        self._estimate_timer.setInterval(ESTIMATE_DELAY_MS)
        self._estimate_timer.timeout.connect(self._update_estimate)
        canvas = self.iface.mapCanvas() if self.iface is not None else None
        if canvas is not None:
            canvas.extentsChanged.connect(self._on_extent_changed)

    def _on_extent_changed(self) -> None:
        """The estimate follows the map while the region is the map's extent, once the map rests
        (a pan is dozens of extent changes)."""
        if self.extent_radio.isChecked() and self.isVisible():
            self._estimate_timer.start()

    def _region_box(self) -> QGroupBox:
        box = QGroupBox(tr("Region"))
        form = QFormLayout(box)
        self.extent_radio = QRadioButton(tr("Current map extent"))
        self.selected_radio = QRadioButton(tr("Selected polygons of"))
        self.layer_radio = QRadioButton(tr("All polygons of"))
        self.extent_radio.setChecked(True)
        group = QButtonGroup(self)
        row = QHBoxLayout()
        for b in (self.extent_radio, self.selected_radio, self.layer_radio):
            group.addButton(b)
            b.toggled.connect(self._update_estimate)
            row.addWidget(b)
        form.addRow(row)
        self.region_combo = QgsMapLayerComboBox()
        self.region_combo.setFilters(layer_filters(LAYER_POLYGON))
        self.region_combo.setAllowEmptyLayer(True)
        self.region_combo.setLayer(region_layer_guess())  # a district-like layer, else none: never any polygons
        self.region_combo.layerChanged.connect(self._update_estimate)
        form.addRow(tr("Polygon layer:"), self.region_combo)
        self.imagery_combo = QgsMapLayerComboBox()
        self.imagery_combo.setFilters(layer_filters(LAYER_RASTER))
        layer = QgsProject.instance().mapLayer(self.settings.imagery_layer_id)
        if isinstance(layer, QgsRasterLayer):
            self.imagery_combo.setLayer(layer)
        form.addRow(tr("Imagery:"), self.imagery_combo)
        return box

    def _model_box(self) -> QGroupBox:
        box = QGroupBox(tr("Model"))
        form = QFormLayout(box)
        self.model_widget = QgsFileWidget()
        self.model_widget.setStorageMode(QgsFileWidget.StorageMode.GetDirectory)
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
        row = QHBoxLayout()
        for b in (self.local_radio, self.remote_radio):
            backend.addButton(b)
            b.toggled.connect(self._on_backend_changed)
            row.addWidget(b)
        form.addRow(row)
        self.threshold_spin = QDoubleSpinBox()
        self.threshold_spin.setRange(0.0, 1.0)
        self.threshold_spin.setSingleStep(0.05)
        self.threshold_spin.setDecimals(3)
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(1, 512)
        self.batch_spin.setValue(32)
        row = QHBoxLayout()
        row.addWidget(self.threshold_spin)
        row.addWidget(QLabel(tr("Batch size:")))
        row.addWidget(self.batch_spin)
        row.addStretch(1)
        form.addRow(tr("Threshold:"), row)
        return box

    def _endpoint_box(self) -> QgsCollapsibleGroupBox:
        box = QgsCollapsibleGroupBox(tr("TF Serving endpoint"))
        form = QFormLayout(box)
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("https://serving.example.org:8501")
        form.addRow(tr("URL:"), self.url_edit)
        row = QHBoxLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(tr("name (the card's)"))
        self.version_edit = QLineEdit()
        self.version_edit.setPlaceholderText(tr("version (latest)"))
        self.version_edit.setToolTip(tr("A version number or a label; empty: the latest version"))
        row.addWidget(self.name_edit)
        row.addWidget(self.version_edit)
        form.addRow(tr("Model:"), row)
        self.auth_select = QgsAuthConfigSelect()
        form.addRow(tr("Authentication:"), self.auth_select)
        self.endpoint_box = box
        return box

    def _places_box(self) -> QGroupBox:
        """What a mapper need not visit: schools already mapped, and land without buildings."""
        box = QGroupBox(tr("Leave out"))
        form = QFormLayout(box)
        self.known_combo = QgsMapLayerComboBox()
        self.known_combo.setFilters(layer_filters(LAYER_POINT, LAYER_POLYGON))
        self.known_combo.setAllowEmptyLayer(True)
        self.known_combo.setLayer(None)
        self.known_combo.setToolTip(
            tr("Schools already mapped (a layer with a 'label' field: its 'school' features; else every feature)")
        )
        form.addRow(tr("Known schools:"), self.known_combo)
        self.training_schools_check = QCheckBox()
        self.training_schools_check.setChecked(True)
        form.addRow(self.training_schools_check)
        self.buildings_combo = QgsMapLayerComboBox()
        self.buildings_combo.setFilters(layer_filters(LAYER_POINT, LAYER_POLYGON, LAYER_RASTER))
        self.buildings_combo.setAllowEmptyLayer(True)
        self.buildings_combo.setLayer(None)
        self.buildings_combo.setToolTip(
            tr(
                "Building footprints or points (Microsoft, Google, Overture, OSM) or a built-up raster (e.g. GHSL): "
                "tiles without a building are not scanned"
            )
        )
        self.buildings_combo.layerChanged.connect(self._update_estimate)
        form.addRow(tr("Buildings:"), self.buildings_combo)
        self._buildings_source: tuple[str, BuildingsSource] | None = None  # (layer id, its features, read once)
        self._buildings_cache: dict[tuple[Any, ...], Any] = {}
        return box

    def _training_schools(self, card: ModelCard | None) -> Path | None:
        """The dataset folder the model was trained on, when it is still there."""
        folder = Path(card.dataset_dir) if card is not None and card.dataset_dir else None
        return folder if folder is not None and (folder / "manifest.csv").is_file() else None

    def known_schools(self) -> KnownSchools | None:
        """The known-schools layer's schools (the model's training schools join them in the
        scan job when the box is ticked)."""
        layer = self.known_combo.currentLayer()
        return known_from_layer(layer) if layer is not None else None

    def buildings(self) -> BuildingsSource | None:
        """The chosen buildings layer, its features read on the main thread once per layer (the
        estimate and the scan share them: a national footprints layer is read once, not twice)."""
        layer = self.buildings_combo.currentLayer()
        if layer is None:
            return None
        if self._buildings_source is None or self._buildings_source[0] != layer.id():
            self._buildings_source = (layer.id(), buildings_from_layer(layer))
        return self._buildings_source[1]

    def _inhabited(self, polygons: list[Polygon], key_zoom: int) -> int | None:
        """How many of the region's tiles hold a building (None without a buildings layer)."""
        source, layer = self.buildings(), self.buildings_combo.currentLayer()
        if source is None or layer is None:
            return None
        # points are tiled whole; a built-up raster is read over the region only, so it follows the region
        region = None if source.path is None else tuple(map(tuple, (p for poly in polygons for p in poly[0])))
        key = (layer.id(), key_zoom, region)
        if key not in self._buildings_cache:
            self._buildings_cache = {key: source.load(key_zoom, polygons)}
        return sum(1 for _ in self._buildings_cache[key].tiles_in(polygons))

    def _output_box(self) -> QGroupBox:
        box = QGroupBox(tr("Output"))
        form = QFormLayout(box)
        self.out_widget = QgsFileWidget()
        self.out_widget.setStorageMode(QgsFileWidget.StorageMode.SaveFile)
        self.out_widget.setFilter("GeoPackage (*.gpkg)")
        self.out_widget.setFilePath(str(default_output() or ""))
        form.addRow(tr("Results:"), self.out_widget)
        self.resume_check = QCheckBox(tr("Resume into an existing results file (skip tiles already scanned)"))
        self.resume_check.setChecked(True)
        form.addRow(self.resume_check)
        return box

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
            self.training_schools_check.setVisible(False)
            return
        cautions = "".join(f"\n⚠ {w}" for w in card.warnings)  # a degenerate model must not read as a good one
        self.card_label.setText(card.headline() + cautions)
        self.card_label.setStyleSheet("color: #a15c00;" if card.warnings else "")
        self.threshold_spin.setValue(card.threshold)
        dataset = self._training_schools(card)
        self.training_schools_check.setVisible(dataset is not None)
        self.training_schools_check.setText(
            tr("and the schools of the model's dataset ({dir})").format(dir=dataset.name if dataset else "")
        )
        self._update_estimate()

    def _on_backend_changed(self) -> None:
        remote = self.remote_radio.isChecked()
        for w in (self.url_edit, self.name_edit, self.version_edit, self.auth_select):
            w.setEnabled(remote)
        self.endpoint_box.setCollapsed(not remote)

    def polygons(self) -> list[Polygon]:
        if self.extent_radio.isChecked():
            canvas = self.iface.mapCanvas()
            return extent_region(canvas.extent(), canvas.mapSettings().destinationCrs())
        return layer_region(self.region_combo.currentLayer(), self.selected_radio.isChecked())

    def region_text(self) -> str:
        if self.extent_radio.isChecked():
            return "map extent"
        layer = self.region_combo.currentLayer()
        return f"{'selected polygons of ' if self.selected_radio.isChecked() else ''}{layer.name() if layer else ''}"

    def planned_polygons(self) -> list[Polygon]:
        """The region clipped to the imagery's extent (as the scan job plans it): zoomed out,
        the extent may span a country while the imagery covers a town."""
        imagery = self.imagery_combo.currentLayer()
        extent = QgisLayerSource(imagery).extent_3857() if isinstance(imagery, QgsRasterLayer) else None
        return clip_to_extent(self.polygons(), extent, imagery.name() if imagery is not None else "")

    def describe_plan(self, tiles: int, key_zoom: int, inhabited: int | None, exact: bool = True) -> str:
        """'N tiles with imagery at zoom Z (≈ A km²), M with buildings, about T': the estimate's
        words, and the large-scan question's. Not ``exact``: ``tiles`` is the region's box, an
        upper bound (a world view is 68 billion tiles: never counted on the GUI thread)."""
        side = ground_resolution(0.0, key_zoom) * TILE_SIZE
        if not exact:
            return tr(
                "up to {n:,} tiles at zoom {z} (the region's box): more than {limit:,}, so not counted here; zoom "
                "in, or choose a district"
            ).format(n=tiles, z=key_zoom, limit=EXACT_COUNT_LIMIT)
        text = tr("{n:,} tiles at zoom {z} with imagery (≈ {a:.1f} km² at most)").format(
            n=tiles, z=key_zoom, a=tiles * side * side / 1e6
        )
        todo = tiles
        if inhabited is not None:
            text += tr(", {m} with buildings (the others are skipped)").format(m=inhabited)
            todo = inhabited
        rate = self.settings.last_rate
        if rate > 0:
            text += tr(", about {eta} at the last scan's {r:.0f} tiles/s").format(eta=format_eta(todo / rate), r=rate)
        return text

    def _update_estimate(self) -> None:
        try:
            card = self.card()
            polygons = self.planned_polygons()
            if card is None:
                self.estimate_label.setText("")
                return
            key_zoom = card.geometry.key_zoom
            tiles, exact = estimate_cover(polygons, key_zoom)
            inhabited = self._inhabited(polygons, key_zoom) if exact else None
        except SchoolDetectorError as exc:
            self.estimate_label.setText(exc.message)
            return
        self.estimate_label.setText(self.describe_plan(tiles, key_zoom, inhabited, exact) + ".")

    # -- the job -------------------------------------------------------------------------------
    def predictor(self, card: ModelCard) -> PredictorSpec:
        model_dir = Path(self.model_widget.filePath())
        if not self.remote_radio.isChecked():
            return PredictorSpec("local", model_dir, python=self.python)
        url = self.url_edit.text().strip()
        if not url.startswith(("http://", "https://")):
            raise InputError("Give the TF Serving URL, e.g. https://host:8501.")
        ref = self.version_edit.text().strip()
        return PredictorSpec(
            "rest",
            model_dir,
            url=url,
            name=self.name_edit.text().strip() or card.name,
            version=int(ref) if ref.isdigit() else None,
            label=ref if ref and not ref.isdigit() else None,
            headers=auth_headers(self.auth_select.configId(), url),
        )

    def build_job(self) -> ScanJob:
        """The scan this dialog stands for (its imagery a clone, owned by the job's task)."""
        card = self.card()
        if card is None:
            raise InputError("Choose a model folder (its card says how to cut chips).")
        imagery = self.imagery_combo.currentLayer()
        if imagery is None or not imagery.isValid():
            raise InputError("Choose the imagery layer to scan.")
        out = self.out_widget.filePath().strip()
        if not out:
            chosen = ask_results_folder(self)
            if chosen is None:
                raise InputError("Not started: choose where to write the results GeoPackage.")
            out = str(chosen)
            self.out_widget.setFilePath(out)
        spec = self.predictor(card)
        request = ScanRequest(
            QgisLayerSource(imagery.clone()),
            Path(out if out.lower().endswith(".gpkg") else out + ".gpkg"),
            spec,
            polygons=self.polygons(),
            region=self.region_text(),
            threshold=self.threshold_spin.value(),
            batch_size=self.batch_spin.value(),
            workers=1,
            resume=self.resume_check.isChecked(),
            trusted=lambda folder: PluginSettings.load().trusts(folder),
            known=self.known_schools(),
            training_schools=self.training_schools_check.isChecked(),
            buildings=self.buildings(),
        )
        return ScanJob(request, self.server)

    def start(self) -> ScanTask | None:
        """The Scan button: the person's click, so a large scan is asked about."""
        return self.scan(ask_size=True)

    def scan(self, ask_size: bool) -> ScanTask | None:
        """Start the scan this dialog stands for. ``ask_size``: ask before a scan over the
        size set in the settings. A model folder not trusted yet is always asked about
        (loading it runs its code): no caller can skip that question."""
        try:
            job = self.build_job()
            spec = job.request.predictor
            if spec.kind == "local" and spec.model_dir is not None and not self.trust_model(spec.model_dir):
                self.panel.say(tr("Not started: the model folder was not trusted."))
                return None
            job.check()
            plan = job.plan()
        except OtherScanError as exc:
            fresh = self._propose_new_output()
            self.panel.say(
                exc.message
                + (
                    " " + tr("A new results file is proposed: {name}. Scan again to use it.").format(name=fresh.name)
                    if fresh
                    else ""
                )
            )
            return None
        except SchoolDetectorError as exc:
            self.panel.say(exc.message)
            return None
        n = plan["inhabited"]
        if ask_size and n > self.settings.ask_above_tiles:
            question = self.describe_plan(
                plan["tiles"], job.settings.key_zoom, n if job.request.buildings else None, plan["exact"]
            )
            answer = QMessageBox.question(
                self, tr("Large scan"), tr("This scan covers {plan}. Start it?").format(plan=question)
            )
            if answer != QMessageBox.StandardButton.Yes:
                self.panel.say(tr("Not started: {plan}.").format(plan=question))
                return None
        self._remember()
        task = ScanTask(job, job.request.source.layer)
        self.panel.start(task, on_done=self._on_completed, on_failed=self._on_terminated)
        self.panel.say(
            tr("Starting ({n:,} tiles)…").format(n=n)
            if plan["exact"]
            else tr("Starting: counting the region's tiles (up to {n:,})…").format(n=n)
        )
        return task

    def _remember(self) -> None:
        settings = PluginSettings.load()
        settings.model_dir = self.model_widget.filePath()
        settings.imagery_layer_id = self.imagery_combo.currentLayer().id()
        settings.save()

    def trust_model(self, model_dir: Path) -> bool:
        """The first time a model folder is loaded, say that loading it runs its code; trusted
        only on the person's yes (remembered)."""
        settings = PluginSettings.load()
        if settings.trusts(model_dir):
            return True
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

    def _on_completed(self, task: ScanTask) -> None:
        res = task.result_data or {}
        self.last_result = res
        if res.get("tiles_per_s") and res.get("scored_now", 0) >= RATE_MIN_TILES:  # 4 tiles say nothing of a rate
            settings = PluginSettings.load()
            settings.last_rate = float(res["tiles_per_s"])
            settings.save()
        self._show(task.out)
        skipped = ", ".join(f"{v} {k}" for k, v in (res.get("skipped") or {}).items())
        text = tr("{c} in {n:,} tiles ({rate} tiles/s on {on}); results in {out}.").format(
            c=tr("1 candidate")
            if res.get("candidates") == 1
            else tr("{c:,} candidates").format(c=res.get("candidates", 0)),
            n=res.get("tiles", 0),
            rate=res.get("tiles_per_s"),
            on=(res.get("predictor") or {}).get("runs_on") or "?",
            out=task.out,
        )
        if skipped:
            text += " " + tr("Skipped: ") + skipped
        text += " " + tr("To review: {p} places ({n} near a mapped school); {k} on known schools set aside.").format(
            p=res.get("places", 0), n=res.get("near_known", 0), k=res.get("known", 0)
        )
        warnings = res.get("warnings") or []
        if warnings:  # said during the scan; still true when the mapper reads the result
            text += " " + tr("Note: ") + " ".join(warnings)
        self.panel.say(text)
        report_info(self.iface, text)
        self._propose_new_output()  # the next scan gets its own file: resuming into this one is a choice

    def _on_terminated(self, task: ScanTask) -> None:
        if task.error is None:
            return
        self.panel.say(error_text(task.error)[0])
        if task.out.exists():  # keep what was scanned visible
            self._show(task.out, partial=True)

    def _propose_new_output(self) -> Path | None:
        """A new results file in the Results box (when a place for one is known); returns it."""
        fresh = default_output()
        if fresh is not None:
            self.out_widget.setFilePath(str(fresh))
        return fresh

    def _show(self, out: Path, partial: bool = False) -> None:
        """The results file's candidates on the map, the active layer (Review detections opens
        on it)."""
        layer = show_results(out, partial)
        self.result_layer_id = layer.id()
        if self.iface is not None:
            self.iface.setActiveLayer(layer)

    def cancel_job(self) -> None:
        self.panel.cancel()


def open_scan(iface: Any, tasks: TaskRegistry, server: LocalServer, python: Path | None) -> ScanDialog:
    dialog = ScanDialog(iface, tasks, server, python, iface.mainWindow() if iface is not None else None)
    dialog.show()
    dialog.raise_()
    return dialog
