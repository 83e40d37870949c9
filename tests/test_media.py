"""Images in core: checking, re-encoding without metadata, storing with clean-up, removing by job.

Every test image is made here with Pillow (or, for the bombs, a header written by hand), so no
binary fixture hides what is being tested.
"""

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageCms
from sqlmodel import select

from buurtnet.core import images, media
from buurtnet.core.errors import InvalidInput
from buurtnet.db import Database
from buurtnet.job_queue import Registry, Worker
from buurtnet.models import Job, JobStatus
from buurtnet.storage import FolderStorage, InvalidKey, is_valid_key

RED = (255, 0, 0)
BLUE = (0, 0, 255)


def encoded(image: Image.Image, kind: str, **options: object) -> bytes:
    output = io.BytesIO()
    image.save(output, kind, **options)
    return output.getvalue()


def photo(size: tuple[int, int] = (60, 40), kind: str = "JPEG", **options: object) -> bytes:
    """Red on top, blue below: enough to see which way up a picture came out."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, size[0], size[1] // 2))
    return encoded(image, kind, **options)


def photo_with_metadata() -> bytes:
    """A phone photo lying on its side (orientation 6), with a GPS position, XMP and a comment."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # turn 90° clockwise to show it
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (52.0, 5.0, 30.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (4.0, 18.0, 10.0),
    }
    return photo(
        (60, 40), exif=exif, comment=b"at home", xmp=b"<x:xmpmeta>Vogelwijk 12</x:xmpmeta>"
    )


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims to be width x height, with a few bytes of pixels: a bomb's disguise."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit grey
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def webp_header_only(width: int, height: int) -> bytes:
    """The first chunk of an extended WebP file (VP8X) that claims a large canvas."""
    body = b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little")
    body += (height - 1).to_bytes(3, "little")
    first = b"VP8X" + struct.pack("<I", len(body)) + body
    return b"RIFF" + struct.pack("<I", 4 + len(first)) + b"WEBP" + first


def refused_with(code: str, data: bytes) -> None:
    with pytest.raises(InvalidInput) as raised:
        images.process_image(data)
    assert raised.value.errors == {"images": code}


def test_metadata_is_gone_and_the_photo_is_upright() -> None:
    original = photo_with_metadata()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    result = images.process_image(original)

    assert (result.content_type, result.width, result.height) == ("image/jpeg", 40, 60)
    for data in (result.full, result.thumbnail):
        image = Image.open(io.BytesIO(data))
        assert not image.getexif()
        assert not {"exif", "xmp", "comment", "icc_profile"} & set(image.info)
        for secret in (b"Exif", b"PhoneMaker", b"at home", b"Vogelwijk", b"xmpmeta"):
            assert secret not in data
    upright = Image.open(io.BytesIO(result.full)).convert("RGB")
    assert upright.size == (40, 60)
    # The top of the file, in red, is on the right once turned clockwise.
    assert upright.getpixel((35, 30)) == pytest.approx(RED, abs=8)
    assert upright.getpixel((4, 30)) == pytest.approx(BLUE, abs=8)


def test_a_large_photo_is_scaled_down_with_a_thumbnail() -> None:
    result = images.process_image(photo((3000, 2000)))

    assert (result.width, result.height) == (1600, 1067)
    assert Image.open(io.BytesIO(result.full)).size == (1600, 1067)
    assert Image.open(io.BytesIO(result.thumbnail)).size == (400, 267)
    assert Image.open(io.BytesIO(result.full)).info.get("progressive")


def test_a_small_photo_is_not_enlarged() -> None:
    result = images.process_image(photo((300, 200)))
    assert (result.width, result.height) == (300, 200)
    assert Image.open(io.BytesIO(result.thumbnail)).size == (300, 200)


def test_a_png_with_see_through_pixels_stays_png() -> None:
    image = Image.new("RGBA", (50, 50), (0, 128, 0, 255))
    image.paste((0, 0, 0, 0), (0, 0, 25, 50))

    result = images.process_image(encoded(image, "PNG"))

    assert result.content_type == "image/png"
    back = Image.open(io.BytesIO(result.full))
    assert back.format == "PNG"
    assert back.mode == "RGBA"
    see_through = back.getpixel((5, 5))
    assert isinstance(see_through, tuple) and see_through[3] == 0
    assert back.getpixel((40, 5)) == (0, 128, 0, 255)


