"""Images for posts and avatars: checked, re-encoded without metadata, kept in media storage.

Every image is decoded and encoded afresh, so nothing of the original file survives but its
pixels: no EXIF (GPS position, camera, time), no XMP, no comments, and no strange bytes for a
browser to sniff. Decoding happens in a worker thread, a few at a time, because a 40 megapixel
photo takes a CPU-second and some hundreds of megabytes.

The size is read from the header and refused before any pixel is decoded; the Pillow plug-ins are
called directly rather than through `Image.open`, so Pillow's own global bomb check (which warns
before it refuses) never comes into play and no global setting has to change.
"""

import io
import logging
import secrets
import struct
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from anyio import CancelScope, to_thread
from PIL import (
    GifImagePlugin,
    Image,
    ImageCms,
    ImageFile,
    ImageOps,
    JpegImagePlugin,
    PngImagePlugin,
    WebPImagePlugin,
)
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core.errors import InvalidInput
from buurtnet.core.text import clean_line
from buurtnet.jobs import Payload, PermanentFailure, Registry, enqueue
from buurtnet.models import Job, MediaAttachment
from buurtnet.storage import MediaStorage, check_key, is_valid_key

log = logging.getLogger(__name__)

MAX_IMAGES_PER_POST = 4
MAX_IMAGE_BYTES = 10 * 1024 * 1024
# A 48 megapixel phone photo (8064 x 6048) still fits; a JPEG is decoded at half size anyway.
MAX_PIXELS = 50_000_000
MAX_SIDE = 1600
THUMBNAIL_SIDE = 400
AVATAR_SIDE = 400
ALT_TEXT_LENGTH = 1500
JPEG_QUALITY = 85
FIELD = "images"
REMOVE_FILES = "media.remove_files"

TOO_LARGE = "image_too_large"
NOT_AN_IMAGE = "image_not_an_image"
TOO_MANY_PIXELS = "image_too_many_pixels"
TOO_MANY = "image_too_many"

# What Pillow raises on a broken file: it has no single exception for "this is not a good image".
DECODING_ERRORS = (SyntaxError, OSError, ValueError, IndexError, TypeError, struct.error, EOFError)
# At most two images are decoded at once, whatever the number of uploads, to bound the memory.
_DECODING_SLOTS = threading.BoundedSemaphore(2)

Opener = Callable[[io.BytesIO], ImageFile.ImageFile]
OPENERS: dict[bytes, Opener] = {
    b"\xff\xd8\xff": JpegImagePlugin.JpegImageFile,
    b"\x89PNG\r\n\x1a\n": PngImagePlugin.PngImageFile,
    b"GIF87a": GifImagePlugin.GifImageFile,
    b"GIF89a": GifImagePlugin.GifImageFile,
}


@dataclass(frozen=True)
class ProcessedImage:
    full: bytes
    thumbnail: bytes
    content_type: str
    width: int
    height: int


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


def refuse(code: str) -> InvalidInput:
    return InvalidInput.single(FIELD, code)


def process_image(
    data: bytes, *, max_side: int = MAX_SIDE, thumbnail_side: int = THUMBNAIL_SIDE
) -> ProcessedImage:
    """The image at most `max_side` pixels long and a thumbnail, upright and without metadata."""
    with _DECODING_SLOTS:
        image = _decode(data, max_side)
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    thumbnail = image.copy()
    thumbnail.thumbnail((thumbnail_side, thumbnail_side), Image.Resampling.LANCZOS)
    content_type = _content_type_for(image)
    return ProcessedImage(
        full=_encode(image),
        thumbnail=_encode(thumbnail),
        content_type=content_type,
        width=image.width,
        height=image.height,
    )


def process_avatar(data: bytes, *, side: int = AVATAR_SIDE) -> ProcessedImage:
    """A square from the middle of the image, at most `side` pixels; the thumbnail is the same."""
    with _DECODING_SLOTS:
        image = _decode(data, side)
        square = min(image.width, image.height, side)
        image = ImageOps.fit(image, (square, square), Image.Resampling.LANCZOS)
    encoded = _encode(image)
    return ProcessedImage(encoded, encoded, _content_type_for(image), square, square)


