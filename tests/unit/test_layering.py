"""The architecture's rules, checked: core is pure, nothing heavy at import."""

import ast
import subprocess
import sys
from pathlib import Path

from tests.paths import ROOT

CORE = ROOT / "school_detector" / "core"
FORBIDDEN = ("qgis", "PyQt5", "PyQt6", "tensorflow", "keras", "numpy", "rasterio", "osgeo")


def test_core_imports_only_the_standard_library_and_mercantile():
    allowed_third_party = {"mercantile"}
    for path in CORE.glob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [(node.module or "").split(".")[0]]
            else:
                continue
            for name in names:
                assert name in allowed_third_party or name in sys.stdlib_module_names, (path.name, name)


def test_importing_the_package_and_core_loads_nothing_heavy():
    code = (
        "import sys, school_detector, school_detector.core.tiles, school_detector.core.cover, "
        "school_detector.core.gpkg, school_detector.core.model_card, school_detector.core.progress, "
        "school_detector.runtime.locate; "
        f"print([m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}])"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_versions_agree():
    import configparser

    from school_detector.version import __version__

    meta = configparser.ConfigParser(interpolation=None)
    meta.read(ROOT / "metadata.txt")
    assert meta["general"]["version"] == __version__
    # QGIS 4 (Qt6) loads a plugin whose maximum is 4.x; the supportsQt6 flag is obsolete there
    # and "False" would hide the plugin on QGIS 3 Qt6 builds
    assert meta["general"]["qgisMinimumVersion"] == "3.22" and meta["general"]["qgisMaximumVersion"] == "4.99"
    assert "supportsQt6" not in meta["general"]
    assert f"## {__version__}" in (ROOT / "CHANGELOG.md").read_text()


def test_runtime_requirements_are_pinned():
    lines = [
        ln
        for ln in (ROOT / "school_detector" / "runtime-requirements.txt").read_text().splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    assert lines and all("==" in ln for ln in lines)
    assert any(ln.startswith("tensorflow-cpu==") for ln in lines)
    for req in (ROOT / "requirements").glob("*.txt"):
        for ln in req.read_text().splitlines():
            if ln.strip() and not ln.startswith("#"):
                assert "==" in ln, (req.name, ln)
    assert Path(ROOT / "requirements" / "runtime-constraints.txt").exists()
