"""Every Qt/QGIS enum value in the plugin's source must be reached *scoped*.

Under PyQt6 (QGIS 4) Qt's own classes lose their unscoped names (``Qt.AlignCenter``,
``QPainter.Antialiasing``: AttributeError); QGIS keeps aliases for its own classes
(``QgsTask.CanCancel``) but the plugins.qgis.org Qt6 check rejects them ("Enum error, add
'Flag' before 'CanCancel'").  PyQt5 (QGIS 3.22+) accepts both spellings, so nothing catches a
regression on a QGIS 3 machine unless a test does.  This test walks the source with ``ast`` (no
plugin module is imported), resolves each attribute chain rooted at a name imported from
``qgis.core`` / ``qgis.gui`` / ``qgis.PyQt.*`` (aliases included), evaluates the chain
against the running QGIS, and fails when an enum member is reached through anything other
than its own enum type (``Class.Value`` instead of ``Class.Enum.Value``).

Enum members recognised: sip enums (PyQt5: an ``int`` subclass whose type's metatype is
``sip.enumtype``) and Python ``enum.Enum`` members (PyQt6, and the enums QGIS 3.x
monkey-patches in Python, e.g. ``QgsMapLayerType``).

Chains that do not resolve on this QGIS (e.g. ``Qgis.LayerFilter`` on 3.22) are skipped;
names that exist only on newer QGIS must go through the compatibility module
(``getattr`` chains), which this test does not see.

Runs headless in about a second: SD_SCAN_ROOTS (os.pathsep-separated) overrides the
directories scanned; by default the repository's school_detector/, scripts/, tests/.
"""

from __future__ import annotations

import ast
import enum
import importlib
import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _find_repo() -> Path:
    if os.environ.get("SD_REPO"):
        return Path(os.environ["SD_REPO"])
    for d in Path(__file__).resolve().parents:  # the test lives somewhere under tests/
        if (d / "school_detector" / "__init__.py").is_file():
            return d
    raise RuntimeError("set SD_REPO to the repository root")


REPO = _find_repo()
DEFAULT_ROOTS = ("school_detector", "scripts", "tests")
SKIP_PARTS = {"_vendor", "__pycache__", ".venv"}
# Modules whose names are Qt/QGIS API: qgis.core, qgis.gui, qgis.analysis, qgis.PyQt.*, PyQt5/6.*
QT_MODULE_PREFIXES = ("qgis.core", "qgis.gui", "qgis.analysis", "qgis.PyQt", "PyQt5", "PyQt6")

from qgis.PyQt.QtCore import Qt as _Qt  # noqa: E402

# PyQt5's enum metatype (sip.enumtype) is not exported by PyQt5.sip: take it from a known
# member.  Under PyQt6 that member is an enum.Enum and no sip metatype is needed.
_probe = _Qt.AlignmentFlag.AlignCenter
_SIP_ENUMTYPE = None if isinstance(_probe, enum.Enum) else type(type(_probe))


def is_enum_member(value) -> bool:
    if isinstance(value, enum.Enum):
        return True
    return _SIP_ENUMTYPE is not None and isinstance(type(value), _SIP_ENUMTYPE)


def _is_qt_module(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in QT_MODULE_PREFIXES)


def source_files() -> list[Path]:
    roots = os.environ.get("SD_SCAN_ROOTS")
    dirs = [Path(p) for p in roots.split(os.pathsep)] if roots else [REPO / d for d in DEFAULT_ROOTS]
    files = []
    for d in dirs:
        files += [p for p in sorted(d.rglob("*.py")) if not SKIP_PARTS & set(p.parts)]
    return files