def test_an_opaque_png_becomes_a_jpeg() -> None:
    image = Image.new("RGBA", (50, 50), (0, 128, 0, 255))
    assert images.process_image(encoded(image, "PNG")).content_type == "image/jpeg"


def test_a_gif_gives_its_first_frame() -> None:
    frames = [Image.new("RGB", (30, 30), colour) for colour in (RED, BLUE)]
    data = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)

    result = images.process_image(data)

    first = Image.open(io.BytesIO(result.full)).convert("RGB")
    assert first.getpixel((15, 15)) == pytest.approx(RED, abs=8)


def test_webp_is_accepted() -> None:
    result = images.process_image(photo((80, 60), "WEBP"))
    assert (result.content_type, result.width, result.height) == ("image/jpeg", 80, 60)


def test_colours_are_converted_to_srgb_and_the_profile_dropped() -> None:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    result = images.process_image(photo((40, 40), icc_profile=srgb))
    assert "icc_profile" not in Image.open(io.BytesIO(result.full)).info
    # A profile that does not fit the pixels is ignored, not a reason to refuse the photo.
    assert images.process_image(photo((40, 40), icc_profile=profile)).width == 40


def test_a_decompression_bomb_is_refused_from_its_header() -> None:
    refused_with("image_too_many_pixels", png_header_only(20_000, 20_000))


def test_a_webp_bomb_is_refused_before_pillow_makes_its_canvas() -> None:
    # 64 megapixels: below Pillow's own limit, so only our check stands in the way.
    refused_with("image_too_many_pixels", webp_header_only(8000, 8000))


def test_just_within_the_pixel_bound_is_read_as_usual() -> None:
    # The same disguise, small enough to pass the size check: refused for its missing pixels.
    refused_with("image_not_an_image", png_header_only(4096, 4096))


def test_what_is_decoded_at_full_size_gets_fewer_pixels_than_a_jpeg() -> None:
    # 16.8 megapixels: a JPEG may have 50, as libjpeg decodes it at 1/2 to 1/8 of its size.
    refused_with("image_too_many_pixels", png_header_only(4097, 4096))
    refused_with("image_too_many_pixels", webp_header_only(4096, 4097))


@pytest.mark.parametrize(
    "data",
    [
        b"Dit is een tekstbestand dat photo.jpg heet.\n",
        b"",
        photo((200, 200))[:300],
        photo((200, 200), "PNG")[:200],
        photo((40, 40), "BMP"),
        photo((40, 40), "TIFF"),
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        png_header_only(0, 10),
    ],
    ids=["text", "empty", "truncated-jpeg", "truncated-png", "bmp", "tiff", "svg", "zero-width"],
)
def test_what_is_not_a_usable_image_is_refused(data: bytes) -> None:
    refused_with("image_not_an_image", data)


def test_more_than_10_mb_is_refused_without_looking_further() -> None:
    refused_with("image_too_large", b"\xff\xd8\xff" + b"\x00" * (images.MAX_IMAGE_BYTES - 2))


def test_an_avatar_is_a_square_from_the_middle() -> None:
    assert images.process_avatar(photo((1000, 800))).width == 400
    small = images.process_avatar(photo((600, 300)))
    assert Image.open(io.BytesIO(small.full)).size == (300, 300)


class BrokenStorage(FolderStorage):
    """Fails on the third file it is asked to save, as a full disk would."""

    saves = 0

    async def save(self, key: str, data: bytes) -> None:
        self.saves += 1
        if self.saves == 3:
            raise OSError("No space left on device")
        await super().save(key, data)


