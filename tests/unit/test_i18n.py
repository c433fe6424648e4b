"""Translatable strings: every tr() call can be translated, and the .ts template is current."""

import sys
import xml.etree.ElementTree as ET

from tests.paths import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import i18n


def test_every_tr_call_is_translatable_with_the_context_it_runs_in():
    contexts, problems = i18n.extract()
    assert problems == []
    assert "Set up ML runtime…" in {t for t, _, _ in contexts["SettingsDialog"]}
    assert "Confirm" in {t for t, _, _ in contexts["ReviewDock"]}  # an N_() mark, translated via a table
    assert "Train classifier…" in {t for t, _, _ in contexts["SchoolDetector"]}


def messages(path):
    """(context, source) pairs: what translators translate (locations move with every edit)."""
    root = ET.parse(path).getroot()
    assert root.tag == "TS"  # well-formed, the shape Qt Linguist reads
    return {(c.findtext("name"), m.findtext("source")) for c in root.iter("context") for m in c.iter("message")}


def test_the_committed_template_has_every_string(tmp_path):
    fresh = tmp_path / "t.ts"
    i18n.write_ts(i18n.extract()[0], fresh)
    committed = messages(ROOT / "i18n" / "school_detector.ts")
    assert committed == messages(fresh), "run `make translations`"
    assert len(committed) > 200
