"""Decoding and re-encoding images: checked, upright, in sRGB, without any metadata.

Every image is decoded and encoded afresh, so nothing of the original file survives but its
pixels: no EXIF (GPS position, camera, time), no XMP, no comments, and no strange bytes for a
browser to sniff. A 40 megapixel photo takes a CPU-second and some hundreds of megabytes, and a
hostile file can take far more: callers run this in a child process with limits
(`image_sandbox`), not in the server's own.

The size is read from the header and refused before any pixel is decoded, and so is a JPEG with
too many scans; the Pillow plug-ins are called directly rather than through `Image.open`, so
Pillow's own global bomb check (which warns before it refuses) never comes into play and no global
setting has to change.
"""

import io
import struct
from collections.abc import Callable
from dataclasses import dataclass

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

from buurtnet.core.errors import InvalidInput
from buurtnet.core.jpeg_markers import count_scans

MAX_IMAGE_BYTES = 10 * 1024 * 1024
# A 48 megapixel phone photo (8064 x 6048) still fits: a JPEG is decoded at 1/2 to 1/8 of its size.
MAX_PIXELS = 50_000_000
# PNG, GIF and WebP are decoded at full size, 4 bytes a pixel several times over (a 16.7 MP WebP
# needs up to 434 MiB): 4096 x 4096 at most, of the order that Mastodon allows.
MAX_FULL_SIZE_PIXELS = 4096 * 4096
# A progressive JPEG has about 10 scans (libjpeg's standard progression: 10 for a colour photo, 6
# for grey). Each scan costs a decoder about as much as a baseline JPEG of the same size (17 ms
# for 8000 x 6000 here), so 100 keeps even that to under two seconds.
MAX_JPEG_SCANS = 100
MAX_SIDE = 1600
THUMBNAIL_SIDE = 400
AVATAR_SIDE = 400
JPEG_QUALITY = 85
FIELD = "images"

TOO_LARGE = "image_too_large"
NOT_AN_IMAGE = "image_not_an_image"
TOO_MANY_PIXELS = "image_too_many_pixels"
TOO_MANY = "image_too_many"
TOO_COMPLEX = "image_too_complex"

# What Pillow raises on a broken file: it has no single exception for "this is not a good image".
DECODING_ERRORS = (SyntaxError, OSError, ValueError, IndexError, TypeError, struct.error, EOFError)

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


def refuse(code: str) -> InvalidInput:
    return InvalidInput.single(FIELD, code)


def process_image(
    data: bytes, *, max_side: int = MAX_SIDE, thumbnail_side: int = THUMBNAIL_SIDE
) -> ProcessedImage:
    """The image at most `max_side` pixels long and a thumbnail, upright and without metadata."""
    image = _decode(data, max_side, cover=False)
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
    image = _decode(data, side, cover=True)
    square = min(image.width, image.height, side)
    image = ImageOps.fit(image, (square, square), Image.Resampling.LANCZOS)
    encoded = _encode(image)
    return ProcessedImage(encoded, encoded, _content_type_for(image), square, square)


def _decode(data: bytes, box: int, *, cover: bool) -> Image.Image:
    """The pixels, upright, as RGB (or RGBA when some are see-through), in sRGB colours.

    A JPEG is decoded at the smallest scale that still fills `box` (`cover`) or the image's
    scaled-down size within it.
    """
    image = _open(data)
    try:
        if isinstance(image, JpegImagePlugin.JpegImageFile):
            # libjpeg decodes at 1/2, 1/4 or 1/8 when each side stays at least this large
            image.draft(None, (box, box) if cover else _size_within(image.size, box))
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
    if isinstance(image, JpegImagePlugin.JpegImageFile):
        _check_pixels(image.size, MAX_PIXELS)
        if count_scans(data) > MAX_JPEG_SCANS:
            raise refuse(TOO_COMPLEX)
    else:
        _check_pixels(image.size, MAX_FULL_SIZE_PIXELS)
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
        _check_pixels(size, MAX_FULL_SIZE_PIXELS)
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


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise refuse(NOT_AN_IMAGE)
    if width * height > max_pixels:
        raise refuse(TOO_MANY_PIXELS)


def _size_within(size: tuple[int, int], box: int) -> tuple[int, int]:
    """The size of an image scaled down to fit in a square `box` (never up); at least 1 x 1."""
    width, height = size
    scale = min(1.0, box / max(width, height))
    return max(1, int(width * scale)), max(1, int(height * scale))


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
