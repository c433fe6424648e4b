"""Review detections: a dock that steps a mapper through candidates over the basemap.

Every decision is written straight to the GeoPackage through the data provider (no edit
session to forget to save): closing QGIS or a crash loses nothing. Y confirm, N reject,
U unsure, S skip, B back (undoes the last decision)."""

from __future__ import annotations

import getpass
import time
from collections.abc import Callable
from datetime import datetime, timezone
from functools import partial
from typing import Any

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsField,
    QgsMapLayerProxyModel,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.gui import QgsDockWidget, QgsMapLayerComboBox
from qgis.PyQt.QtCore import QCoreApplication, Qt, QVariant
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.results import CANDIDATE_FIELDS, REVIEW_FIELDS, ReviewStatus, missing_fields
from ..core.tiles import Tile, bounds_3857

KEYS = (
    ("confirm", ReviewStatus.CONFIRMED, "Y"),
    ("reject", ReviewStatus.REJECTED, "N"),
    ("unsure", ReviewStatus.UNSURE, "U"),
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
        key = event.text().upper()
        actions: dict[str, Callable[[], Any]] = {"B": self.dock.back, "S": self.dock.skip}
        for _, status, shortcut in KEYS:
            actions[shortcut] = partial(self.dock.decide, status)
        if key in actions and not event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier:
            actions[key]()
            event.accept()
            return
        super().keyPressEvent(event)


class ReviewDock(QgsDockWidget):
    def __init__(self, iface: Any, parent: QWidget | None = None) -> None:
        super().__init__(tr("School detector — Review"), parent)
        self.setObjectName("SchoolDetectorReviewDock")
        self.iface = iface
        self.layer: QgsVectorLayer | None = None
        self.queue: list[int] = []
        self.position = 0
        self.history: list[tuple[int, dict[str, Any], int]] = []
        self.decisions = 0
        self.started = time.time()
        self.reviewer = reviewer_name()
        body = _KeyPad(self)
        body.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        layout = QVBoxLayout(body)
        grid = QGridLayout()
        self.layer_combo = QgsMapLayerComboBox()
        self.layer_combo.setFilters(QgsMapLayerProxyModel.PointLayer)
        self.layer_combo.layerChanged.connect(self.set_layer)
        grid.addWidget(QLabel(tr("Candidates:")), 0, 0)
        grid.addWidget(self.layer_combo, 0, 1, 1, 3)
        self.status_combo = QComboBox()
        for value, text in (
            ("unreviewed", tr("unreviewed")),
            ("", tr("all")),
            ("unsure", tr("unsure")),
            ("confirmed", tr("confirmed")),
            ("rejected", tr("rejected")),
        ):
            self.status_combo.addItem(text, value)
        self.status_combo.currentIndexChanged.connect(self.refresh_queue)
        self.min_score = QDoubleSpinBox()
        self.min_score.setRange(0.0, 1.0)
        self.min_score.setSingleStep(0.05)
        self.min_score.setDecimals(2)
        self.min_score.valueChanged.connect(self.refresh_queue)
        grid.addWidget(QLabel(tr("Show:")), 1, 0)
        grid.addWidget(self.status_combo, 1, 1)
        grid.addWidget(QLabel(tr("score ≥")), 1, 2)
        grid.addWidget(self.min_score, 1, 3)
        layout.addLayout(grid)
        self.queue_list = QListWidget()
        self.queue_list.setMaximumHeight(140)
        self.queue_list.currentRowChanged.connect(self._on_row)
        layout.addWidget(self.queue_list)
        self.current_label = QLabel(tr("Choose a candidates layer (from a scan)."))
        self.current_label.setWordWrap(True)
        layout.addWidget(self.current_label)
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText(tr("note (optional), saved with the next decision"))
        layout.addWidget(self.note_edit)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, status, shortcut in KEYS:
            button = QPushButton(f"{tr(key.capitalize())} ({shortcut})")
            button.clicked.connect(lambda _=False, s=status: self.decide(s))
            row.addWidget(button)
            self.buttons[key] = button
        layout.addLayout(row)
        row = QHBoxLayout()
        for key, text, shortcut, slot in (("back", tr("Back"), "B", self.back), ("skip", tr("Skip"), "S", self.skip)):
            button = QPushButton(f"{text} ({shortcut})")
            button.clicked.connect(slot)
            row.addWidget(button)
            self.buttons[key] = button
        layout.addLayout(row)
        self.stats_label = QLabel()
        self.stats_label.setWordWrap(True)
        layout.addWidget(self.stats_label)
        self.fix_button = QPushButton(tr("Add the missing review fields"))
        self.fix_button.setVisible(False)
        self.fix_button.clicked.connect(self.add_missing_fields)
        layout.addWidget(self.fix_button)
        layout.addStretch(1)
        self.setWidget(body)

    # -- layer ----------------------------------------------------------------------------
    def set_layer(self, layer: Any) -> None:
        self.layer = layer if isinstance(layer, QgsVectorLayer) and layer.isValid() else None
        self.history.clear()
        if self.layer is None:
            self.queue = []
            self.queue_list.clear()
            return
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
        if self.layer_combo.currentLayer() is not self.layer:
            self.layer_combo.setLayer(self.layer)
        self.refresh_queue()

    def add_missing_fields(self) -> None:
        if self.layer is None:
            return
        types = {"REAL": QVariant.Double, "INTEGER": QVariant.Int, "TEXT": QVariant.String}
        missing = missing_fields([f.name() for f in self.layer.fields()])
        fields = [QgsField(f.name, types[f.sql_type]) for f in CANDIDATE_FIELDS if f.name in missing]
        if not self.layer.dataProvider().addAttributes(fields):
            self.current_label.setText(tr("Could not add fields: is the file read-only?"))
            return
        self.layer.updateFields()
        self.set_layer(self.layer)

    # -- queue ----------------------------------------------------------------------------
    def refresh_queue(self) -> None:
        if self.layer is None:
            return
        wanted = self.status_combo.currentData()
        rows = []
        for f in self.layer.getFeatures():
            status = f["status"] or ReviewStatus.UNREVIEWED.value
            score = f["score"] if f["score"] is not None else 0.0
            if (not wanted or status == wanted) and score >= self.min_score.value():
                rows.append((score, f.id(), f["tile"], status))
        rows.sort(key=lambda r: -r[0])  # highest score first
        self.queue = [r[1] for r in rows]
        self.queue_list.blockSignals(True)
        self.queue_list.clear()
        for score, _, tile, status in rows:
            self.queue_list.addItem(f"{score:.3f}  {tile}  {status}")
        self.queue_list.blockSignals(False)
        self.position = 0
        self.show_current()

    def _on_row(self, row: int) -> None:
        if 0 <= row < len(self.queue):
            self.position = row
            self.show_current()

    def current_fid(self) -> int | None:
        return self.queue[self.position] if 0 <= self.position < len(self.queue) else None

    def show_current(self) -> None:
        self.update_stats()
        fid = self.current_fid()
        if fid is None or self.layer is None:
            self.current_label.setText(tr("Nothing left in this queue."))
            return
        f = self.layer.getFeature(fid)
        self.queue_list.blockSignals(True)
        self.queue_list.setCurrentRow(self.position)
        self.queue_list.blockSignals(False)
        self.current_label.setText(
            tr("{i}/{n}: tile {tile}, score {score:.3f}, status {status}").format(
                i=self.position + 1,
                n=len(self.queue),
                tile=f["tile"],
                score=f["score"] or 0.0,
                status=f["status"] or "unreviewed",
            )
        )
        self.layer.selectByIds([fid])
        try:
            self.zoom_to(Tile(int(f["x"]), int(f["y"]), int(f["z"])))
        except (TypeError, ValueError):  # no tile fields (a layer from elsewhere): around the point
            self.zoom_to_point(f.geometry().asPoint())

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

    def zoom_to(self, tile: Tile) -> None:
        """Centre the map on the tile, with a tile of context around it: school-recognisable scale."""
        canvas = self.iface.mapCanvas() if self.iface is not None else None
        if canvas is None:
            return
        b = bounds_3857(tile)
        size = b.east - b.west
        rect = QgsRectangle(b.west - size, b.south - size, b.east + size, b.north + size)
        crs = canvas.mapSettings().destinationCrs()
        tr3857 = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:3857"), crs, QgsProject.instance())
        canvas.setExtent(tr3857.transformBoundingBox(rect))
        canvas.refresh()

    # -- decisions ------------------------------------------------------------------------
    def _write(self, fid: int, values: dict[str, Any]) -> bool:
        assert self.layer is not None
        fields = self.layer.fields()
        change = {fields.indexOf(k): v for k, v in values.items()}
        ok = self.layer.dataProvider().changeAttributeValues({fid: change})
        if not ok:
            self.current_label.setText(
                tr(
                    "Could not save the decision: the file is read-only or locked by another "
                    "program. Nothing was changed."
                )
            )
            return False
        self.layer.triggerRepaint()
        return True

    def decide(self, status: ReviewStatus) -> bool:
        fid = self.current_fid()
        if fid is None or self.layer is None:
            return False
        before = {k: self.layer.getFeature(fid)[k] for k in REVIEW_FIELDS}
        values = {
            "status": status.value,
            "reviewer": self.reviewer,
            "note": self.note_edit.text().strip() or None,
            "reviewed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        if not self._write(fid, values):
            return False
        self.history.append((fid, before, self.position))
        self.decisions += 1
        self.note_edit.clear()
        self.queue_list.item(self.position).setText(
            f"{self.layer.getFeature(fid)['score'] or 0.0:.3f}  {self.layer.getFeature(fid)['tile']}  {status.value}"
        )
        self.position += 1
        self.show_current()
        return True

    def back(self) -> None:
        """Undo the last decision and go back to that candidate."""
        if not self.history or self.layer is None:
            return
        fid, before, position = self.history.pop()
        if self._write(fid, before):
            self.decisions = max(0, self.decisions - 1)
            self.position = position
            self.show_current()

    def skip(self) -> None:
        if self.position < len(self.queue):
            self.position += 1
            self.show_current()

    def update_stats(self) -> None:
        if self.layer is None:
            self.stats_label.clear()
            return
        counts = {s.value: 0 for s in ReviewStatus}
        for f in self.layer.getFeatures():
            counts[f["status"] or "unreviewed"] = counts.get(f["status"] or "unreviewed", 0) + 1
        total = sum(counts.values())
        reviewed = total - counts["unreviewed"]
        hours = max((time.time() - self.started) / 3600, 1e-6)
        self.stats_label.setText(
            tr("Reviewed {r}/{t}: {c} confirmed, {x} rejected, {u} unsure · {rate:.0f} per hour this session").format(
                r=reviewed,
                t=total,
                c=counts["confirmed"],
                x=counts["rejected"],
                u=counts["unsure"],
                rate=self.decisions / hours if self.decisions else 0.0,
            )
        )
