"""Paths that work on Windows and macOS too: file URIs through the standard converters, files
replaced while another program holds them, no symbolic links needed."""

import os
from pathlib import Path

import pytest

from school_detector.cli.sat_xception import translate
from school_detector.core.errors import InputError
from school_detector.core.files import replace_file
from school_detector.dataset.builder import read_dataset_folder
from school_detector.imagery.xyz import file_uri_path


def chips(folder: Path, *classes: str) -> Path:
    for cls in classes:
        (folder / cls).mkdir(parents=True, exist_ok=True)
        (folder / cls / "a.png").write_bytes(b"png")
    return folder


def test_sat_xception_folders_are_named_not_linked(tmp_path):
    train = chips(tmp_path / "my train", "school", "not_school")
    valid = chips(tmp_path / "valid#1", "school", "not_school")
    argv = translate(["train", f"-train={train}", f"-valid={valid}", "-model=tiny"], tmp_path / "work")
    root = Path(argv[argv.index("--data") + 1])
    assert not any(p.is_symlink() for p in root.iterdir())
    found = read_dataset_folder(root)
    assert found["train"]["school"] == [train / "school" / "a.png"]
    assert found["valid"]["not-school"] == [valid / "not_school" / "a.png"]


def test_file_uris_become_paths_on_every_os(tmp_path):
    folder = tmp_path / "tiles 50% #2"
    uri = folder.as_uri() + "/18/1/2.png"
    assert file_uri_path(uri) == folder / "18" / "1" / "2.png"
    if os.name == "nt":  # file:///C:/… is C:\…, not \C:\…
        assert str(file_uri_path("file:///C:/tiles/18/1/2.png")) == r"C:\tiles\18\1\2.png"


def test_a_file_another_program_holds_is_replaced_after_it_lets_go(tmp_path, monkeypatch):
    """Windows refuses to replace a file QGIS (or an antivirus) has open: a short retry, then a
    message that says what to do; the new content is never lost."""
    target, tmp = tmp_path / "chips.gpkg", tmp_path / ".chips.gpkg.tmp"
    target.write_text("old")
    tmp.write_text("new")
    real, refusals = os.replace, []

    def held_twice(src, dst):
        if len(refusals) < 2:
            refusals.append(dst)
            raise PermissionError(13, "The process cannot access the file", str(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", held_twice)
    replace_file(tmp, target, wait=0.01)
    assert target.read_text() == "new" and len(refusals) == 2
    tmp.write_text("newer")
    monkeypatch.setattr(os, "replace", lambda src, dst: (_ for _ in ()).throw(PermissionError(13, "held", str(dst))))
    with pytest.raises(InputError, match="open in another program"):
        replace_file(tmp, target, attempts=3, wait=0.01)
    assert tmp.read_text() == "newer" and target.read_text() == "new"  # nothing lost either way
