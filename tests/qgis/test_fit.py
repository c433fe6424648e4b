"""Every dialog and the review dock fit a 1366x768 laptop with the map still usable: forms
scroll, the progress and Run/Cancel/Close buttons stay on screen."""

from qgis.PyQt.QtCore import QRect, QSize
from qgis.PyQt.QtWidgets import QApplication

from school_detector.gui.build_dataset_dialog import BuildDatasetDialog
from school_detector.gui.fit import WINDOW_MARGIN, fitted
from school_detector.gui.review_dock import ReviewDock
from school_detector.gui.scan_dialog import ScanDialog
from school_detector.gui.settings_dialog import SettingsDialog
from school_detector.gui.train_dialog import TrainDialog
from school_detector.runtime.local_server import LocalServer
from school_detector.tasks.registry import TaskRegistry

LAPTOP = QRect(0, 0, 1366, 768 - 40)  # the screen less a task bar
ROOM = QSize(LAPTOP.width() - WINDOW_MARGIN.width(), LAPTOP.height() - WINDOW_MARGIN.height())


def dialogs(qgis_iface, runtime_python):
    tasks = TaskRegistry(qgis_iface)
    yield "build", BuildDatasetDialog(qgis_iface, tasks)
    yield "train", TrainDialog(qgis_iface, tasks, runtime_python)
    yield "scan", ScanDialog(qgis_iface, tasks, LocalServer(), runtime_python)
    yield "settings", SettingsDialog(qgis_iface, tasks)


def test_dialogs_fit_a_laptop_screen(qgis_iface, runtime_python):
    for name, dialog in dialogs(qgis_iface, runtime_python):
        smallest = dialog.minimumSizeHint()
        assert smallest.height() <= ROOM.height() and smallest.width() <= ROOM.width(), (name, smallest)
        dialog.resize(dialog.size().boundedTo(ROOM))
        dialog.show()
        QApplication.processEvents()
        run = dialog.panel.run_button  # the job's buttons are inside the dialog, not cut off below it
        bottom = run.mapTo(dialog, run.rect().bottomLeft()).y()
        assert run.isVisible() and bottom <= dialog.height(), (name, bottom, dialog.height())
        dialog.close()


def test_the_size_to_open_at_is_bounded_by_the_screen():
    assert fitted(QSize(746, 900), LAPTOP) == QSize(746, ROOM.height())
    assert fitted(QSize(600, 500), LAPTOP) == QSize(600, 500)  # room enough: as the form wants
    assert fitted(QSize(2000, 500), LAPTOP).width() == ROOM.width()


def test_the_review_dock_leaves_the_map_most_of_the_screen(qgis_iface):
    dock = ReviewDock(qgis_iface)
    try:
        smallest = dock.minimumSizeHint()
        assert smallest.width() <= 420, smallest  # a map at least ~900 px wide beside it
        assert smallest.height() <= 300, smallest  # it scrolls: QGIS's toolbars and the map keep their room
    finally:
        dock.deleteLater()


def test_the_dialogs_call_nothing_this_qgis_deprecates(qgis_iface, runtime_python):
    """QGIS 3.40 warns about the old setFilters() overload and QgsField(QVariant): calls that go
    away with QGIS 4. Built on the QGIS under test (3.22 here, 3.40 in `make test-qgis-lts`)."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        built = [*dialogs(qgis_iface, runtime_python), ("review", ReviewDock(qgis_iface))]
    deprecated = [
        str(w.message) for w in caught if issubclass(w.category, DeprecationWarning) and "deprecated" in str(w.message)
    ]
    assert not deprecated, deprecated
    assert len(built) == 5
