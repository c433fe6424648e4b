"""Runs inside the real QGIS desktop (qgis --code): load the sample scene, open each of the
plugin's dialogs and save what a user sees. Driven by timers so QGIS keeps painting."""

import os
import sys
import time
from pathlib import Path

import qgis.utils
from qgis.core import QgsApplication, QgsProject, QgsRasterLayer, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication, QTimer
from qgis.utils import iface

OUT = Path(os.environ["SD_SHOT_OUT"])
SCENE = Path(os.environ["SD_SCENE"])


def pump(seconds):
    end = time.time() + seconds
    while time.time() < end:
        QCoreApplication.processEvents()
        time.sleep(0.02)


def save(widget, name):
    pump(0.5)
    print("size", name, widget.width(), widget.height(), flush=True)
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    print("saved", path, flush=True)


def finish(code=0):
    print("SCREENSHOTS DONE" if code == 0 else "SCREENSHOTS FAILED", flush=True)
    # QGIS 3.22 can crash in its destructor when layers are still loaded: unload them first
    iface.setActiveLayer(None)
    QgsProject.instance().removeAllMapLayers()
    pump(0.5)
    QgsApplication.exit(code)


def label_renderer():
    from qgis.core import QgsCategorizedSymbolRenderer, QgsMarkerSymbol, QgsRendererCategory

    cats = []
    for value, color, label in (("school", "#e8412c", "school"), ("not-school", "#2c7fb8", "not-school")):
        symbol = QgsMarkerSymbol.createSimple(
            {"name": "circle", "color": color, "outline_color": "white", "outline_width": "0.6", "size": "3.2"}
        )
        cats.append(QgsRendererCategory(value, symbol, label))
    return QgsCategorizedSymbolRenderer("label", cats)


def build_dataset(plugin, raster, labels):
    import tempfile

    plugin.on_build_data()
    dialog = plugin.dialogs["build_data"]
    dialog.layer_combo.setLayer(labels)
    dialog.field_combo.setField("label")
    dialog.imagery_combo.setLayer(raster)
    dialog.folder_widget.setFilePath(str(Path(tempfile.mkdtemp()) / "schools_dataset"))
    dialog.background_spin.setValue(1.0)
    dialog.preview()
    save(dialog, "build_dataset_dialog")
    task = dialog.start()
    end = time.time() + 120
    while dialog.current_task is not None and time.time() < end:
        pump(0.2)
    save(dialog, "build_dataset_done")
    dialog.close()
    iface.mapCanvas().refresh()
    pump(3)
    save(iface.mainWindow(), "build_dataset_footprints")
    del task
    return Path(dialog.folder_widget.filePath())


def train(plugin, dataset):
    plugin.on_train()
    dialog = plugin.dialogs["train"]
    dialog.data_widget.setFilePath(str(dataset))
    dialog.backbone_combo.setCurrentIndex(dialog.backbone_combo.findData("tiny"))
    dialog.size_spin.setValue(64)
    dialog.epochs_spin.setValue(8)
    dialog.fine_spin.setValue(0)
    dialog.start()
    end = time.time() + 300
    while dialog.current_task is not None and time.time() < end:
        pump(0.2)
    save(dialog, "train_dialog")
    dialog.close()
    return Path(dialog.out_widget.filePath())


