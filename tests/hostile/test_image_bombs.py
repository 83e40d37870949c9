"""Image bombs: small files that take minutes of CPU or gigabytes of memory to decode.

A progressive JPEG whose last scan is repeated 2,000 times (0.5 MB, 35 s of CPU) and a 7000 x 7000
RGBA PNG (200 KB, 196 MB of pixels) are refused quickly, uploaded or attached to a post from
elsewhere, while an ordinary photo still goes through. What gets past the checks is decoded in a
child process whose limits stop it: CPU, memory, the wall clock, a cancelled caller. Every bomb is
built here, so no binary file hides what is tested.
"""

import asyncio
import io
import logging
import os
import struct
import sys
import time
import zlib
from collections.abc import Callable
from functools import cache
from pathlib import Path

import httpx
import pytest
from PIL import Image
from sqlmodel import col, select
from starlette.applications import Starlette

from buurtnet.core import image_child, image_frames, image_sandbox, images
from buurtnet.core.errors import InvalidInput
from buurtnet.core.jpeg_markers import count_scans
from buurtnet.db import Database
from buurtnet.federation.remote_media import FETCH_IMAGE
from buurtnet.models import Account, Job, MediaAttachment, Post
from tests.conftest import add_follow, browser_for, csrf_token, log_in
from tests.kit.federation import account_of, meet, run_queue
from tests.kit.network import FakeNetwork
from tests.kit.remote import BOB
from tests.kit.waiting import wait_until
from tests.test_media import chunk
from tests.test_remote_media import attachments_of, image, post_with

QUICKLY = 5.0  # seconds: a refusal takes a child's start (0.1 s) and a look at the header
TOO_COMPLEX_NL = "Deze foto is te ingewikkeld om te verwerken. Kies een andere foto."
TOO_MANY_PIXELS_NL = "Deze foto is te groot (te veel pixels)."
SCAN_BOMB_URL = "https://files.social.example/media/scans.jpg"
PIXEL_BOMB_URL = "https://files.social.example/media/pixels.png"


# The bombs


def progressive_jpeg(size: tuple[int, int], **options: object) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, (120, 80, 40)).save(output, "JPEG", progressive=True, **options)
    return output.getvalue()


def with_last_scan_repeated(jpeg: bytes, times: int) -> bytes:
    """The last scan (its marker, header and data) again and again before the end of the image.
    In entropy-coded data 0xFF is always followed by 0x00 or a restart marker, so the last 0xFF
    0xDA starts the last scan, and 0xFF 0xD9 ends the file."""
    end = len(jpeg) - 2
    assert jpeg[end:] == b"\xff\xd9"
    last_scan = jpeg[jpeg.rfind(b"\xff\xda") : end]
    return jpeg[:end] + last_scan * times + jpeg[end:]


@cache
def scan_bomb() -> bytes:
    """8000 x 6000, its last scan repeated 2,000 times: 35 s of CPU for a decoder."""
    return with_last_scan_repeated(progressive_jpeg((8000, 6000), quality=50), 2000)


@cache
def slow_jpeg() -> bytes:
    """Just within the scan limit at the largest size (with its chroma at full resolution):
    no bomb, but about 2 s of CPU here, twice the lowered limit of the tests below."""
    jpeg = progressive_jpeg((8160, 6120), quality=95, subsampling=0)
    return with_last_scan_repeated(jpeg, images.MAX_JPEG_SCANS - count_scans(jpeg))


@cache
def pixel_bomb() -> bytes:
    """A real 7000 x 7000 RGBA PNG, all see-through: about 200 KB that decode to 196 MB."""
    side = 7000
    row = bytes(1 + side * 4)  # filter type 0, then the pixels
    packer = zlib.compressobj(9)
    pixels = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0)  # 8 bits per channel, RGBA
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def ordinary_photo() -> bytes:
    output = io.BytesIO()
    Image.effect_noise((800, 600), 40).convert("RGB").save(output, "JPEG", quality=85)
    return output.getvalue()


async def refusal_of(data: bytes) -> str:
    with pytest.raises(InvalidInput) as raised:
        await image_sandbox.process_image(data)
    [code] = raised.value.errors.values()
    return code


# Counting scans


def test_a_progressive_jpeg_counts_its_scans() -> None:
    jpeg = progressive_jpeg((64, 48))
    assert count_scans(jpeg) == 10  # libjpeg's standard progression for a colour image
    assert count_scans(with_last_scan_repeated(jpeg, 5)) == 15
    assert count_scans(scan_bomb()) == 2010


def test_a_baseline_jpeg_with_restart_markers_and_stuffed_bytes_has_one_scan() -> None:
    output = io.BytesIO()
    noise = Image.effect_noise((256, 256), 100).convert("RGB")
    noise.save(output, "JPEG", quality=95, restart_marker_blocks=4)
    jpeg = output.getvalue()
    scan = jpeg[jpeg.index(b"\xff\xda") :]
    assert b"\xff\x00" in scan and b"\xff\xd0" in scan  # what the walk must step over
    assert count_scans(jpeg) == 1


