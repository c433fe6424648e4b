"""A small live chart of training curves (no plotting library in QGIS needed): loss and
accuracy in two panels side by side (their scales differ), each with its value axis, epoch
ticks and a legend; the kept (best) epoch is marked."""

from __future__ import annotations

from typing import Any

from qgis.PyQt.QtCore import QCoreApplication, QPointF, QRectF, Qt
from qgis.PyQt.QtGui import QColor, QPainter, QPen, QPolygonF
from qgis.PyQt.QtWidgets import QWidget

from ..translation import N_

COLORS = {"loss": "#d62728", "val_loss": "#ff9896", "accuracy": "#1f77b4", "val_accuracy": "#9ecae1"}
PANELS = ((N_("loss"), ("loss", "val_loss")), (N_("accuracy"), ("accuracy", "val_accuracy")))
LEGEND = {"loss": N_("train"), "val_loss": N_("validation"), "accuracy": N_("train"), "val_accuracy": N_("validation")}


def tr(text: str) -> str:
    return QCoreApplication.translate("TrainDialog", text)


def epoch_ticks(last: int, most: int = 6) -> list[int]:
    """Whole epochs to label on the axis: at most ``most`` of them, evenly spaced, from 1."""
    step = max(1, -(-last // most))
    return list(range(1, last + 1, step))


class CurvePlot(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.series: dict[str, list[tuple[float, float]]] = {k: [] for k in COLORS}
        self.best_epoch: float | None = None
        self.setMinimumHeight(150)

    def clear(self) -> None:
        self.series = {k: [] for k in COLORS}
        self.best_epoch = None
        self.update()

    def add_epoch(self, values: dict[str, Any]) -> None:
        epoch = float(values.get("epoch", len(self.series["loss"]) + 1))
        for key in COLORS:
            if isinstance(values.get(key), (int, float)):
                self.series[key].append((epoch, float(values[key])))
        val = [y for _, y in self.series["val_loss"]]
        if val:
            self.best_epoch = self.series["val_loss"][val.index(min(val))][0]
        self.update()

    def paintEvent(self, event: Any) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        if not any(self.series.values()):
            painter.setPen(QPen(QColor("#666")))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, tr("loss and accuracy per epoch appear here"))
            return
        half = self.width() / 2
        for k, (title, keys) in enumerate(PANELS):
            self._panel(painter, QRectF(k * half, 0, half, self.height()), tr(title), keys)
        painter.end()

    def _panel(self, painter: QPainter, area: QRectF, title: str, keys: tuple[str, ...]) -> None:
        left, top, bottom = area.left() + 40, area.top() + 22, area.bottom() - 34
        right = area.right() - 8
        points = [p for k in keys for p in self.series[k]]
        if not points:
            return
        last = int(max(x for x, _ in points))
        lo, hi = min(y for _, y in points), max(y for _, y in points)
        lo, hi = (0.0, 1.0) if keys[0] == "accuracy" else (min(0.0, lo), hi if hi > lo else lo + 1.0)

        def at(x: float, y: float) -> QPointF:
            fx = (x - 1) / max(1, last - 1) if last > 1 else 0.5
            return QPointF(left + (right - left) * fx, bottom - (bottom - top) * (y - lo) / (hi - lo))

        painter.setPen(QPen(QColor("#444")))
        # the header row: the title on the left, the legend on the right (never over each other)
        painter.drawText(QRectF(left, area.top(), right - left, 16), Qt.AlignmentFlag.AlignLeft, title)
        painter.drawLine(QPointF(left, top), QPointF(left, bottom))
        painter.drawLine(QPointF(left, bottom), QPointF(right, bottom))
        for y in (lo, (lo + hi) / 2, hi):
            painter.drawText(QRectF(area.left(), at(1, y).y() - 8, 36, 16), Qt.AlignmentFlag.AlignRight, f"{y:.2g}")
        for e in epoch_ticks(last):
            x = at(e, lo).x()
            painter.drawLine(QPointF(x, bottom), QPointF(x, bottom + 3))
            painter.drawText(QRectF(x - 14, bottom + 3, 28, 14), Qt.AlignmentFlag.AlignCenter, str(e))
        painter.drawText(QRectF(left, bottom + 15, right - left, 14), Qt.AlignmentFlag.AlignCenter, tr("epoch"))
        if self.best_epoch is not None:
            pen = QPen(QColor("#2ca02c"))
            pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            x = at(self.best_epoch, lo).x()
            painter.drawLine(QPointF(x, top), QPointF(x, bottom))
        metrics = painter.fontMetrics()
        shown = [k for k in keys if self.series[k]]
        widths = [22 + metrics.horizontalAdvance(tr(LEGEND[k])) + 10 for k in shown]
        legend_x = max(left + metrics.horizontalAdvance(title) + 12, right - sum(widths))
        for key in keys:
            if not self.series[key]:
                continue
            pen = QPen(QColor(COLORS[key]))
            pen.setWidthF(2.0)
            painter.setPen(pen)
            painter.drawPolyline(QPolygonF([at(x, y) for x, y in self.series[key]]))
            middle = area.top() + 8
            painter.drawLine(QPointF(legend_x, middle), QPointF(legend_x + 14, middle))
            painter.setPen(QPen(QColor("#444")))
            label = tr(LEGEND[key])
            painter.drawText(QPointF(legend_x + 18, middle + 4), label)
            legend_x += 22 + metrics.horizontalAdvance(label) + 10