def files_in(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.exists() else []


async def test_store_images_writes_each_image_and_its_thumbnail(tmp_path: Path) -> None:
    storage = FolderStorage(tmp_path)
    uploads = [
        media.ImageUpload(photo((3000, 2000)), "  Onze straat\u200b bij  avond \n"),
        media.ImageUpload(photo((20, 20), "PNG"), "x" * 2000),
    ]

    stored = await media.store_images(storage, uploads)

    assert [image.alt_text for image in stored] == ["Onze straat bij avond", "x" * 1500]
    assert [(image.width, image.height) for image in stored] == [(1600, 1067), (20, 20)]
    keys = [key for image in stored for key in image.keys]
    assert len(set(keys)) == 4
    assert all(is_valid_key(key) and key.endswith(".jpg") for key in keys)
    assert sorted(path.name for path in files_in(tmp_path)) == sorted(keys)
    thumbnail = await storage.load(stored[0].thumbnail_key)
    assert thumbnail is not None
    assert Image.open(io.BytesIO(thumbnail)).size == (400, 267)


async def test_when_the_second_image_fails_the_first_is_removed(tmp_path: Path) -> None:
    storage = FolderStorage(tmp_path)
    uploads = [media.ImageUpload(photo(), ""), media.ImageUpload(b"no photo", "")]

    with pytest.raises(InvalidInput) as raised:
        await media.store_images(storage, uploads)

    assert raised.value.errors == {"images": "image_not_an_image"}
    assert files_in(tmp_path) == []


async def test_when_saving_fails_what_was_written_is_removed(tmp_path: Path) -> None:
    storage = BrokenStorage(tmp_path)
    with pytest.raises(OSError, match="No space"):
        await media.store_images(storage, [media.ImageUpload(photo(), "")] * 2)
    assert storage.saves == 3
    assert files_in(tmp_path) == []


async def test_at_most_four_images(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as raised:
        await media.store_images(FolderStorage(tmp_path), [media.ImageUpload(photo(), "")] * 5)
    assert raised.value.errors == {"images": "image_too_many"}
    assert files_in(tmp_path) == []


async def test_discard_removes_stored_images(tmp_path: Path) -> None:
    storage = FolderStorage(tmp_path)
    stored = await media.store_images(storage, [media.ImageUpload(photo(), "")])
    await media.discard(storage, stored)
    assert files_in(tmp_path) == []


async def test_store_avatar_saves_one_file(tmp_path: Path) -> None:
    storage = FolderStorage(tmp_path)
    key = await media.store_avatar(storage, photo((800, 600)))
    saved = await storage.load(key)
    assert saved is not None
    assert Image.open(io.BytesIO(saved)).size == (400, 400)
    assert [path.name for path in files_in(tmp_path)] == [key]


def test_attachment_rows_keep_the_order() -> None:
    images = [
        media.StoredImage(f"full{n}.jpg", f"thumb{n}.jpg", "image/jpeg", 10, 20, f"alt {n}")
        for n in range(3)
    ]
    rows = media.attachment_rows(images, owner_id=7, post_id=42)
    assert [(row.position, row.storage_key, row.alt_text) for row in rows] == [
        (0, "full0.jpg", "alt 0"),
        (1, "full1.jpg", "alt 1"),
        (2, "full2.jpg", "alt 2"),
    ]
    assert {(row.owner_id, row.post_id, row.thumbnail_key[:5]) for row in rows} == {
        (7, 42, "thumb")
    }


async def test_the_removal_job_deletes_the_files(database: Database, tmp_path: Path) -> None:
    storage = FolderStorage(tmp_path / "media")
    stored = await media.store_images(storage, [media.ImageUpload(photo(), "")])
    keys = [*stored[0].keys, "already_gone.jpg"]
    registry = Registry()
    media.register(registry, storage)

    async with database.transaction() as session:
        media.enqueue_removal(session, keys)
    assert len(files_in(tmp_path / "media")) == 2  # nothing happens before the job runs
    await Worker(database, registry).run_until_empty()

    assert files_in(tmp_path / "media") == []
    async with database.reading() as session:
        assert (await session.exec(select(Job))).all() == []


async def test_a_rolled_back_removal_keeps_the_files(database: Database, tmp_path: Path) -> None:
    storage = FolderStorage(tmp_path / "media")
    stored = await media.store_images(storage, [media.ImageUpload(photo(), "")])

    with pytest.raises(RuntimeError):
        async with database.transaction() as session:
            media.enqueue_removal(session, list(stored[0].keys))
            raise RuntimeError("the post could not be deleted after all")

    async with database.reading() as session:
        assert (await session.exec(select(Job))).all() == []
    assert len(files_in(tmp_path / "media")) == 2


async def test_a_strange_key_makes_the_removal_job_give_up(
    database: Database, tmp_path: Path
) -> None:
    registry = Registry()
    media.register(registry, FolderStorage(tmp_path))
    async with database.transaction() as session:
        session.add(Job(name=media.REMOVE_FILES, payload='{"keys": ["../buurtnet.sqlite3"]}'))

    await Worker(database, registry).run_until_empty()

    async with database.reading() as session:
        job = (await session.exec(select(Job))).one()
    assert job.status == JobStatus.FAILED


async def test_enqueue_removal_refuses_a_strange_key(database: Database) -> None:
    async with database.transaction() as session:
        with pytest.raises(InvalidKey):
            media.enqueue_removal(session, ["../../etc/passwd"])
        assert media.enqueue_removal(session, []) is None
