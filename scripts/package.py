"""Build dist/school_detector.zip, the file users install with "Install from ZIP".

The repository root is not the plugin folder: the zip holds one top-level folder
``school_detector/`` with the package, its resources, metadata.txt, LICENSE and the
vendored pure-Python dependencies, and nothing else (no caches, no tests). The rules of
the QGIS plugin repository are checked here so a bad zip never leaves the build.

Run with the QGIS Python (/usr/bin/python3): it renders the PNG icon with Qt.
"""

from __future__ import annotations

import configparser
import re
import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = "school_detector"
REQUIRED = (
    "name",
    "qgisMinimumVersion",
    "qgisMaximumVersion",
    "description",
    "about",
    "version",
    "author",
    "email",
    "tracker",
    "repository",
)
SKIP_DIRS = {"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"}


def render_png(svg: Path, png: Path, size: int = 64) -> None:
    from qgis.PyQt.QtCore import Qt
    from qgis.PyQt.QtGui import QGuiApplication, QImage, QPainter
    from qgis.PyQt.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(["package", "-platform", "offscreen"])
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(svg)).render(painter)
    painter.end()
    if not image.save(str(png)):
        raise SystemExit(f"could not write {png}")


def mercantile_source() -> Path:
    import mercantile

    return Path(mercantile.__file__).resolve()


def read_metadata(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser["general"]


def check_zip(zip_path: Path) -> list[str]:
    """The QGIS plugin repository's rules, as problems found (empty list: fine)."""
    problems = []
    with zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()
        tops = {n.split("/")[0] for n in names}
        if tops != {PLUGIN}:
            problems.append(f"zip must hold exactly one top-level folder {PLUGIN}/, has {sorted(tops)}")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", PLUGIN):
            problems.append("plugin folder name must be a Python identifier")
        bad = [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".pyo"))]
        if bad:
            problems.append(f"compiled files in zip: {bad[:3]}")
        for required in ("metadata.txt", "LICENSE", "__init__.py"):
            if f"{PLUGIN}/{required}" not in names:
                problems.append(f"missing {PLUGIN}/{required}")
        if f"{PLUGIN}/metadata.txt" in names:
            parser = configparser.ConfigParser(interpolation=None)
            parser.read_string(zf.read(f"{PLUGIN}/metadata.txt").decode("utf-8"))
            meta = parser["general"]
            for key in REQUIRED:
                if not meta.get(key, "").strip():
                    problems.append(f"metadata.txt lacks {key}")
            icon = meta.get("icon", "")
            if icon and f"{PLUGIN}/{icon}" not in names:
                problems.append(f"metadata icon {icon} not in zip")
    return problems


def build(out: Path) -> Path:
    meta = read_metadata(ROOT / "metadata.txt")
    sys.path.insert(0, str(ROOT))
    from school_detector.version import __version__

    if meta["version"] != __version__:
        raise SystemExit(f"metadata.txt version {meta['version']} != school_detector/version.py {__version__}")
    stage = out.parent / "stage"
    shutil.rmtree(stage, ignore_errors=True)
    target = stage / PLUGIN
    shutil.copytree(ROOT / PLUGIN, target, ignore=shutil.ignore_patterns(*SKIP_DIRS, "*.pyc", "*.pyo"))
    shutil.copytree(ROOT / "resources", target / "resources", ignore=shutil.ignore_patterns(*SKIP_DIRS))
    render_png(ROOT / "resources" / "icons" / "icon.svg", target / "resources" / "icons" / "icon.png")
    vendor = target / "_vendor" / "mercantile"
    vendor.mkdir(parents=True, exist_ok=True)
    source = mercantile_source()
    shutil.copy2(source, vendor / "__init__.py")
    for licence in source.parent.parent.glob("mercantile-*.dist-info/LICENSE*"):
        shutil.copy2(licence, vendor / "LICENSE.txt")
    for name in ("metadata.txt", "LICENSE", "README.md", "CHANGELOG.md"):
        shutil.copy2(ROOT / name, target / name)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(target.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(stage).as_posix())
    shutil.rmtree(stage)
    problems = check_zip(tmp)
    if problems:
        tmp.unlink()
        raise SystemExit("package rules violated:\n  " + "\n  ".join(problems))
    tmp.replace(out)
    return out


if __name__ == "__main__":
    dest = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist" / f"{PLUGIN}.zip"
    print(build(dest))
