"""Translations: the marker for strings translated later, and loading the user's .qm file.

``N_("text")`` marks a literal that a ``tr()`` call receives later through a variable (tables
of labels); ``make translations`` collects both into the .ts template with the module's context.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

I18N_DIR = Path(__file__).resolve().parent / "i18n"


def N_(text: str) -> str:  # noqa: N802 (the gettext convention translators' tools know)
    return text


def install_translator(locale: str) -> Any:
    """Load school_detector_<locale>.qm (e.g. fr, pt_BR) if the plugin ships one; keep the
    returned translator alive while the plugin is loaded."""
    from qgis.PyQt.QtCore import QCoreApplication, QTranslator

    for name in (locale, locale.split("_")[0]):
        path = I18N_DIR / f"school_detector_{name}.qm"
        if path.is_file():
            translator = QTranslator()
            if translator.load(str(path)):
                QCoreApplication.installTranslator(translator)
                return translator
    return None
