"""The review panel's outputs: confirmed schools exported, and reviewed candidates added to the
training data (the active-learning step). A mixin of ReviewDock, kept apart from the queue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qgis.core import QgsRasterLayer, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtWidgets import QFileDialog

from ..core.errors import InputError, SchoolDetectorError
from ..core.results import ReviewStatus
from ..notify import report_error, report_info
from ..qgis_io import review_layer
from ..qgis_io.files import reload_layers_of
from ..review.export import export
from ..tasks.add_reviewed_task import AddReviewedTask


def tr(text: str) -> str:
    return QCoreApplication.translate("ReviewDock", text)


class ReviewOutputs:
    """Needs the dock's layer, iface, places check box, imagery combo and job panel."""

    layer: QgsVectorLayer | None
    iface: Any
    places_check: Any
    imagery_combo: Any
    training_panel: Any  # a JobPanel: progress, cancel, the task through the TaskRegistry

    def _results_or_say(self) -> Path | None:
        path = review_layer.results_path(self.layer) if self.layer is not None else None
        if path is None:
            report_error(self.iface, InputError("Choose a candidates layer from a scan's GeoPackage first."))
        return path

    def on_export(self) -> None:
        path = self._results_or_say()
        if path is None:
            return
        out, _ = QFileDialog.getSaveFileName(
            self,
            tr("Export confirmed schools"),
            str(path.with_name(path.stem + "-schools.geojson")),
            tr("GeoJSON (*.geojson);;GeoPackage (*.gpkg);;CSV (*.csv)"),
        )
        if out:
            self.export_to(Path(out))

    def export_to(self, out: Path) -> dict[str, Any] | None:
        """Confirmed schools to ``out`` (format from the extension), one per place when places are on."""
        path = self._results_or_say()
        if path is None:
            return None
        fmt = {".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg", ".csv": "csv"}.get(out.suffix.lower())
        if fmt is None:
            report_error(self.iface, InputError(f"Export to .geojson, .gpkg or .csv, not {out.suffix or 'no suffix'}."))
            return None
        try:
            result = export(path, out, fmt, [ReviewStatus.CONFIRMED.value], one_per_place=self.places_check.isChecked())
        except SchoolDetectorError as exc:
            report_error(self.iface, exc)
            return None
        reload_layers_of(out)  # an earlier export shown on the map: it shows this one now
        precision = result["review_precision"]
        report_info(
            self.iface,
            tr("Exported {n} confirmed schools to {out}. Reviewed precision of the model: {p}.").format(
                n=result["exported"], out=out, p="n/a" if precision is None else f"{precision:.0%}"
            ),
        )
        return result

    def on_add_to_training(self) -> None:
        if self._results_or_say() is None:
            return
        folder = QFileDialog.getExistingDirectory(self, tr("Dataset folder (with dataset.json) to add to"))
        if folder:
            self.add_to_training(Path(folder))

    def _added_to_training(self, task: AddReviewedTask) -> None:
        r = task.result_data or {}
        skipped = ", ".join(f"{n} {reason}" for reason, n in (r.get("skipped") or {}).items())
        relabeled = (
            tr("{n} not-school chips of tiles confirmed as schools are school chips now.").format(n=r["relabeled"])
            if r.get("relabeled")
            else ""
        )
        if r.get("added") or r.get("relabeled"):
            text = tr("Added {n} chips ({labels}) to {d}: dataset version {v}, ready for the next training.").format(
                n=r.get("added", 0),
                labels=", ".join(f"{v} {k}" for k, v in (r.get("by_label") or {}).items()) or tr("none new"),
                d=task.data_dir,
                v=r.get("dataset_version"),
            )
            text += (" " + relabeled) if relabeled else ""
            if skipped:
                text += " " + tr("Left out: {why}.").format(why=skipped)
        elif skipped:
            text = tr("Nothing new to add to {d}: {why}.").format(d=task.data_dir, why=skipped)
        else:
            text = tr("Nothing to add yet: confirm or reject candidates first (only decided ones become chips).")
        self.training_panel.say(text)
        report_info(self.iface, text)

    def add_to_training(self, data_dir: Path) -> AddReviewedTask | None:
        """Confirmed → school, rejected → not-school chips, rendered from the preview imagery layer."""
        path = self._results_or_say()
        imagery = self.imagery_combo.currentLayer()
        if path is None:
            return None
        if not isinstance(imagery, QgsRasterLayer):
            report_error(self.iface, InputError("Choose the imagery the scan used (the chip preview's layer) first."))
            return None
        task = AddReviewedTask(path, imagery.clone(), data_dir)
        self.training_panel.start(task, on_done=self._added_to_training)
        return task