def _decode(data: bytes, box: int) -> Image.Image:
    """The pixels, upright, as RGB (or RGBA when some are see-through), in sRGB colours."""
    image = _open(data)
    try:
        if isinstance(image, JpegImagePlugin.JpegImageFile):
            image.draft(None, (box, box))  # let libjpeg decode a large photo at 1/2, 1/4 or 1/8
        image.load()
        upright = ImageOps.exif_transpose(image)
        return _without_see_through_if_opaque(_to_srgb(upright))
    except DECODING_ERRORS as error:
        raise refuse(NOT_AN_IMAGE) from error


def _open(data: bytes) -> ImageFile.ImageFile:
    """The image with its header read and its size checked, its pixels not yet decoded."""
    if len(data) > MAX_IMAGE_BYTES:
        raise refuse(TOO_LARGE)
    opener = _opener_for(data)
    if opener is None:
        raise refuse(NOT_AN_IMAGE)
    try:
        image = opener(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Only a GIF whose first frame is larger than its screen gets this far.
        raise refuse(TOO_MANY_PIXELS) from error
    except DECODING_ERRORS as error:
        raise refuse(NOT_AN_IMAGE) from error
    _check_pixels(image.size)
    return image


def _opener_for(data: bytes) -> Opener | None:
    for magic, opener in OPENERS.items():
        if data.startswith(magic):
            return opener
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        # Pillow's WebP decoder makes its canvas as it opens, so check the size before that.
        size = webp_canvas_size(data)
        if size is None:
            return None
        _check_pixels(size)
        return WebPImagePlugin.WebPImageFile
    return None


def webp_canvas_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a WebP file's first chunk (RFC 9649), without decoding anything."""
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width, height = (int.from_bytes(data[at : at + 3], "little") + 1 for at in (24, 27))
        return width, height
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = (int.from_bytes(data[at : at + 2], "little") & 0x3FFF for at in (26, 28))
        return width, height
    return None


def _check_pixels(size: tuple[int, int]) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise refuse(NOT_AN_IMAGE)
    if width * height > MAX_PIXELS:
        raise refuse(TOO_MANY_PIXELS)


def _to_srgb(image: Image.Image) -> Image.Image:
    """Colours converted from the file's own profile (a phone's Display P3) to plain sRGB."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        converted = ImageCms.profileToProfile(
            image,
            ImageCms.ImageCmsProfile(io.BytesIO(profile)),
            ImageCms.createProfile("sRGB"),
            outputMode="RGBA" if image.mode == "RGBA" else "RGB",
        )
    except (ImageCms.PyCMSError, OSError):
        return image  # a broken profile: the colours may be a little off, the photo is fine
    return image if converted is None else converted


def _without_see_through_if_opaque(image: Image.Image) -> Image.Image:
    """RGBA only when some pixel is see-through (kept as PNG); else RGB, which becomes JPEG."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        with_alpha = image.convert("RGBA")
        lowest_alpha = with_alpha.getchannel("A").getextrema()[0]
        if isinstance(lowest_alpha, int | float) and lowest_alpha < 255:
            return with_alpha
    return image.convert("RGB")


def _content_type_for(image: Image.Image) -> str:
    return "image/png" if image.mode == "RGBA" else "image/jpeg"


def _encode(image: Image.Image) -> bytes:
    """JPEG or PNG with nothing but the pixels: the file's own metadata is not passed on."""
    image.info = {}  # savers take some fields (XMP, ICC, comments) from here by default
    output = io.BytesIO()
    if image.mode == "RGBA":
        image.save(output, "PNG", optimize=True)
    else:
        image.save(output, "JPEG", quality=JPEG_QUALITY, progressive=True, optimize=True)
    return output.getvalue()


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
            image = await to_thread.run_sync(process_image, upload.data)
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
    avatar = await to_thread.run_sync(process_avatar, data)
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
