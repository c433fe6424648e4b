"""A small live line chart for training curves (no plotting library in QGIS needed)."""

from __future__ import annotations

from typing import Any

from qgis.PyQt.QtCore import QPointF, Qt
from qgis.PyQt.QtGui import QColor, QPainter, QPen, QPolygonF
from qgis.PyQt.QtWidgets import QWidget

COLORS = {"loss": "#d62728", "val_loss": "#ff9896", "accuracy": "#1f77b4", "val_accuracy": "#9ecae1"}


class CurvePlot(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.series: dict[str, list[tuple[float, float]]] = {k: [] for k in COLORS}
        self.setMinimumHeight(140)

    def clear(self) -> None:
        self.series = {k: [] for k in COLORS}
        self.update()

    def add_epoch(self, values: dict[str, Any]) -> None:
        epoch = float(values.get("epoch", len(self.series["loss"]) + 1))
        for key in COLORS:
            if isinstance(values.get(key), (int, float)):
                self.series[key].append((epoch, float(values[key])))
        self.update()

    def paintEvent(self, event: Any) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        pad, w, h = 28, self.width(), self.height()
        painter.setPen(QPen(QColor("#888")))
        painter.drawRect(pad, 6, w - pad - 6, h - pad - 6)
        points = [p for s in self.series.values() for p in s]
        if not points:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "loss and accuracy per epoch appear here")
            return
        xmax = max(p[0] for p in points) or 1.0
        ymax = max(1.0, max(p[1] for p in points))
        legend_x = pad + 6
        for key, pts in self.series.items():
            if not pts:
                continue
            pen = QPen(QColor(COLORS[key]))
            pen.setWidthF(2.0)
            painter.setPen(pen)
            poly = QPolygonF(
                [QPointF(pad + (w - pad - 6) * x / xmax, 6 + (h - pad - 6) * (1 - y / ymax)) for x, y in pts]
            )
            painter.drawPolyline(poly)
            painter.drawText(legend_x, h - 8, key)
            legend_x += 8 * len(key) + 14
        painter.setPen(QPen(QColor("#444")))
        painter.drawText(2, 16, f"{ymax:.2g}")
        painter.drawText(w - 40, h - pad + 14, f"ep {xmax:g}")
