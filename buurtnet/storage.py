"""Where image files live: a folder by default, behind an interface an object store can fill.

Keys are made by `core.media` (random, with the extension of the content type) and never change,
so a stored file is never overwritten and can be cached for ever. A key must look like
`abc_DEF-123.jpg`: anything else (a path, `..`) is refused before it comes near the file system.
"""

import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from anyio import to_thread

KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,90}\.(?:jpg|png)")
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png"}
TEMPORARY_PREFIX = ".partial-"  # cannot be a key: keys never start with a dot


class InvalidKey(ValueError):
    """A key that core could not have made; refused so that it can never name another file."""


def is_valid_key(key: str) -> bool:
    return KEY_PATTERN.fullmatch(key) is not None


def content_type_of(key: str) -> str:
    """The content type of a stored file, from its key: only JPEG or PNG, never anything else."""
    check_key(key)
    return CONTENT_TYPES[key.rpartition(".")[2]]


def check_key(key: str) -> None:
    if not is_valid_key(key):
        raise InvalidKey(f"not a media key: {key!r}")


class MediaStorage(Protocol):
    """What core and web need of a place to keep files."""

    async def save(self, key: str, data: bytes) -> None:
        """Keep `data` under `key`; once this returns, the file is complete."""

    async def load(self, key: str) -> bytes | None:
        """The file under `key`, or None when there is none."""

    async def delete(self, key: str) -> None:
        """Remove the file under `key`; a file that is already gone is fine."""


class FolderStorage:
    """Files in one folder on disk, each written whole or not at all (a temporary file, renamed)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, key: str) -> Path:
        check_key(key)
        return self.root / key

    async def save(self, key: str, data: bytes) -> None:
        await to_thread.run_sync(self._save, self.path_of(key), data)

    async def load(self, key: str) -> bytes | None:
        return await to_thread.run_sync(self._load, self.path_of(key))

    async def delete(self, key: str) -> None:
        await to_thread.run_sync(self._delete, self.path_of(key))

    def _save(self, path: Path, data: bytes) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        # In the same folder, so the rename is atomic: readers see no file or the whole file.
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=TEMPORARY_PREFIX)
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @staticmethod
    def _load(path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    @staticmethod
    def _delete(path: Path) -> None:
        path.unlink(missing_ok=True)
