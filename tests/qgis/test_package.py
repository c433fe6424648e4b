"""dist/school_detector.zip: the repository's rules, and QGIS loading the plugin from it."""

import subprocess
import sys
import textwrap
import zipfile

import pytest

from tests.paths import ROOT


@pytest.fixture(scope="module")
def zip_path(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist") / "school_detector.zip"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "package.py"), str(out)], check=True, capture_output=True, text=True
    )
    return out


def test_zip_follows_the_plugin_repository_rules(zip_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import package
    finally:
        sys.path.pop(0)
    assert package.check_zip(zip_path) == []
    with zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()
    assert "school_detector/_vendor/mercantile/__init__.py" in names
    assert "school_detector/resources/icons/icon.png" in names
    assert "school_detector/runtime-requirements.txt" in names
    assert not [n for n in names if "/tests/" in n or n.endswith(".pyc") or "__pycache__" in n]


def test_qgis_loads_and_unloads_the_plugin_from_the_zip(zip_path, tmp_path, runtime_python):
    """In a fresh QGIS process, with only the unzipped plugin on the plugin path (no mercantile)."""
    plugins = tmp_path / "plugins"
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(plugins)
    script = tmp_path / "load.py"
    script.write_text(
        textwrap.dedent(f"""
        import sys, builtins
        real_import = builtins.__import__
        def no_mercantile(name, *a, **k):  # QGIS has nothing installed for us
            if name == "mercantile":
                raise ImportError("mercantile is not installed on the QGIS side")
            return real_import(name, *a, **k)
        builtins.__import__ = no_mercantile
        sys.path = [p for p in sys.path if p not in ("", {str(ROOT)!r})]
        sys.path.insert(0, {str(plugins)!r})
        from qgis.core import QgsApplication
        app = QgsApplication([], True)
        app.initQgis()
        from qgis.gui import QgsMapCanvas, QgsMessageBar
        from qgis.PyQt.QtWidgets import QMainWindow, QToolBar
        import qgis.utils

        class Iface:  # the part of QgisInterface the plugin uses
            def __init__(self):
                self.window, self.bar, self.canvas, self.menu = QMainWindow(), QgsMessageBar(), QgsMapCanvas(), []
            def mainWindow(self): return self.window
            def messageBar(self): return self.bar
            def mapCanvas(self): return self.canvas
            def addToolBar(self, name):
                tb = QToolBar(name, self.window); self.window.addToolBar(tb); return tb
            def addPluginToMenu(self, name, action): self.menu.append(action)
            def removePluginMenu(self, name, action): self.menu.remove(action)

        iface = Iface()
        qgis.utils.iface = iface
        qgis.utils.plugin_paths = [{str(plugins)!r}]
        qgis.utils.updateAvailablePlugins()
        assert "school_detector" in qgis.utils.available_plugins, qgis.utils.available_plugins
        assert qgis.utils.loadPlugin("school_detector")
        assert qgis.utils.startPlugin("school_detector")
        plugin = qgis.utils.plugins["school_detector"]
        import school_detector, school_detector.core.tiles as T
        assert school_detector.__file__.startswith({str(plugins)!r}), school_detector.__file__
        assert T.quadkey(T.Tile(3, 5, 3)) == "213"  # the vendored mercantile works
        print("ACTIONS", len(plugin.actions), len(iface.menu))
        assert qgis.utils.unloadPlugin("school_detector")
        assert iface.menu == []
        print("TF_LOADED", "tensorflow" in sys.modules)
        app.exitQgis()
    """)
    )
    env = {
        "QT_QPA_PLATFORM": "offscreen",
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_RUNTIME_DIR": str(ROOT / ".cache" / "xdg"),
    }
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "ACTIONS 6 6" in out.stdout and "TF_LOADED False" in out.stdout


def qgis_process_exe():
    """Debian's qgis_process wrapper passes --noversioncheck, which qgis_process rejects: the
    binary takes the same commands."""
    import shutil

    exe = shutil.which("qgis_process.bin") or shutil.which("qgis_process")
    assert exe, "qgis_process is missing: make setup installs the qgis package"
    return exe


def test_qgis_process_runs_the_algorithms_from_the_installed_zip(zip_path, tmp_path):
    import json
    import os
    import sqlite3

    from school_detector.core.tiles import Tile
    from school_detector.scan.store import ResultStore

    plugins = tmp_path / "config" / "profiles" / "default" / "python" / "plugins"
    plugins.mkdir(parents=True)
    zipfile.ZipFile(zip_path).extractall(plugins)
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(tmp_path / "config"), QT_QPA_PLATFORM="offscreen")

    def qgis_process(*args):
        return subprocess.run([qgis_process_exe(), *args], capture_output=True, text=True, env=env, timeout=300)

    enabled = qgis_process("plugins", "enable", "school_detector")
    assert enabled.returncode == 0, enabled.stdout + enabled.stderr
    listed = qgis_process("list")
    for algorithm in ("build_training_data", "train", "scan", "exportreviewed", "addreviewed"):
        assert f"school_detector:{algorithm}" in listed.stdout, listed.stdout[-3000:]
    helped = qgis_process("help", "school_detector:train")
    assert "FINE_TUNE_EPOCHS" in helped.stdout and "Cancel stops after the current batch" in helped.stdout
    store = ResultStore(tmp_path / "r.gpkg", "schools:1", 0.5)
    store.commit([(Tile(500, 700, 18), 0.9), (Tile(510, 700, 18), 0.8)])
    store.close()
    with sqlite3.connect(tmp_path / "r.gpkg") as c:
        c.execute("UPDATE candidates SET status='confirmed' WHERE tile='18/500/700'")
    out = tmp_path / "schools space ä.geojson"  # spaces and non-ASCII in a path
    run = qgis_process(
        "run", "school_detector:exportreviewed", "--", f"RESULTS={tmp_path / 'r.gpkg'}", "STATUS=1", f"OUTPUT={out}"
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    features = json.loads(out.read_text())["features"]
    assert [f["properties"]["tile"] for f in features] == ["18/500/700"]
    bad = qgis_process("run", "school_detector:exportreviewed", "--", f"RESULTS={tmp_path / 'nope.gpkg'}",
                       f"OUTPUT={tmp_path / 'x.geojson'}")  # fmt: skip
    assert bad.returncode != 0 and "nope.gpkg" in bad.stdout + bad.stderr
