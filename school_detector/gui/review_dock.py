"""Review detections: a dock that steps a mapper through places to visit over the basemap.

Every decision is written straight to the GeoPackage through the data provider (no edit
session to forget to save): closing QGIS or a crash loses nothing. Y confirm, N reject,
U unsure, S skip, B back (undoes the last decision): on the dock, its queue list and the map
canvas, never while typing a note. The threshold slider filters the layer (going below the
scan's threshold uses the kept scores: never a rescan); the queue can be ordered by score or
as a short walk over the map, shared between mappers, and grouped into places so a school seen
from neighbouring tiles is decided once. Candidates the scan set aside as known schools are
not in the queue unless asked for. A key press costs no recount and no file read: counts are
kept as decisions are made, the scan's record is read once per layer, and the chip preview is
drawn in the background."""

from __future__ import annotations

import getpass
import time
from collections.abc import Callable
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsField,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.gui import QgsDockWidget, QgsMapLayerComboBox
from qgis.PyQt.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.chip_plan import ChipGeometry
from ..core.errors import SchoolDetectorError
from ..core.places import ground_scale
from ..core.results import CANDIDATE_FIELDS, DECISIONS, REVIEW_FIELDS, ReviewStatus, missing_fields
from ..core.review_queue import Item, build_queue, decided_elsewhere, on_decided_places, place_point
from ..core.tiles import Tile, bounds_3857, xy_to_fractional_tile
from ..notify import report_error, report_info
from ..qgis_compat import LAYER_POINT, LAYER_RASTER, field_type, layer_filters
from ..qgis_io import review_layer
from ..scan.store import candidate_floor, read_info
from ..settings import PluginSettings
from ..tasks.registry import TaskRegistry
from ..translation import N_
from .fit import scrolling
from .job_panel import JobPanel
from .review_outputs import ReviewOutputs
from .review_preview import PREVIEW_PX, PreviewRenderer, PreviewRequest, chip_fractions
from .signals import on_click

KEYS = (
    ("confirm", ReviewStatus.CONFIRMED, "Y", N_("Confirm")),
    ("reject", ReviewStatus.REJECTED, "N", N_("Reject")),
    ("unsure", ReviewStatus.UNSURE, "U", N_("Unsure")),
)


def tr(text: str) -> str:
    return QCoreApplication.translate("ReviewDock", text)


def reviewer_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name: still record something
        return "reviewer"


class _KeyPad(QWidget):
    """Y/N/U/B/S anywhere in the dock except while typing a note (the line edit keeps its keys)."""

    def __init__(self, dock: ReviewDock) -> None:
        super().__init__()
        self.dock = dock

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 (Qt API)
        if self.dock.handle_key(event):
            event.accept()
            return
        super().keyPressEvent(event)


class _KeyFilter(QObject):
    """The same keys on the queue list (which would take letters for its type-to-search) and on
    the map canvas (where the mapper looks), while the dock is shown."""

    def __init__(self, dock: ReviewDock) -> None:
        super().__init__(dock)
        self.dock = dock

    def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802 (Qt API)
        return event.type() == QEvent.Type.KeyPress and self.dock.isVisible() and self.dock.handle_key(event)


ORDERS = (("score", N_("highest score first")), ("nearest", N_("nearest first (a short walk)")))
SHARES = (
    ("", N_("whole queue")),
    ("stride", N_("every N-th (stride)")),
    ("region", N_("west-to-east strips (region)")),
)
STATUS_FILTERS = (
    ("unreviewed", N_("unreviewed")),
    ("", N_("all")),
    ("unsure", N_("unsure")),
    ("confirmed", N_("confirmed")),
    ("rejected", N_("rejected")),
    ("known", N_("known schools (set aside by the scan)")),
)


