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
