"""Build training data…: labeled points + any QGIS raster layer -> chip dataset folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsProject,
    QgsVectorLayer,
)
from qgis.gui import QgsCollapsibleGroupBox, QgsFieldComboBox, QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtCore import QCoreApplication, Qt
from qgis.PyQt.QtGui import QPixmap
from qgis.PyQt.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.chip_plan import NOT_SCHOOL, SCHOOL, ChipGeometry, LabeledPoint, check_split, plan_chips
from ..core.errors import InputError, SchoolDetectorError
from ..core.tiles import TILE_SIZE, ground_resolution
from ..dataset.builder import FOOTPRINTS_GPKG, BuildOptions
from ..notify import report_info
from ..qgis_compat import LAYER_POINT, LAYER_POLYGON, LAYER_RASTER, layer_filters
from ..qgis_io.files import reload_layers_of
from ..qgis_io.labels import SCHOOL_WORDS, class_field, distinct_values, guess_labels_layer, read_layer_labels
from ..qgis_io.layer_source import QgisLayerSource, rgb_to_qimage
from ..settings import PluginSettings
from ..tasks.build_dataset_task import BuildDatasetTask, BuildParams
from ..tasks.registry import TaskRegistry
from ..translation import N_
from .fit import fit_to_screen, keep_width, scroll_body
from .job_panel import JobPanel
from .signals import on_click


def tr(text: str) -> str:
    return QCoreApplication.translate("BuildDatasetDialog", text)


class BuildDatasetDialog(QDialog):
    def __init__(self, iface: Any, tasks: TaskRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.iface = iface
        self.tasks = tasks
        self.last_result: dict[str, Any] | None = None
        self.footprints_layer_id: str | None = None  # an id, not the layer: layers must not outlive QGIS
        self.setWindowTitle(tr("School detector — Build training data"))
        self.setMinimumWidth(620)
        self.panel = JobPanel(tasks, tr("Build"), tr("Cancel job"), tr("Close"), self, on_close=self.reject)
        self.status_label = self.panel.status_label
        self.progress = self.panel.progress
        self.run_button = self.panel.run_button
        self.cancel_button = self.panel.cancel_button
        self._build()
        fit_to_screen(self, self.scroll)
        keep_width(self, self.scroll, self.advanced)
        self._on_layer_changed()
        self._on_mode_changed()

    @property
    def current_task(self) -> BuildDatasetTask | None:
        return self.panel.current_task  # type: ignore[return-value]

    # -- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.scroll, form = scroll_body(self)
        form.addWidget(self._labels_box())
        form.addWidget(self._imagery_box())
        form.addWidget(self._output_box())
        self.advanced = self._advanced_box()
        form.addWidget(self.advanced)
        form.addLayout(self._preview_row())
        layout.addWidget(self.scroll, 1)
        self.preview_button = QPushButton(tr("Preview"))
        on_click(self.preview_button, self.preview)
        self.panel.extra_row.addWidget(self.preview_button)
        layout.addWidget(self.panel.widget())
        self.panel.say(tr("Choose labels, imagery and an output folder."))
        on_click(self.run_button, self.start)

    def _labels_box(self) -> QGroupBox:
        box = QGroupBox(tr("Labels"))
        form = QFormLayout(box)
        self.one_layer = QRadioButton(tr("One layer with a class field"))
        self.two_layers = QRadioButton(tr("Two layers: schools and not-schools"))
        self.one_layer.setChecked(True)
        group = QButtonGroup(self)
        for b in (self.one_layer, self.two_layers):  # one per row: the dialog stays laptop-narrow
            group.addButton(b)
            form.addRow(b)
        self.one_layer.toggled.connect(self._on_mode_changed)
        # one page per mode; only the active one is shown, so the dialog stays short
        form.addRow(self._one_layer_page())
        form.addRow(self._two_layers_page())
        self.selected_only = QCheckBox(tr("Only selected features"))
        form.addRow(self.selected_only)
        return box

    @staticmethod
    def _labels_combo() -> QgsMapLayerComboBox:
        combo = QgsMapLayerComboBox()
        combo.setFilters(layer_filters(LAYER_POINT, LAYER_POLYGON))
        return combo

    def _one_layer_page(self) -> QWidget:
        self.one_page = QWidget()
        one = QFormLayout(self.one_page)
        one.setContentsMargins(0, 0, 0, 0)
        self.layer_combo = self._labels_combo()
        self.layer_combo.setAllowEmptyLayer(True)
        self.layer_combo.setLayer(guess_labels_layer(QgsProject.instance().mapLayers().values()))
        self.layer_combo.layerChanged.connect(self._on_layer_changed)
        one.addRow(tr("Layer:"), self.layer_combo)
        self.field_combo = QgsFieldComboBox()
        self.field_combo.setAllowEmptyFieldName(True)
        self.field_combo.fieldChanged.connect(self._fill_values)
        one.addRow(tr("Class field:"), self.field_combo)
        self.values_list = QListWidget()
        self.values_list.setMaximumHeight(64)
        self.values_list.setToolTip(tr("Ticked values are schools; the others are not-school"))
        one.addRow(tr("Values meaning school:"), self.values_list)
        return self.one_page

    def _two_layers_page(self) -> QWidget:
        self.two_page = QWidget()
        two = QFormLayout(self.two_page)
        two.setContentsMargins(0, 0, 0, 0)
        self.schools_combo = self._labels_combo()
        two.addRow(tr("Schools layer:"), self.schools_combo)
        self.negatives_combo = self._labels_combo()
        self.negatives_combo.setAllowEmptyLayer(True)
        two.addRow(tr("Not-schools layer:"), self.negatives_combo)
        return self.two_page

    def _imagery_box(self) -> QGroupBox:
        box = QGroupBox(tr("Imagery"))
        form = QFormLayout(box)
        self.imagery_combo = QgsMapLayerComboBox()
        self.imagery_combo.setFilters(layer_filters(LAYER_RASTER))
        form.addRow(tr("Layer:"), self.imagery_combo)
        row = QHBoxLayout()
        self.zoom_spin = QSpinBox()
        self.zoom_spin.setRange(10, 22)
        self.zoom_spin.setValue(ChipGeometry().zoom)
        self.zoom_spin.valueChanged.connect(self._update_resolution)
        self.resolution_label = QLabel()
        self.resolution_label.setWordWrap(True)
        row.addWidget(self.zoom_spin)
        row.addWidget(self.resolution_label, 1)
        form.addRow(tr("Zoom:"), row)
        chips = QVBoxLayout()  # two rows: side by side they ran past a laptop dialog's edge
        row = QHBoxLayout()
        self.tile_radio = QRadioButton(tr("Tile (256 px)"))
        self.supertile_radio = QRadioButton(tr("Supertile (512 px, more context)"))
        self.tile_radio.setChecked(True)
        self.centered_check = QCheckBox(tr("Centre on the point"))
        for w in (self.tile_radio, self.supertile_radio):
            row.addWidget(w)
        row.addStretch(1)
        chips.addLayout(row)
        chips.addWidget(self.centered_check)
        form.addRow(tr("Chips:"), chips)
        return box

    def _output_box(self) -> QGroupBox:
        box = QGroupBox(tr("Output"))
        form = QFormLayout(box)
        self.folder_widget = QgsFileWidget()
        self.folder_widget.setStorageMode(QgsFileWidget.StorageMode.GetDirectory)
        form.addRow(tr("Folder:"), self.folder_widget)
        self.footprints_check = QCheckBox(tr("Add chip footprints to the map"))
        self.footprints_check.setChecked(True)
        form.addRow(self.footprints_check)
        return box

    def _advanced_box(self) -> QgsCollapsibleGroupBox:
        """One setting per row (a laptop's dialog is 630 px wide: three pairs side by side ran
        past its right edge once opened)."""
        box = QgsCollapsibleGroupBox(tr("Advanced"))
        box.setCollapsed(True)
        form = QFormLayout(box)
        defaults = BuildOptions()
        self.split_spins = []
        split = QHBoxLayout()
        for name, value in zip((N_("train"), N_("valid"), N_("test")), defaults.split):
            spin = QDoubleSpinBox()
            spin.setRange(0.0, 1.0)
            spin.setSingleStep(0.05)
            spin.setValue(value)
            spin.setToolTip(tr("Share of the chips in {split}").format(split=tr(name)))
            split.addWidget(spin)
            self.split_spins.append(spin)
        form.addRow(tr("Train, valid, test:"), split)
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 999999)
        form.addRow(tr("Seed:"), self.seed_spin)
        self.conflict_combo = QComboBox()
        for rule, text in (
            ("drop", tr("drop the tile")),
            (SCHOOL, tr("school wins")),
            (NOT_SCHOOL, tr("not-school wins")),
        ):
            self.conflict_combo.addItem(text, rule)
        form.addRow(tr("A tile labeled both ways:"), self.conflict_combo)
        self.background_spin = QDoubleSpinBox()
        self.background_spin.setRange(0.0, 20.0)
        self.background_spin.setSingleStep(0.5)
        self.background_spin.setToolTip(tr("Random not-school tiles per school chip, inside the imagery"))
        form.addRow(tr("Background tiles per school:"), self.background_spin)
        self.distance_spin = QDoubleSpinBox()
        self.distance_spin.setRange(0.0, 10000.0)
        self.distance_spin.setValue(defaults.background_distance_m)
        self.distance_spin.setSuffix(" m")
        form.addRow(tr("…at least from schools:"), self.distance_spin)
        return box

    def _preview_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.preview_labels: list[QLabel] = []
        for _ in range(4):
            label = QLabel()
            label.setFixedSize(100, 100)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setStyleSheet("QLabel { background: #f0f0f0; border: 1px solid #ccc; }")
            row.addWidget(label)
            self.preview_labels.append(label)
        return row

    # -- reactions --------------------------------------------------------------------------
    def _on_mode_changed(self) -> None:
        one = self.one_layer.isChecked()
        self.one_page.setVisible(one)
        self.two_page.setVisible(not one)
        self.adjustSize()

    def _on_layer_changed(self) -> None:
        """The class field by name (label, class, type…), never a guess such as ``fid``: a layer
        without one gets none, and the advice to choose it or use two layers."""
        layer = self.layer_combo.currentLayer()
        self.field_combo.setLayer(layer)
        field = class_field(layer)
        self.field_combo.setField(field or "")
        if layer is not None and field is None and self.one_layer.isChecked():
            self.panel.say(
                tr(
                    "'{layer}' has no class field (label, class, type…): choose the field that says school, or use "
                    "'Two layers' (a layer of schools and one of not-schools)."
                ).format(layer=layer.name())
            )
        self._fill_values()
        self._update_resolution()

    def _fill_values(self) -> None:
        self.values_list.clear()
        layer = self.layer_combo.currentLayer()
        field = self.field_combo.currentField()
        if layer is None or not field:
            return
        for value in distinct_values(layer, field):
            item = QListWidgetItem(value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if value.strip().lower() in SCHOOL_WORDS else Qt.CheckState.Unchecked
            )
            self.values_list.addItem(item)

    def school_values(self) -> list[str]:
        return [
            self.values_list.item(i).text()
            for i in range(self.values_list.count())
            if self.values_list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def set_school_values(self, values: list[str]) -> None:
        wanted = {v.lower() for v in values}
        for i in range(self.values_list.count()):
            item = self.values_list.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.text().lower() in wanted else Qt.CheckState.Unchecked)

    def _update_resolution(self) -> None:
        layer = self.layer_combo.currentLayer() if self.one_layer.isChecked() else self.schools_combo.currentLayer()
        layer = layer or self.imagery_combo.currentLayer()
        lat = 0.0
        if layer is not None and layer.crs().isValid():
            try:
                tr4326 = QgsCoordinateTransform(
                    layer.crs(), QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance()
                )
                lat = tr4326.transformBoundingBox(layer.extent()).center().y()
            except Exception:  # noqa: BLE001 - fall back to the equator
                lat = 0.0
        z = self.zoom_spin.value()
        self.resolution_label.setText(
            tr("≈ {m:.2f} m/px here; a tile is {t:.0f} m across").format(
                m=ground_resolution(lat, z), t=ground_resolution(lat, z) * TILE_SIZE
            )
        )

    # -- parameters ---------------------------------------------------------------------------
    def options(self) -> BuildOptions:
        fractions = check_split(tuple(round(s.value(), 6) for s in self.split_spins))
        return BuildOptions(
            geometry=ChipGeometry(
                zoom=self.zoom_spin.value(),
                supertile=self.supertile_radio.isChecked(),
                centered=self.centered_check.isChecked(),
            ),
            split=fractions,
            seed=self.seed_spin.value(),
            conflict_rule=self.conflict_combo.currentData(),
            background_ratio=self.background_spin.value(),
            background_distance_m=self.distance_spin.value(),
            workers=1,
        )

    def read_points(self) -> tuple[list[LabeledPoint], int]:
        selected = self.selected_only.isChecked()
        if self.one_layer.isChecked():
            got = read_layer_labels(
                self.layer_combo.currentLayer(),
                self.field_combo.currentField(),
                self.school_values(),
                selected_only=selected,
            )
            return got.points, got.unlabeled
        schools = read_layer_labels(
            self.schools_combo.currentLayer(), fixed_label=SCHOOL, selected_only=selected, role="schools"
        )
        points, unlabeled = schools.points, schools.unlabeled
        if self.negatives_combo.currentLayer() is not None:
            neg = read_layer_labels(
                self.negatives_combo.currentLayer(), fixed_label=NOT_SCHOOL, selected_only=selected, role="not-schools"
            )
            points, unlabeled = points + neg.points, unlabeled + neg.unlabeled
        return points, unlabeled

    def collect_params(self) -> BuildParams:
        """A validated parameter object; raises InputError with what to fix."""
        imagery = self.imagery_combo.currentLayer()
        if imagery is None or not imagery.isValid():
            raise InputError("Choose an imagery layer (any raster layer: GeoTIFF, XYZ basemap, WMS…).")
        folder = self.folder_widget.filePath().strip()
        if not folder:
            raise InputError("Choose an output folder for the dataset.")
        points, unlabeled = self.read_points()
        options = self.options()
        plan_chips(points, options.geometry, options.conflict_rule)  # fail here, before any task
        return BuildParams(points, imagery.clone(), Path(folder), options, self.footprints_check.isChecked(), unlabeled)

    # -- actions --------------------------------------------------------------------------------
    def preview(self) -> None:
        """Render a few chips (schools first) exactly as the full run will cut them."""
        try:
            params = self.collect_params()
            plans, _ = plan_chips(params.points, params.options.geometry, params.options.conflict_rule)
            picks = [p for p in plans if p.label == SCHOOL][:2] + [p for p in plans if p.label != SCHOOL][:2]
            source = QgisLayerSource(params.imagery)
            g = params.options.geometry
            for label in self.preview_labels:
                label.clear()
            for label, plan in zip(self.preview_labels, picks):
                chip = source.read(plan.bounds(g.zoom, g.chip_px), g.chip_px)
                pixmap = QPixmap.fromImage(rgb_to_qimage(chip.rgb)).scaled(
                    96, 96, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
                label.setPixmap(pixmap)
                label.setToolTip(f"{plan.label} · {plan.tile.id} · {chip.valid_fraction:.0%} imagery")
            self.status_label.setText(tr("Preview of {n} chips: schools left, not-schools right.").format(n=len(picks)))
        except SchoolDetectorError as exc:  # bad input, and imagery that can't be read (no CRS…): said the same
            self.status_label.setText(exc.message)

    def start(self) -> BuildDatasetTask | None:
        try:
            params = self.collect_params()
        except InputError as exc:
            self.panel.say(exc.message)
            return None
        task = BuildDatasetTask(params)
        self.panel.start(task, on_done=self._on_completed, busy=(self.preview_button,))
        self.panel.say(tr("Building… {n} labeled points").format(n=len(params.points)))
        return task

    def _on_completed(self, task: BuildDatasetTask) -> None:
        info = task.result_data or {}
        self.last_result = info
        settings = PluginSettings.load()  # Train classifier… offers it next
        settings.last_dataset = str(task.params.out_dir)
        settings.save()
        counts = info.get("counts", {})
        parts = [
            f"{split}: {c.get('school', 0)} school / {c.get('not-school', 0)} not-school" for split, c in counts.items()
        ]
        skipped = info.get("skipped") or {}
        text = tr("{n} chips in {out}.").format(n=info.get("chips"), out=task.params.out_dir)
        text += " " + "; ".join(parts) + "."
        if skipped:
            text += " " + tr("Skipped: ") + ", ".join(f"{v} {k}" for k, v in skipped.items())
        labels = info.get("labels", {})
        merged, background = labels.get("duplicates", 0), labels.get("background", 0)
        if merged or background:
            text += " " + tr(
                "{d} labels in the same tile as another were merged; {b} random not-school chips added."
            ).format(d=merged, b=background)
        if labels.get("conflicts"):
            text += " " + tr("{c} tiles labeled both ways ({rule}).").format(
                c=labels["conflicts"], rule=labels.get("conflict_rule")
            )
        empty = [split for split, c in counts.items() if not c.get(SCHOOL)]
        if empty:
            text += " " + tr(
                "Warning: no school chip in {splits}: training needs schools in train and valid, and the test "
                "figures mean nothing without them. Add school labels (or check the class values ticked)."
            ).format(splits=", ".join(empty))
        self.panel.say(text)
        report_info(self.iface, text)
        if task.params.add_footprints:
            self.add_footprints(task.params.out_dir)

    def add_footprints(self, out_dir: Path) -> QgsVectorLayer | None:
        path = Path(out_dir) / FOOTPRINTS_GPKG
        shown = reload_layers_of(path)  # built again into the same folder: the layer shows the new chips
        if shown:
            self.footprints_layer_id = shown[0].id()
            return shown[0] if isinstance(shown[0], QgsVectorLayer) else None
        layer = QgsVectorLayer(f"{path}|layername=chips", tr("Chips — {name}").format(name=Path(out_dir).name), "ogr")
        if not layer.isValid():
            return None
        from ..qgis_io.styles import style_chip_footprints

        style_chip_footprints(layer)
        QgsProject.instance().addMapLayer(layer)
        self.footprints_layer_id = layer.id()
        return layer

    def cancel_job(self) -> None:
        self.panel.cancel()


def open_build_dataset(iface: Any, tasks: TaskRegistry) -> BuildDatasetDialog:
    dialog = BuildDatasetDialog(iface, tasks, iface.mainWindow() if iface is not None else None)
    dialog.show()
    dialog.raise_()
    return dialog