def exif_segment(thumbnail: bytes) -> bytes:
    """An APP1 segment with EXIF data, which is where a camera puts its thumbnail (a JPEG)."""
    exif = b"Exif\x00\x00" + thumbnail
    return b"\xff\xe1" + struct.pack(">H", 2 + len(exif)) + exif


def test_a_jpeg_inside_an_app_segment_is_not_counted() -> None:
    thumbnail = progressive_jpeg((40, 30))
    baseline = io.BytesIO()
    Image.new("RGB", (64, 48), (1, 2, 3)).save(baseline, "JPEG")
    outer = baseline.getvalue()
    with_thumbnail = outer[:2] + exif_segment(thumbnail) + outer[2:]

    assert count_scans(thumbnail) == 10
    assert count_scans(with_thumbnail) == 1
    assert images.process_image(with_thumbnail).width == 64  # and the decoder agrees
    # Even when the thumbnail's scans are many: only the image's own count.
    bomb_inside = exif_segment(with_last_scan_repeated(thumbnail, 200))
    assert count_scans(outer[:2] + bomb_inside + outer[2:]) == 1


def test_truncated_and_strange_files_are_counted_as_far_as_they_go() -> None:
    jpeg = progressive_jpeg((64, 48))
    counts = [count_scans(jpeg[:end]) for end in range(len(jpeg) + 1)]
    assert counts == sorted(counts)  # never more for less of the file
    assert counts[0] == counts[3] == 0 and counts[-1] == 10
    for strange in (b"", b"\xff\xd8", b"\xff\xd8\xff", b"\xff\xd8\xff\xda\x00", b"GIF89a"):
        assert count_scans(strange) <= 1
    empty_scan = b"\xff\xda\x00\x02"
    assert (
        count_scans(b"\xff\xd8" + empty_scan * 3 + b"\xff\xd9" + empty_scan) == 3
    )  # not after EOI


# Refused quickly: uploads


async def upload_photo(client: httpx.AsyncClient, data: bytes, name: str) -> httpx.Response:
    token = await csrf_token(client, "/")
    return await client.post(
        "/posts",
        data={"csrf_token": token, "source": "Kijk eens", "alt_text": "Een foto"},
        files=[("images", (name, data, "application/octet-stream"))],
    )


@pytest.mark.parametrize(
    ("bomb", "name", "message"),
    [(scan_bomb, "scans.jpg", TOO_COMPLEX_NL), (pixel_bomb, "pixels.png", TOO_MANY_PIXELS_NL)],
    ids=["scan-bomb", "pixel-bomb"],
)
async def test_an_uploaded_bomb_is_refused_quickly_with_a_clear_message(
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    bomb: Callable[[], bytes],
    name: str,
    message: str,
) -> None:
    data = bomb()
    await log_in(client, "anna")

    started = time.perf_counter()
    response = await upload_photo(client, data, name)

    assert time.perf_counter() - started < QUICKLY
    assert response.status_code == 400
    assert message in response.text
    assert "Kijk eens" in response.text  # the text is kept for another try
    async with database.reading() as session:
        assert (await session.exec(select(Post))).all() == []


async def test_an_ordinary_photo_goes_through_while_bombs_arrive(
    app: Starlette, database: Database, resident: Account, neighbour: Account
) -> None:
    photo = ordinary_photo()
    async with browser_for(app) as anna, browser_for(app) as bram:
        await log_in(anna, "anna")
        await log_in(bram, "bram")

        async def ordinary() -> tuple[httpx.Response, float]:
            await wait_until(decoder_children)  # the bombs are under way
            started = time.perf_counter()
            response = await upload_photo(bram, photo, "fiets.jpg")
            return response, time.perf_counter() - started

        bombs = [upload_photo(anna, scan_bomb(), "scans.jpg") for _ in range(3)]
        bombs += [upload_photo(anna, pixel_bomb(), "pixels.png") for _ in range(3)]
        meanwhile = asyncio.create_task(ordinary())
        refused = await asyncio.gather(*bombs)
        accepted, seconds = await meanwhile

    assert [response.status_code for response in refused] == [400] * 6
    assert accepted.status_code == 303, accepted.text
    assert seconds < QUICKLY
    async with database.reading() as session:
        [post] = (await session.exec(select(Post))).all()
        [attachment] = (await session.exec(select(MediaAttachment))).all()
    assert (post.author_id, attachment.post_id) == (neighbour.id, post.id)
    assert (attachment.width, attachment.height) == (800, 600)


# Refused quickly: photos of posts from elsewhere


@pytest.fixture
async def anna_follows_bob(
    client: httpx.AsyncClient, database: Database, resident: Account, network: FakeNetwork
) -> None:
    """So that what Bob posts elsewhere concerns us, and his photos are fetched."""
    await meet(client, BOB)
    await add_follow(database, resident, await account_of(database, BOB))


