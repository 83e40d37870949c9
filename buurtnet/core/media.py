"""Images of posts and avatars in media storage: processed (see `images`, in a child process of
its own: `image_sandbox`), stored, removed.

Files are written before the rows that point at them and deleted again when those rows cannot
be written; files of deleted posts are removed by a job once the deletion has committed.
"""

import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from anyio import CancelScope
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import image_sandbox
from buurtnet.core.images import TOO_MANY, refuse
from buurtnet.core.text import clean_line
from buurtnet.job_queue import Payload, PermanentFailure, Registry, enqueue
from buurtnet.models import Job, MediaAttachment, Post
from buurtnet.storage import MediaStorage, check_key, is_valid_key

log = logging.getLogger(__name__)

MAX_IMAGES_PER_POST = 4
ALT_TEXT_LENGTH = 1500
REMOVE_FILES = "media.remove_files"


@dataclass(frozen=True)
class ImageUpload:
    data: bytes
    alt_text: str


@dataclass(frozen=True)
class StoredImage:
    storage_key: str
    thumbnail_key: str
    content_type: str
    width: int
    height: int
    alt_text: str

    @property
    def keys(self) -> tuple[str, str]:
        return self.storage_key, self.thumbnail_key


def new_key(content_type: str) -> str:
    """A random, unguessable key: members-only images are served to whoever has the key."""
    extension = "png" if content_type == "image/png" else "jpg"
    return f"{secrets.token_urlsafe(24)}.{extension}"


async def store_images(storage: MediaStorage, uploads: Sequence[ImageUpload]) -> list[StoredImage]:
    """Process and store the images of one post; on any failure nothing of them stays behind."""
    if len(uploads) > MAX_IMAGES_PER_POST:
        raise refuse(TOO_MANY)
    written: list[str] = []
    stored: list[StoredImage] = []
    try:
        for upload in uploads:
            image = await image_sandbox.process_image(upload.data)
            full_key, thumbnail_key = new_key(image.content_type), new_key(image.content_type)
            await _save(storage, written, full_key, image.full)
            await _save(storage, written, thumbnail_key, image.thumbnail)
            stored.append(
                StoredImage(
                    storage_key=full_key,
                    thumbnail_key=thumbnail_key,
                    content_type=image.content_type,
                    width=image.width,
                    height=image.height,
                    alt_text=clean_line(upload.alt_text, ALT_TEXT_LENGTH),
                )
            )
    except BaseException:
        await _delete_all(storage, written)
        raise
    return stored


async def store_avatar(storage: MediaStorage, data: bytes) -> str:
    """Process and store an avatar; the key of its one file (the caller removes the old one)."""
    avatar = await image_sandbox.process_avatar(data)
    key = new_key(avatar.content_type)
    await storage.save(key, avatar.full)
    return key


async def discard(storage: MediaStorage, images: Iterable[StoredImage]) -> None:
    """Delete stored images at once: for a post whose writing failed after they were stored."""
    await _delete_all(storage, [key for image in images for key in image.keys])


async def _save(storage: MediaStorage, written: list[str], key: str, data: bytes) -> None:
    written.append(key)  # before saving: a save that fails halfway may still leave a file
    await storage.save(key, data)


async def _delete_all(storage: MediaStorage, keys: Iterable[str]) -> None:
    with CancelScope(shield=True):  # a cancelled request still cleans up after itself
        for key in keys:
            await storage.delete(key)


def attachment_rows(
    images: Sequence[StoredImage], owner_id: int, post_id: int | None
) -> list[MediaAttachment]:
    """Rows for stored images, in the order they were uploaded."""
    return [
        MediaAttachment(
            owner_id=owner_id,
            post_id=post_id,
            position=position,
            alt_text=image.alt_text,
            storage_key=image.storage_key,
            thumbnail_key=image.thumbnail_key,
            content_type=image.content_type,
            width=image.width,
            height=image.height,
        )
        for position, image in enumerate(images)
    ]


async def image_wanted(session: AsyncSession, post_id: int, position: int) -> bool:
    """Whether a post (still there) has no image at this place yet."""
    if await session.get(Post, post_id) is None:
        return False
    taken = select(MediaAttachment.id).where(
        col(MediaAttachment.post_id) == post_id, col(MediaAttachment.position) == position
    )
    return (await session.exec(taken)).first() is None


async def attach(
    session: AsyncSession, image: StoredImage, owner_id: int, post_id: int, position: int
) -> bool:
    """A stored image at its place in a post, unless the post is gone or the place taken
    (then False, and the caller discards the files)."""
    if not await image_wanted(session, post_id, position):
        return False
    [row] = attachment_rows([image], owner_id, post_id)
    row.position = position
    session.add(row)
    return True


def enqueue_removal(session: AsyncSession, keys: Sequence[str]) -> Job | None:
    """Remove the files once the caller's transaction commits (a rollback keeps them)."""
    if not keys:
        return None
    for key in keys:
        check_key(key)
    return enqueue(session, REMOVE_FILES, {"keys": list(keys)})


def register(registry: Registry, storage: MediaStorage) -> None:
    async def remove_files(payload: Payload) -> None:
        """Delete the files; a file that is gone already is fine, so a retry does no harm."""
        keys = payload.get("keys")
        if not isinstance(keys, list) or not all(
            isinstance(key, str) and is_valid_key(key) for key in keys
        ):
            raise PermanentFailure(f"malformed payload: {payload!r}")
        for key in keys:
            await storage.delete(key)

    registry.register(REMOVE_FILES, remove_files)
