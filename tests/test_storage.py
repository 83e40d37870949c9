"""The media folder: whole files or none, and no key that could name a file elsewhere."""

import os
from pathlib import Path

import pytest

from buurtnet.storage import FolderStorage, InvalidKey, content_type_of, is_valid_key


async def test_save_load_and_delete(tmp_path: Path) -> None:
    storage = FolderStorage(tmp_path / "media" / "new")  # made when the first file arrives

    await storage.save("abc_DEF-123.jpg", b"jpeg bytes")

    assert await storage.load("abc_DEF-123.jpg") == b"jpeg bytes"
    assert os.listdir(tmp_path / "media" / "new") == ["abc_DEF-123.jpg"]
    await storage.delete("abc_DEF-123.jpg")
    assert await storage.load("abc_DEF-123.jpg") is None


async def test_deleting_a_missing_file_is_fine(tmp_path: Path) -> None:
    await FolderStorage(tmp_path).delete("never_there.png")


@pytest.mark.parametrize(
    "key",
    [
        "../x.jpg",
        "..",
        "/etc/passwd",
        "sub/x.jpg",
        "x.jpg/../../y.jpg",
        "x.html",
        "x.svg",
        "x.JPG",
        "x.jpeg",
        ".partial-x.jpg",
        "x.jpg\x00.png",
        "x.jpg\n",
        "x jpg.jpg",
        ".jpg",
        "a" * 91 + ".jpg",
        "",
    ],
)
async def test_keys_that_core_cannot_make_are_refused(tmp_path: Path, key: str) -> None:
    storage = FolderStorage(tmp_path / "media")
    assert not is_valid_key(key)
    with pytest.raises(InvalidKey):
        await storage.save(key, b"x")
    with pytest.raises(InvalidKey):
        await storage.load(key)
    with pytest.raises(InvalidKey):
        await storage.delete(key)
    assert not (tmp_path / "x.jpg").exists()


def test_the_content_type_comes_from_the_extension_alone() -> None:
    assert content_type_of("a.jpg") == "image/jpeg"
    assert content_type_of("a.png") == "image/png"
    with pytest.raises(InvalidKey):
        content_type_of("a.html")


async def test_a_failed_write_leaves_no_file_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = FolderStorage(tmp_path)
    await storage.save("old.jpg", b"old")

    def fail(source: str, target: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        await storage.save("new.jpg", b"new")

    assert os.listdir(tmp_path) == ["old.jpg"]  # no half file, no temporary file


async def test_saving_again_replaces_the_whole_file(tmp_path: Path) -> None:
    storage = FolderStorage(tmp_path)
    await storage.save("a.png", b"first version, longer")
    await storage.save("a.png", b"second")
    assert await storage.load("a.png") == b"second"
    assert os.listdir(tmp_path) == ["a.png"]
