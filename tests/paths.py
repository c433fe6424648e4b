"""Paths every test tier uses (no imports of QGIS or TF here)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data"
RUNTIME_PYTHON = ROOT / ".runtime" / "bin" / "python"
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"


def require_shared_data() -> Path:
    """Fail loudly (never skip) when ../shared/data is missing: the tests need it."""
    if not DATA.is_dir():
        raise FileNotFoundError(f"{DATA} is missing: clone the project next to its shared/ folder.")
    return DATA