class ReviewDock(ReviewOutputs, QgsDockWidget):
    def __init__(self, iface: Any, parent: QWidget | None = None, tasks: TaskRegistry | None = None) -> None:
        """``tasks``: the plugin's registry (add-reviewed jobs are cancelled when it unloads)."""
        super().__init__(tr("School detector — Review"), parent)
        self.setObjectName("SchoolDetectorReviewDock")
        self.iface = iface
        self.layer: QgsVectorLayer | None = None
        self.queue: list[list[int]] = []  # groups of feature ids: one entry per place, best first
        self.listed: dict[int, str] = {}  # the status each candidate had when the queue was built
        self.position = 0
        self.history: list[tuple[dict[int, dict[str, Any]], int]] = []
        self.decisions = 0
        self.started = time.time()
        self.reviewer = PluginSettings.load().reviewer or reviewer_name()
        self._overwrite: tuple[int, ...] | None = None
        self.counts: dict[str, int] = {}  # candidates per status, kept as decisions are made
        self.near_known: dict[int, float] = {}  # metres to a known school, for candidates near one
        self.settled = 0  # waiting candidates on places already decided (not queued again)
        self.info: dict[str, Any] = {}  # the scan's record, read once per layer
        self.preview = PreviewRenderer(self)
        self.preview.ready.connect(self._on_preview)
        body = _KeyPad(self)
        body.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        layout = QVBoxLayout(body)
        layout.addLayout(self._build_filters())
        self.queue_list = QListWidget()
        self.queue_list.setMaximumHeight(140)
        self.queue_list.setUniformItemSizes(True)  # a 50,000-row queue: no per-row layout on each move
        self.queue_list.currentRowChanged.connect(self._on_row)
        self._keys = _KeyFilter(self)
        self.queue_list.installEventFilter(self._keys)
        canvas = iface.mapCanvas() if iface is not None else None
        if canvas is not None:
            canvas.installEventFilter(self._keys)
        layout.addWidget(self.queue_list)
        self.current_label = QLabel(tr("Choose a candidates layer (from a scan)."))
        self.current_label.setWordWrap(True)
        layout.addWidget(self.current_label)
        layout.addLayout(self._build_preview())
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText(tr("note (optional), saved with the next decision"))
        layout.addWidget(self.note_edit)
        layout.addLayout(self._build_buttons())
        self.stats_label = QLabel()
        self.stats_label.setWordWrap(True)
        layout.addWidget(self.stats_label)
        self.fix_button = QPushButton(tr("Add the missing review fields"))
        self.fix_button.setVisible(False)
        on_click(self.fix_button, self.add_missing_fields)
        layout.addWidget(self.fix_button)
        self.training_panel = JobPanel(
            tasks or TaskRegistry(iface), tr("Add reviewed to training data…"), tr("Cancel"), parent=self
        )
        self.training_button = self.training_panel.run_button
        self.training_button.setDefault(False)
        self.training_button.setToolTip(
            tr("Confirmed candidates become 'school' chips, rejected ones 'not-school' hard negatives")
        )
        on_click(self.training_button, self.on_add_to_training)
        self.export_button = QPushButton(tr("Export confirmed…"))
        self.export_button.setToolTip(tr("Confirmed schools to GeoJSON, GeoPackage or CSV, with a summary"))
        on_click(self.export_button, self.on_export)
        self.training_panel.extra_row.addWidget(self.export_button)
        layout.addWidget(self.training_panel.widget(narrow=True))
        layout.addStretch(1)
        # a laptop's 768 px, under QGIS's toolbars, can't hold the whole dock: it scrolls
        scroll = scrolling(body, self)
        scroll.installEventFilter(self._keys)  # keys sent to the dock reach the review
        self.setWidget(scroll)
        self._threshold_timer = QTimer(self)
        self._threshold_timer.setSingleShot(True)
        self._threshold_timer.setInterval(300)
        self._threshold_timer.timeout.connect(lambda: self.set_threshold(self.threshold_slider.value() / 100))
        QgsProject.instance().layersWillBeRemoved.connect(self._on_layers_removed)

    def _on_layers_removed(self, ids: list[str]) -> None:
        """Let go of a layer the project is about to delete (it would dangle: a crash later)."""
        if self.layer is not None and self.layer.id() in ids:
            self.set_layer(None)

    def _build_filters(self) -> QGridLayout:
        grid = QGridLayout()
        self.layer_combo = QgsMapLayerComboBox()
        self.layer_combo.setFilters(layer_filters(LAYER_POINT))
        self.layer_combo.layerChanged.connect(self.set_layer)
        grid.addWidget(QLabel(tr("Candidates:")), 0, 0)
        grid.addWidget(self.layer_combo, 0, 1, 1, 4)
        self.status_combo = QComboBox()
        for value, text in STATUS_FILTERS:
            self.status_combo.addItem(tr(text), value)
        self.status_combo.currentIndexChanged.connect(self.refresh_queue)
        self.order_combo = QComboBox()
        for value, text in ORDERS:
            self.order_combo.addItem(tr(text), value)
        self.order_combo.currentIndexChanged.connect(self.refresh_queue)
        for combo in (self.layer_combo, self.status_combo, self.order_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)  # a narrow dock leaves the map room (the list shows it all)
        grid.addWidget(QLabel(tr("Show:")), 1, 0)
        grid.addWidget(self.status_combo, 1, 1)
        grid.addWidget(self.order_combo, 1, 2, 1, 3)
        self.threshold_slider = QSlider(Qt.Orientation.Horizontal)
        self.threshold_slider.setRange(0, 100)
        self.threshold_slider.setToolTip(tr("Only candidates scoring at least this are shown (a filter, not a rescan)"))
        self.threshold_slider.valueChanged.connect(self._on_slider)
        self.threshold_label = QLabel("≥ 0.00")
        grid.addWidget(QLabel(tr("Threshold:")), 2, 0)
        grid.addWidget(self.threshold_slider, 2, 1, 1, 3)
        grid.addWidget(self.threshold_label, 2, 4)
        self.share_combo = QComboBox()
        self.share_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.share_combo.setMinimumContentsLength(6)
        for value, text in SHARES:
            self.share_combo.addItem(tr(text), value)
        self.share_combo.setToolTip(
            tr("Several mappers split one queue: each picks the same split and their own part; merge the files after")
        )
        self.part_spin = QSpinBox()
        self.part_spin.setRange(1, 99)
        self.parts_spin = QSpinBox()
        self.parts_spin.setRange(1, 99)
        self.parts_spin.setValue(2)
        for widget in (self.share_combo, self.part_spin, self.parts_spin):
            signal = widget.currentIndexChanged if isinstance(widget, QComboBox) else widget.valueChanged
            signal.connect(self.refresh_queue)
        grid.addWidget(QLabel(tr("Share:")), 3, 0)
        grid.addWidget(self.share_combo, 3, 1)
        grid.addWidget(self.part_spin, 3, 2)
        grid.addWidget(QLabel(tr("of")), 3, 3)
        grid.addWidget(self.parts_spin, 3, 4)
        self.places_check = QCheckBox(tr("One decision per place"))
        self.places_check.setToolTip(
            tr(
                "A school seen from neighbouring tiles is one place: candidates whose points lie on one school "
                "(or, without points, a block of at most 2x2 touching tiles) are decided once, for all of them"
            )
        )
        self.places_check.setChecked(True)
        self.places_check.toggled.connect(self.refresh_queue)
        grid.addWidget(self.places_check, 4, 0, 1, 5)
        self.reviewer_edit = QLineEdit(PluginSettings.load().reviewer)
        self.reviewer_edit.setPlaceholderText(reviewer_name())
        self.reviewer_edit.setToolTip(tr("The name your decisions are recorded under (kept for next time)"))
        self.reviewer_edit.editingFinished.connect(self._on_reviewer)
        grid.addWidget(QLabel(tr("Reviewer:")), 5, 0)
        grid.addWidget(self.reviewer_edit, 5, 1, 1, 4)
        return grid

    def _on_reviewer(self) -> None:
        """Decisions are recorded under this name from now on; it is kept in the settings."""
        name = self.reviewer_edit.text().strip()
        self.reviewer = name or reviewer_name()
        settings = PluginSettings.load()
        if settings.reviewer != name:
            settings.reviewer = name
            settings.save()

    def _build_preview(self) -> QHBoxLayout:
        row = QHBoxLayout()
        column = QVBoxLayout()
        self.preview_check = QCheckBox(tr("Chip preview from:"))
        self.preview_check.setToolTip(tr("The imagery exactly as the model saw it for this tile"))
        self.preview_check.toggled.connect(self.show_current)
        self.imagery_combo = QgsMapLayerComboBox()
        self.imagery_combo.setFilters(layer_filters(LAYER_RASTER))
        self.imagery_combo.setAllowEmptyLayer(True)
        self.imagery_combo.setLayer(None)  # chosen from the scan's record, or by the mapper
        self.imagery_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.imagery_combo.setMinimumContentsLength(8)
        self.imagery_combo.layerChanged.connect(self.show_current)
        column.addWidget(self.preview_check)
        column.addWidget(self.imagery_combo)
        column.addStretch(1)
        self.preview_label = QLabel()
        self.preview_label.setFixedSize(PREVIEW_PX, PREVIEW_PX)
        self.preview_label.setVisible(False)
        row.addLayout(column, 1)
        row.addWidget(self.preview_label)
        return row

    def _build_buttons(self) -> QVBoxLayout:
        rows = QVBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, status, shortcut, label in KEYS:
            button = QPushButton(f"{tr(label)} ({shortcut})")
            on_click(button, partial(self.decide, status))
            row.addWidget(button)
            self.buttons[key] = button
        rows.addLayout(row)
        row = QHBoxLayout()
        for key, text, shortcut, slot in (("back", tr("Back"), "B", self.back), ("skip", tr("Skip"), "S", self.skip)):
            button = QPushButton(f"{text} ({shortcut})")
            on_click(button, slot)
            row.addWidget(button)
            self.buttons[key] = button
        rows.addLayout(row)
        return rows

    # -- layer ----------------------------------------------------------------------------
    def set_layer(self, layer: Any) -> None:
        """Review ``layer``: for another layer of a scan's results file (its tile footprints),
        that file's candidates layer; a layer of the plugin's own files is never altered."""
        layer = review_layer.candidates_layer_of(layer) if isinstance(layer, QgsVectorLayer) else None
        self.layer = layer if isinstance(layer, QgsVectorLayer) and layer.isValid() else None
        self.history.clear()
        path = review_layer.results_path(self.layer) if self.layer is not None else None
        self.info = read_info(path) if path is not None else {}
        if self.layer is None:
            self.queue = []
            self.listed = {}
            self.counts = {}
            self.queue_list.clear()
            self.preview.cancel()
            self.preview_label.setVisible(False)
            self.current_label.setText(tr("Choose a candidates layer (from a scan)."))
            self.update_stats()
            return
        if self.layer_combo.currentLayer() is not self.layer:
            self.layer_combo.setLayer(self.layer)
        missing = missing_fields([f.name() for f in self.layer.fields()])
        self.fix_button.setVisible(bool(missing))
        if missing:
            self.current_label.setText(
                tr(
                    "This layer lacks the fields {f}. It may come from another tool; add them to review it here."
                ).format(f=", ".join(missing))
            )
            self.queue = []
            self.queue_list.clear()
            return
        scanned = self._scanned_imagery()
        if scanned is not None and self.imagery_combo.currentLayer() is None:
            self.imagery_combo.setLayer(scanned)
        self.threshold_slider.blockSignals(True)
        self.threshold_slider.setValue(round(self._layer_threshold(self.layer) * 100))
        self.threshold_slider.blockSignals(False)
        self.threshold_label.setText(f"≥ {self.threshold_slider.value() / 100:.2f}")
        self.refresh_queue()

    def _scanned_imagery(self) -> QgsRasterLayer | None:
        """The project's raster layer the scan used, from the file's record of its imagery."""
        imagery = self.info.get("imagery") or {}
        for layer in QgsProject.instance().mapLayers().values():
            if not isinstance(layer, QgsRasterLayer):
                continue
            if imagery.get("layer_id") == layer.id() or (
                imagery.get("path") and Path(layer.source().split("|")[0]) == Path(imagery["path"])
            ):
                return layer
        named = QgsProject.instance().mapLayersByName(imagery.get("layer") or "")
        return named[0] if len(named) == 1 and isinstance(named[0], QgsRasterLayer) else None

    def _layer_threshold(self, layer: QgsVectorLayer) -> float:
        """The layer's threshold as last set, else the scan's threshold, else 0."""
        chosen = review_layer.threshold_of(layer)
        if chosen is not None:
            return chosen
        return (candidate_floor(self.info, 0.5) if self.info else None) or 0.0  # the record set_layer read

    def add_missing_fields(self) -> None:
        if self.layer is None:
            return
        types = {"REAL": field_type("Double"), "INTEGER": field_type("Int"), "TEXT": field_type("String")}
        missing = missing_fields([f.name() for f in self.layer.fields()])
        fields = [QgsField(f.name, types[f.sql_type]) for f in CANDIDATE_FIELDS if f.name in missing]
        if not self.layer.dataProvider().addAttributes(fields):
            self.current_label.setText(tr("Could not add fields: is the file read-only?"))
            return
        self.layer.updateFields()
        self.set_layer(self.layer)

    # -- threshold ------------------------------------------------------------------------
    def _on_slider(self, value: int) -> None:
        self.threshold_label.setText(f"≥ {value / 100:.2f}")
        self._threshold_timer.start()  # filter once the slider rests, not on every pixel

    def set_threshold(self, threshold: float) -> None:
        """Filter the layer (and its footprints) to scores >= threshold, adding candidates from
        the kept scores when going below the scan's threshold."""
        if self.layer is None:
            return
        self._threshold_timer.stop()
        self.threshold_slider.blockSignals(True)
        self.threshold_slider.setValue(round(threshold * 100))
        self.threshold_slider.blockSignals(False)
        self.threshold_label.setText(f"≥ {threshold:.2f}")
        try:
            added = review_layer.apply_threshold(self.layer, threshold)
        except SchoolDetectorError as exc:
            report_error(self.iface, exc)
            return
        if added:  # one message however often the slider moves
            report_info(
                self.iface,
                tr("{n} more candidates from the scan's kept scores (no rescan needed).").format(n=added),
                topic="review threshold",
            )
        self.refresh_queue()

    # -- queue ----------------------------------------------------------------------------
    def refresh_queue(self) -> None:
        if self.layer is None or missing_fields([f.name() for f in self.layer.fields()]):
            return
        wanted = self.status_combo.currentData()
        every = review_layer.read_candidates(self.layer)
        self.counts = {s.value: 0 for s in ReviewStatus}
        for c in every:
            self.counts[c.status] = self.counts.get(c.status, 0) + 1
        rows = [c for c in every if c.status == wanted or (not wanted and c.status != ReviewStatus.KNOWN.value)]
        self.settled = 0
        if wanted == ReviewStatus.UNREVIEWED.value and self.places_check.isChecked():
            decided = [c.item for c in every if c.status in {d.value for d in DECISIONS}]
            settled = on_decided_places([c.item for c in rows], decided)
            rows = [c for c in rows if c.item.key not in settled]
            self.settled = len(settled)
        self.listed = {c.item.key: c.status for c in rows}
        self.items = {c.item.key: c.item for c in rows}
        self.near_known = {c.item.key: c.known_m for c in rows if c.known_m is not None}
        info = {c.item.key: c for c in rows}
        items = [c.item for c in rows]
        self.part_spin.setMaximum(self.parts_spin.value())
        order = self.order_combo.currentData()
        groups = build_queue(
            items,
            group_places=self.places_check.isChecked(),
            share_mode=self.share_combo.currentData(),
            part=self.part_spin.value() - 1,
            parts=self.parts_spin.value(),
            order=order,
            start=self._map_centre_tile(items) if order == "nearest" else None,
        )
        self.queue = [[i.key for i in group] for group in groups]
        self.queue_list.blockSignals(True)
        self.queue_list.clear()
        for fids in self.queue:
            self.queue_list.addItem(self._row_text(info[fids[0]].item.score, info[fids[0]].tile, fids))
        self.queue_list.blockSignals(False)
        self.position = 0
        self._overwrite = None
        self.show_current()

    def _row_text(self, score: float, tile: str, group: list[int], status: str | None = None) -> str:
        sizes = f"  (+{len(group) - 1} tiles)" if len(group) > 1 else ""
        near = self._near_text(group)
        return f"{score:.3f}  {tile}{sizes}  {status or self.listed.get(group[0], 'unreviewed')}{near}"

    def _near_text(self, group: list[int]) -> str:
        """ "· 82 m from a mapped school": a place near a known school, not on it; the mapper
        tells a second school (one compound, across the road) from the same one seen again."""
        near = [self.near_known[k] for k in group if k in self.near_known]
        return tr(" · {m:.0f} m from a mapped school").format(m=min(near)) if near else ""

    def _map_centre_tile(self, items: list[Item]) -> tuple[float, float] | None:
        canvas = self.iface.mapCanvas() if self.iface is not None else None
        zooms = {i.z for i in items if i.z >= 0}
        if canvas is None or len(zooms) != 1:
            return None
        centre = canvas.extent().center()
        to3857 = QgsCoordinateTransform(
            canvas.mapSettings().destinationCrs(), QgsCoordinateReferenceSystem("EPSG:3857"), QgsProject.instance()
        )
        try:
            p = to3857.transform(centre)
        except Exception:  # noqa: BLE001 - a map CRS that cannot reach EPSG:3857: start at the best
            return None
        tx, ty = xy_to_fractional_tile(p.x(), p.y(), zooms.pop())
        return tx - 0.5, ty - 0.5  # tile coordinates of centres, as the items use

    def _on_row(self, row: int) -> None:
        if 0 <= row < len(self.queue):
            self.position = row
            self._overwrite = None
            self.show_current()

    def current_group(self) -> list[int]:
        return self.queue[self.position] if 0 <= self.position < len(self.queue) else []

    def current_fid(self) -> int | None:
        group = self.current_group()
        return group[0] if group else None

    def show_current(self) -> None:
        self.update_stats()
        fid = self.current_fid()
        if fid is None or self.layer is None:
            self.current_label.setText(tr("Nothing left in this queue."))
            self.preview.cancel()
            self.preview_label.setVisible(False)
            return
        f = self.layer.getFeature(fid)
        group = self.current_group()
        self.queue_list.blockSignals(True)
        self.queue_list.setCurrentRow(self.position)
        self.queue_list.blockSignals(False)
        tiles = self._group_tiles(group)
        across = self._across_m(tiles)
        place = (
            tr(", a place of {n} tiles (about {m:.0f} m across)").format(n=len(group), m=across)
            if len(group) > 1
            else ""
        )
        self.current_label.setText(
            tr("{i}/{n}: tile {tile}{place}, score {score:.3f}, status {status}").format(
                i=self.position + 1,
                n=len(self.queue),
                tile=f["tile"],
                place=place,
                score=f["score"] or 0.0,
                status=f["status"] or "unreviewed",
            )
            + self._near_text(group)
        )
        self.layer.selectByIds(group)
        point = place_point([self.items[k] for k in group if k in self.items])
        if tiles:
            self.zoom_to_tiles(tiles, point)
        else:  # no tile fields (a layer from elsewhere): around the point
            self.zoom_to_point(f.geometry().asPoint())
        self.show_preview(tiles[0] if tiles else None, self.items.get(group[0]))

    def _group_tiles(self, group: list[int]) -> list[Tile]:
        items = [self.items[k] for k in group if k in self.items]
        return [Tile(i.x, i.y, i.z) for i in items if i.z >= 0]

    @staticmethod
    def _across_m(tiles: list[Tile]) -> float:
        """The ground size of a place's tiles (what one decision covers)."""
        if not tiles:
            return 0.0
        boxes = [bounds_3857(t) for t in tiles]
        span = max(
            max(b.east for b in boxes) - min(b.west for b in boxes),
            max(b.north for b in boxes) - min(b.south for b in boxes),
        )
        return span * ground_scale((boxes[0].north + boxes[0].south) / 2)

    def show_preview(self, tile: Tile | None, item: Item | None = None) -> None:
        """What the model saw: the imagery layer rendered over the tile at the scan's chip size,
        in the background, with a ring where the model placed the school."""
        imagery = self.imagery_combo.currentLayer()
        if not self.preview_check.isChecked() or tile is None or not isinstance(imagery, QgsRasterLayer):
            self.preview.cancel()
            self.preview_label.setVisible(False)
            return
        chip_px = ChipGeometry.from_record(self.info).chip_px
        point = chip_fractions(item.point, tile) if item is not None and item.point is not None else None
        self.preview.set_layer(imagery)
        self.preview.request(tile, chip_px, point)

    def _on_preview(self, request: PreviewRequest, pixmap: Any) -> None:
        self.preview_label.setPixmap(pixmap)
        self.preview_label.setToolTip(
            tr("{t}: {px} px, as the model saw it").format(t=request.tile.id, px=request.chip_px)
            + (tr("; the ring: where it places the school") if request.point is not None else "")
        )
        self.preview_label.setVisible(True)

    def zoom_to_point(self, point: Any) -> None:
        canvas = self.iface.mapCanvas() if self.iface is not None else None
        if canvas is None or self.layer is None:
            return
        tr_canvas = QgsCoordinateTransform(
            self.layer.crs(), canvas.mapSettings().destinationCrs(), QgsProject.instance()
        )
        centre = tr_canvas.transform(point)
        canvas.setCenter(centre)
        canvas.refresh()

    def zoom_to_tiles(self, tiles: list[Tile], point: tuple[float, float] | None = None) -> None:
        """The whole place with a tile of context around it (school-recognisable scale),
        centred on where the model places the school when it does."""
        canvas = self.iface.mapCanvas() if self.iface is not None else None
        if canvas is None:
            return
        boxes = [bounds_3857(t) for t in tiles]
        w, s_, e, n = (
            min(b.west for b in boxes),
            min(b.south for b in boxes),
            max(b.east for b in boxes),
            max(b.north for b in boxes),
        )
        size = boxes[0].east - boxes[0].west
        if point is not None:  # centred on the point, still holding every tile of the place
            half = max(point[0] - w, e - point[0], point[1] - s_, n - point[1]) + size
            rect = QgsRectangle(point[0] - half, point[1] - half, point[0] + half, point[1] + half)
        else:
            rect = QgsRectangle(w - size, s_ - size, e + size, n + size)
        crs = canvas.mapSettings().destinationCrs()
        tr3857 = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:3857"), crs, QgsProject.instance())
        canvas.setExtent(tr3857.transformBoundingBox(rect))
        canvas.refresh()

    # -- decisions ------------------------------------------------------------------------
    def decide(self, status: ReviewStatus) -> bool:
        group = self.current_group()
        if not group or self.layer is None:
            return False
        before = {fid: review_layer.current_values(self.layer, fid, REVIEW_FIELDS) for fid in group}
        elsewhere = decided_elsewhere({fid: before[fid].get("status") for fid in group}, self.listed)
        if elsewhere and self._overwrite != tuple(group):
            # someone (another QGIS, a merge) decided this candidate since the queue was built
            self._overwrite = tuple(group)
            other = before[elsewhere[0]]
            self.current_label.setText(
                tr(
                    "This candidate was just marked {s} by {who} elsewhere. Press again to overwrite that "
                    "decision, or Skip (S) to keep it."
                ).format(s=other.get("status") or "unreviewed", who=other.get("reviewer") or "someone")
            )
            return False
        self._overwrite = None
        values = {
            "status": status.value,
            "reviewer": self.reviewer,
            "note": self.note_edit.text().strip() or None,
            "reviewed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        if not self._write(self.layer, {fid: values for fid in group}):
            return False
        self.history.append((before, self.position))
        for fid in group:
            self._count(before[fid].get("status"), status.value)
            self.listed[fid] = status.value
        self.decisions += 1
        self.note_edit.clear()
        f = self.layer.getFeature(group[0])
        self.queue_list.item(self.position).setText(self._row_text(f["score"] or 0.0, f["tile"], group))
        self.position += 1
        self.show_current()
        return True

    def _write(self, layer: QgsVectorLayer, values: dict[int, dict[str, Any]]) -> bool:
        """One decision to ``layer`` (the layer under review), or why it could not be saved."""
        if review_layer.write_values(layer, values):
            return True
        self.current_label.setText(
            tr(
                "Could not save the decision: the file is read-only or locked by another program. "
                "Nothing was changed; make the file writable (or wait for the other program) and press again."
            )
        )
        return False

    def back(self) -> None:
        """Undo the last decision and go back to that candidate."""
        if not self.history or self.layer is None:
            return
        before, position = self.history[-1]
        restored = {fid: {k: values.get(k) for k in REVIEW_FIELDS} for fid, values in before.items()}
        if self._write(self.layer, restored):
            self.history.pop()
            for fid, values in restored.items():
                self._count(self.listed.get(fid), values.get("status"))
                self.listed[fid] = values.get("status") or ReviewStatus.UNREVIEWED.value
            self.decisions = max(0, self.decisions - 1)
            self.position = position
            group = self.current_group()
            if group:
                f = self.layer.getFeature(group[0])
                self.queue_list.item(position).setText(self._row_text(f["score"] or 0.0, f["tile"], group))
            self.show_current()

    def skip(self) -> None:
        if self.position < len(self.queue):
            self.position += 1
            self._overwrite = None
            self.show_current()

    def _count(self, old: str | None, new: str | None) -> None:
        """One candidate moved from status ``old`` to ``new``: the counts follow (no recount)."""
        old, new = old or ReviewStatus.UNREVIEWED.value, new or ReviewStatus.UNREVIEWED.value
        self.counts[old] = max(0, self.counts.get(old, 0) - 1)
        self.counts[new] = self.counts.get(new, 0) + 1

    def handle_key(self, event: Any) -> bool:
        """Y/N/U/S/B (no modifier but Shift) on a layer: act on it and say so."""
        key = event.text().upper()
        actions: dict[str, Callable[[], Any]] = {"B": self.back, "S": self.skip}
        for _, status, shortcut, _ in KEYS:
            actions[shortcut] = partial(self.decide, status)
        if self.layer is None or key not in actions or event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier:
            return False
        actions[key]()
        return True

    def update_stats(self) -> None:
        if self.layer is None:
            self.stats_label.clear()
            return
        counts = {s.value: 0 for s in ReviewStatus}
        counts.update(self.counts)
        known = counts.pop(ReviewStatus.KNOWN.value, 0)
        total = sum(counts.values())
        reviewed = total - counts["unreviewed"]
        seconds = time.time() - self.started
        pace = (
            tr(" · {rate:.0f} per hour this session").format(rate=self.decisions * 3600 / seconds)
            if self.decisions and seconds >= 60  # a rate from a few seconds would say nothing
            else ""
        )
        self.stats_label.setText(
            tr("Reviewed {r}/{t}: {c} confirmed, {x} rejected, {u} unsure").format(
                r=reviewed, t=total, c=counts["confirmed"], x=counts["rejected"], u=counts["unsure"]
            )
            + (tr("; {k} on known schools set aside").format(k=known) if known else "")
            + (
                tr("; {s} more on places already decided (not queued again)").format(s=self.settled)
                if self.settled
                else ""
            )
            + pace
        )