def import_map(tree: ast.AST) -> dict[str, tuple[str, str | None]]:
    """Local name -> (module, attribute or None) for every Qt/QGIS import in the file.

    Imports inside functions count too (the plugin imports lazily); a name bound to two
    different Qt/QGIS objects in one file is rare enough to ignore (last one wins).
    """
    names: dict[str, tuple[str, str | None]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                full = f"{node.module}.{a.name}"
                if _is_qt_module(node.module):
                    names[a.asname or a.name] = (node.module, a.name)
                elif _is_qt_module(full):  # from qgis import core; from qgis.PyQt import QtCore
                    names[a.asname or a.name] = (full, None)
        elif isinstance(node, ast.Import):
            for a in node.names:
                if _is_qt_module(a.name):
                    if a.asname:
                        names[a.asname] = (a.name, None)
                    # `import qgis.core` binds `qgis`: chains are then qgis.core.X
                elif a.name == "qgis" or (a.asname is None and a.name.startswith("qgis.")):
                    names["qgis"] = ("qgis", None)
    return names


def chain_of(node: ast.Attribute) -> tuple[str, list[str]] | None:
    attrs = []
    while isinstance(node, ast.Attribute):
        attrs.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return node.id, attrs[::-1]


_modules: dict[str, object] = {}


def _module(name: str):
    if name not in _modules:
        _modules[name] = importlib.import_module(name)
    return _modules[name]


def suggestion(parent, enum_t, prefix: list[str], name: str) -> str:
    """The scoped spelling: through the same class when it exposes the enum type under some
    name (QgsTask.Flag.CanCancel, QgsMapSettings.Flag.Antialiasing, Qgis.MessageLevel.Info),
    else the enum type's own qualified name (as pyqt5_to_pyqt6.py does)."""
    if isinstance(parent, type):
        aliases = sorted(a for a in dir(parent) if not a.startswith("_") and getattr(parent, a, None) is enum_t)
        if aliases:
            return ".".join([*prefix, aliases[0], name])
    return f"{enum_t.__qualname__}.{name}"


def unscoped_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = import_map(tree)
    if not names:
        return []
    inner = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or id(node) in inner:
            continue  # only the outermost node of each chain
        chain = chain_of(node)
        if chain is None or chain[0] not in names:
            continue
        root, attrs = chain
        module, attr = names[root]
        try:
            obj = _module(module)
            if attr is not None:
                obj = getattr(obj, attr)
        except (ImportError, AttributeError):
            continue
        for i, name in enumerate(attrs):
            parent = obj
            try:
                obj = getattr(parent, name)
            except AttributeError:
                break  # not on this QGIS/Qt (newer API, or an instance attribute)
            if is_enum_member(obj):
                if type(obj).__qualname__ == "QVariant.Type":  # gone in PyQt6, scoped or not
                    text = ".".join([root, *attrs[: i + 1]])
                    rel = path.relative_to(REPO) if path.is_relative_to(REPO) else path
                    msg = f'{rel}:{node.lineno}: {text} -> qgis_compat.field_type("{name}") (no QVariant.Type in PyQt6)'
                    found.append((node.lineno, node.col_offset, msg))
                elif parent is not type(obj):  # reached through a class, not its enum type
                    text = ".".join([root, *attrs[: i + 1]])
                    scoped = suggestion(parent, type(obj), [root, *attrs[:i]], name)
                    rel = path.relative_to(REPO) if path.is_relative_to(REPO) else path
                    found.append((node.lineno, node.col_offset, f"{rel}:{node.lineno}: {text} -> {scoped}"))
                break
            if not isinstance(obj, type) and not isinstance(obj, type(importlib)):
                break  # a function, a constant...: the chain stops being API lookup
    return [f for *_, f in sorted(found)]


FILES = source_files()


@pytest.mark.parametrize(
    "path", FILES, ids=[str(p.relative_to(REPO)) if p.is_relative_to(REPO) else str(p) for p in FILES]
)
def test_enum_values_are_scoped(path):
    uses = unscoped_uses(path)
    assert not uses, "unscoped enum values (fail on QGIS 4 / PyQt6):\n  " + "\n  ".join(uses)


def test_detector_sees_both_spellings():
    """Guard the detector itself: it must tell QgsTask.CanCancel from QgsTask.Flag.CanCancel."""
    from qgis.core import QgsTask
    from qgis.PyQt.QtCore import Qt

    assert is_enum_member(QgsTask.Flag.CanCancel) and is_enum_member(Qt.AlignmentFlag.AlignCenter)
    assert not is_enum_member(3) and not is_enum_member(QgsTask)
    assert type(QgsTask.Flag.CanCancel) is QgsTask.Flag
    src = (
        "from qgis.core import QgsTask as T\nfrom qgis.PyQt import QtCore\n"
        "a = T.CanCancel\nb = T.Flag.CanCancel\nc = QtCore.Qt.AlignCenter\nd = QtCore.Qt.AlignmentFlag.AlignCenter\n"
    )
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / "_scoped_enum_probe.py"
    tmp.write_text(src, encoding="utf-8")
    try:
        uses = unscoped_uses(tmp)
    finally:
        tmp.unlink()
    assert [u.split(": ", 1)[1] for u in uses] == [
        "T.CanCancel -> T.Flag.CanCancel",
        "QtCore.Qt.AlignCenter -> QtCore.Qt.AlignmentFlag.AlignCenter",
    ], uses


# -- message levels passed as bare ints ------------------------------------------------------
# PyQt6 does not convert an int into a Qgis.MessageLevel argument; 0/1/2 are also unreadable.
# Level position per method: pushWidget(widget, level, duration), logMessage(msg, tag, level),
# pushMessage(text, level[, duration]) or pushMessage(title, text, level[, duration]).
def _is_int(node) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int


def bare_int_levels(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        meth, args = node.func.attr, node.args
        bad = any(k.arg == "level" and _is_int(k.value) for k in node.keywords)
        if meth == "pushWidget" and len(args) >= 2:
            bad |= _is_int(args[1])
        elif meth == "logMessage" and len(args) >= 3:
            bad |= _is_int(args[2])
        elif meth == "pushMessage" and len(args) >= 2:
            bad |= _is_int(args[1]) or (len(args) >= 3 and _is_int(args[2]))
        else:
            continue
        if bad:
            rel = path.relative_to(REPO) if path.is_relative_to(REPO) else path
            found.append(
                (node.lineno, f"{rel}:{node.lineno}: {meth}(...) with a bare int level -> Qgis.MessageLevel.X")
            )
    return [f for _, f in sorted(found)]


@pytest.mark.parametrize(
    "path", FILES, ids=[str(p.relative_to(REPO)) if p.is_relative_to(REPO) else str(p) for p in FILES]
)
def test_message_levels_are_not_bare_ints(path):
    uses = bare_int_levels(path)
    assert not uses, "\n  ".join(["bare int message levels:", *uses])