def scan(plugin, raster, model):
    import tempfile

    plugin.on_scan_region()
    dialog = plugin.dialogs["scan"]
    dialog.model_widget.setFilePath(str(model))
    dialog.imagery_combo.setLayer(raster)
    dialog.out_widget.setFilePath(str(Path(tempfile.mkdtemp()) / "scan.gpkg"))
    dialog.resume_check.setChecked(False)
    for known in QgsProject.instance().mapLayersByName("Labels"):  # the mapped schools: set aside
        dialog.known_combo.setLayer(known)
    from qgis.core import QgsCoordinateReferenceSystem

    QgsProject.instance().setCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    iface.mapCanvas().setExtent(raster.extent())
    pump(1)
    dialog._update_estimate()
    from school_detector.settings import PluginSettings

    settings = PluginSettings.load()  # the screenshots' own model: trusted, as training trusts it
    settings.trust(model)
    settings.save()
    dialog.scan(ask_size=False)
    end = time.time() + 300
    while dialog.current_task is not None and time.time() < end:
        pump(0.2)
    save(dialog, "scan_dialog")
    dialog.close()
    for layer in QgsProject.instance().mapLayers().values():
        if layer.name().startswith("Chips"):
            QgsProject.instance().layerTreeRoot().findLayer(layer.id()).setItemVisibilityChecked(False)
    iface.mapCanvas().refresh()
    pump(3)
    save(iface.mainWindow(), "scan_candidates")
    plugin.server.stop()
    layer = QgsProject.instance().mapLayer(dialog.result_layer_id)
    iface.setActiveLayer(layer)
    plugin.on_review()
    dock = plugin.review_dock
    dock.places_check.setChecked(True)
    if dock.imagery_combo.currentLayer() is None:
        dock.imagery_combo.setLayer(raster)
    dock.preview_check.setChecked(True)
    from school_detector.core.results import ReviewStatus

    for status in (ReviewStatus.CONFIRMED, ReviewStatus.REJECTED, ReviewStatus.CONFIRMED):
        dock.decide(status)  # a few decisions, so the map shows each style
    dock.status_combo.setCurrentIndex(dock.status_combo.findData(""))
    dock.skip()
    dock.skip()
    dock.skip()
    for other in QgsProject.instance().mapLayersByName("Labels"):  # the scan's candidates only
        QgsProject.instance().layerTreeRoot().findLayer(other.id()).setItemVisibilityChecked(False)
    box = layer.extent()
    box.scale(0.55)  # a part of the scene: decided and undecided candidates side by side
    iface.mapCanvas().setExtent(box)
    iface.mapCanvas().refresh()
    pump(3)
    save(iface.mainWindow(), "review_dock")


def run():
    try:
        plugin = qgis.utils.plugins.get("school_detector")
        if plugin is None:
            print("plugin not loaded:", list(qgis.utils.plugins), flush=True)
            return finish(1)
        main = iface.mainWindow()
        main.setGeometry(0, 0, 1366, 768)  # a laptop screen (xvfb-run in screenshots.sh has no window manager)
        from qgis.core import QgsCoordinateReferenceSystem

        QgsProject.instance().setCrs(QgsCoordinateReferenceSystem("EPSG:3857"))  # the tiles' own CRS
        raster = QgsRasterLayer(str(SCENE / "scene.tif"), "Sample scene (scene.tif)")
        labels = QgsVectorLayer(f"{SCENE / 'labels.gpkg'}|layername=labels", "Labels", "ogr")
        labels.setRenderer(label_renderer())
        QgsProject.instance().addMapLayer(raster)
        QgsProject.instance().addMapLayer(labels)  # added last: drawn on top
        QgsProject.instance().setCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
        QgsProject.instance().setCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
        iface.mapCanvas().setExtent(raster.extent())
        iface.mapCanvas().refresh()
        pump(4)
        save(main, "main_window")
        plugin.on_settings()
        dialog = plugin.dialogs["settings"]
        end = time.time() + 120
        while dialog.current_task is not None and time.time() < end:
            pump(0.2)
        save(dialog, "settings_dialog")
        dialog.close()
        dataset = build_dataset(plugin, raster, labels)
        model = train(plugin, dataset)
        scan(plugin, raster, model)
        finish(0)
    except Exception as exc:  # noqa: BLE001 - report and leave QGIS
        import traceback

        traceback.print_exc()
        print("error:", exc, file=sys.stderr, flush=True)
        finish(1)


QTimer.singleShot(3000, run)
