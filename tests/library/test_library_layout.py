"""Library names (SPEC §5) and placement: safe on every filesystem, never outside the library."""

from __future__ import annotations

from pathlib import Path

import pytest

from webapp.downloading.engines.transfer import discard_partial
from webapp.library.layout import UnsafePath, library_path, place_file

WINDOWS_FORBIDDEN = set('<>:"/\\|?*')


def test_names_follow_the_spec(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    assert library_path(lib, "Frieren", 2, 5, "mp4", "vostfr", "vostfr") == \
        lib.resolve() / "Frieren" / "Season 02" / "Frieren - S02E05.mp4"
    assert library_path(lib, "Frieren", 1, 5, "mkv", "vf", "vostfr").name == \
        "Frieren - S01E05 [VF].mkv"
    assert library_path(lib, "Frieren", 0, 3, "mp4", "vostfr", "vostfr") == \
        lib.resolve() / "Frieren" / "Specials" / "Frieren - S00E03.mp4"
    assert library_path(lib, "Frieren", 1, 12.5, "mp4", "vostfr", "vostfr").name == \
        "Frieren - S01E12.5.mp4"
    assert library_path(lib, "One Piece", 1, 1100, ".MP4", "vostfr", "vostfr").name == \
        "One Piece - S01E1100.mp4"
    assert library_path(lib, "Re:Zero: Starting Life", 1, 1, "mp4", "vostfr", "vostfr"
                        ).parent.parent.name == "Re-Zero - Starting Life"


@pytest.mark.parametrize("title", [
    "../../etc/passwd", "CON", "con.txt", "a/b:c*?", "x" * 300, "é" * 300, " .. ",
    "..", "Name.", "tab\there\x00nul\x1fctl", 'q"u<o>t|e', "COM1", "LPT9.mkv"])
def test_hostile_titles_land_safely_inside_the_library(tmp_path: Path, title: str) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    part = tmp_path / "ep.part"
    part.write_bytes(b"video")
    final = place_file(part, library_path(lib, title, 1, 1, "mp4", "vostfr", "vostfr"))
    assert final.read_bytes() == b"video"
    assert final.resolve().is_relative_to(lib.resolve())
    assert sorted(p for p in tmp_path.rglob("*") if p.is_file()) == [final]
    for component in final.relative_to(lib.resolve()).parts:
        assert len(component.encode()) <= 255
        assert not WINDOWS_FORBIDDEN & set(component)
        assert not any(ord(ch) < 32 for ch in component)
        assert component == component.strip() and not component.endswith(".")
        assert not component.startswith(".")
        assert component.split(".")[0].upper() not in {"CON", "NUL", "COM1", "LPT9"}


def test_a_symlinked_title_folder_pointing_outside_is_refused(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (lib / "Show").symlink_to(outside)
    with pytest.raises(UnsafePath, match="outside the download folder"):
        library_path(lib, "Show", 1, 1, "mp4", "vostfr", "vostfr")


def test_place_file_moves_and_adopts_identical_file(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    final = library_path(lib, "Show", 1, 2, "mp4", "vostfr", "vostfr")
    part = lib / ".partial" / "1.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"a" * 5000)
    (lib / ".partial" / "1.part.meta").write_text("{}")
    assert place_file(part, final) == final and not part.exists()
    discard_partial(part)
    assert list((lib / ".partial").iterdir()) == []
    inode = final.stat().st_ino
    again = lib / ".partial" / "2.part"
    again.write_bytes(b"a" * 5000)
    assert place_file(again, final) == final
    discard_partial(again)
    assert not again.exists() and final.stat().st_ino == inode


def test_place_file_never_overwrites_a_different_file(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    final = library_path(lib, "Show", 1, 3, "mp4", "vostfr", "vostfr")
    final.parent.mkdir(parents=True)
    final.write_bytes(b"the user's own file")
    part = tmp_path / "3.part"
    part.write_bytes(b"b" * len(b"the user's own file"))
    placed = place_file(part, final)
    assert placed.name == "Show - S01E03 (2).mp4"
    assert final.read_bytes() == b"the user's own file"
    assert placed.read_bytes() == b"b" * 19 and not part.exists()
