"""Where the plugin's files are, in a source checkout and in the installed zip."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def resources_dir() -> Path:
    """``resources/`` is copied into the package by ``make package``; in a checkout it is a sibling."""
    inside = PACKAGE_DIR / "resources"
    return inside if inside.is_dir() else PACKAGE_DIR.parent / "resources"


def icon_path(name: str) -> str:
    return str(resources_dir() / "icons" / f"{name}.svg")