async def test_bombs_attached_to_a_post_from_elsewhere_become_links(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    network: FakeNetwork,
    anna_follows_bob: None,
) -> None:
    network.images[SCAN_BOMB_URL] = scan_bomb()
    network.images[PIXEL_BOMB_URL] = pixel_bomb()
    post = await post_with(
        client, database, image(SCAN_BOMB_URL, "Scans"), image(PIXEL_BOMB_URL, "Pixels")
    )

    started = time.perf_counter()
    await run_queue(app)

    assert time.perf_counter() - started < 2 * QUICKLY
    assert await attachments_of(database, post) == []
    async with database.reading() as session:
        content = (await session.get_one(Post, post.id)).content_html
        jobs = (await session.exec(select(Job).where(col(Job.name) == FETCH_IMAGE))).all()
    assert f'href="{SCAN_BOMB_URL}"' in content and f'href="{PIXEL_BOMB_URL}"' in content
    assert jobs == []  # done, not failed or waiting to be tried again
    assert network.fetched.count(SCAN_BOMB_URL) == 1


# The child's limits


async def test_the_cpu_limit_stops_a_slow_image_within_the_scan_limit(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    slow = slow_jpeg()
    assert count_scans(slow) == images.MAX_JPEG_SCANS  # no bomb: only slow
    monkeypatch.setattr(image_sandbox, "CPU_SECONDS", 1)
    caplog.set_level(logging.INFO, image_sandbox.__name__)

    started = time.perf_counter()
    assert await refusal_of(slow) == images.TOO_COMPLEX

    assert time.perf_counter() - started < 1 + QUICKLY
    assert "stopped by its limits" in caplog.text


async def test_the_memory_limit_stops_a_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """4096 x 4096 pixels with transparency are allowed, and need some 250 MB to decode."""
    output = io.BytesIO()
    Image.new("RGBA", (4096, 4096), (10, 20, 30, 128)).save(output, "PNG")
    large = output.getvalue()
    assert (await image_sandbox.process_image(large)).width == images.MAX_SIDE

    monkeypatch.setattr(image_sandbox, "MEMORY_BYTES", 120 * 1024 * 1024)
    assert await refusal_of(large) == images.TOO_COMPLEX


async def test_the_wall_clock_stops_a_child(monkeypatch: pytest.MonkeyPatch) -> None:
    slow = slow_jpeg()
    monkeypatch.setattr(image_sandbox, "WALL_SECONDS", 0.5)
    started = time.perf_counter()
    assert await refusal_of(slow) == images.TOO_COMPLEX
    assert time.perf_counter() - started < 1 + QUICKLY


def decoder_children() -> set[int]:
    """Our image decoders that run (a zombie has no command line), from /proc."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue  # ended meanwhile
        if parent == os.getpid() and image_child.__name__.encode() in command:
            found.add(int(stat.parent.name))
    return found


def is_a_process(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


async def test_cancelling_the_caller_kills_the_child() -> None:
    decoding = asyncio.create_task(image_sandbox.process_image(slow_jpeg()))
    [pid] = await wait_until(decoder_children)

    decoding.cancel()
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(QUICKLY):  # a child left running would keep it waiting
            await decoding

    assert not is_a_process(pid)  # killed and reaped, not even a zombie
    assert decoder_children() == set()
    assert (await image_sandbox.process_image(ordinary_photo())).width == 800  # slots are free


# Children that fail: each a clear refusal


BAD_CHILDREN = {
    "exits-badly": "import sys; sys.exit(3)",
    "crashes": "import os; os.abort()",
    "writes-no-frame": "print('hallo')",
    "refuses-strangely": 'print(\'{"refused": "<b>hallo</b>"}\')',
    "says-html-is-a-jpeg": 'print(\'{"content_type": "image/jpeg", "width": 1, '
    '"height": 1, "full": 8, "thumbnail": 0}\'); print(\'<script>\', end=\'\')',
    "writes-forever": "import sys\nwhile True: sys.stdout.buffer.write(bytes(65536))",
}


@pytest.mark.parametrize("script", BAD_CHILDREN.values(), ids=BAD_CHILDREN.keys())
async def test_a_child_that_fails_is_a_refusal(
    monkeypatch: pytest.MonkeyPatch, script: str
) -> None:
    monkeypatch.setattr(image_sandbox, "child_command", lambda kind: [sys.executable, "-c", script])
    monkeypatch.setattr(image_sandbox, "MAX_OUTPUT_BYTES", 1024 * 1024)
    started = time.perf_counter()
    assert await refusal_of(ordinary_photo()) == images.TOO_COMPLEX
    assert time.perf_counter() - started < QUICKLY
    assert decoder_children() == set()


def test_frames_go_there_and_back() -> None:
    processed = images.process_image(ordinary_photo())
    assert image_frames.read_frame(image_frames.result_frame(processed)) == processed
    refusal = images.refuse(images.TOO_MANY_PIXELS)
    with pytest.raises(InvalidInput) as raised:
        image_frames.read_frame(image_frames.refusal_frame(refusal))
    assert raised.value.errors == refusal.errors
    for strange in (b"", b"[" * 100_000 + b"\n", b'{"refused": ["x"]}\n', b"null\n"):
        with pytest.raises(image_frames.MalformedOutput):
            image_frames.read_frame(strange)
