"""The server's memory while many images arrive at once: pixel bombs, and large good photos.

    .venv/bin/python -m bench.image_bombs [--images 20] [--kinds bombs large]

One uvicorn process serves `create_app` with its embedded worker (as `buurtnet serve` runs) on a
fresh SQLite file, with `allow_private_networks`, so that it fetches photos from this machine.
Per kind of image, two rounds, each with `--images` images at once:

- local: uploads through HTTP, one photo a post, by the demo's three residents (logged in with
  sessions written into the database, CSRF tokens made with the secret key);
- remote: signed `Create(Note)` activities of people elsewhere whom Anna follows (their keys
  already in the database), one photo each, which a small HTTP server in this process serves;
  the round ends when the worker has no job left.

`bombs` are 7000 x 7000 RGBA PNGs of 200 KB (196 MB of pixels); `large` alternates a 4000 x 4000
PNG of noise (7.9 MB) and a progressive 8000 x 6000 JPEG (48 MP, 3.5 MB). A thread samples, every
20 ms from /proc, the RSS of the server process and of its image decoders (its child processes);
the round prints the server's RSS before, its peak and its RSS 3 s after the last answer, the
peak of the decoders' RSS together, the largest peak of one decoder (VmHWM) and how many ran at
once, and what became of the images.
"""

import argparse
import asyncio
import io
import json
import multiprocessing
import secrets
import struct
import tempfile
import threading
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import sqlalchemy as sa
from PIL import Image
from sqlmodel import col, select

from bench.home_feed import serve, wait_until_up
from bench.remotes import RemotePerson, add_follows, add_people, prepare
from buurtnet.config import Settings, normalise_database_url
from buurtnet.core import login_sessions
from buurtnet.db import Database
from buurtnet.federation import signatures
from buurtnet.models import Account, Job, JobStatus, MediaAttachment, Post
from buurtnet.web import csrf
from buurtnet.web.auth import SESSION_COOKIE

RESIDENTS = ("anna", "bram", "fatima")
SENDERS = 10
KINDS = ["bombs", "large"]
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
SAMPLE_SECONDS = 0.02
SETTLE_SECONDS = 3.0
ROUND_TIMEOUT = 300.0
DECODER = b"buurtnet.core.image_child"


# The images


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def pixel_bomb(side: int = 7000) -> bytes:
    """A real RGBA PNG, all see-through, compressed row by row (never whole in memory)."""
    row = bytes(1 + side * 4)
    packer = zlib.compressobj(9)
    pixels = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0)
    chunks = png_chunk(b"IHDR", header) + png_chunk(b"IDAT", pixels) + png_chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def noise(size: tuple[int, int]) -> Image.Image:
    """Smooth noise, which compresses like a photo rather than like a flat colour."""
    small = Image.effect_noise((size[0] // 16, size[1] // 16), 64).convert("RGB")
    return small.resize(size, Image.Resampling.BILINEAR)


def encoded(image: Image.Image, kind: str, **options: object) -> bytes:
    output = io.BytesIO()
    image.save(output, kind, **options)
    return output.getvalue()


@dataclass(frozen=True)
class Photo:
    name: str
    data: bytes
    content_type: str


def photos(kind: str, count: int) -> list[Photo]:
    if kind == "bombs":
        bomb = Photo("bomb.png", pixel_bomb(), "image/png")
        return [bomb] * count
    large = [
        Photo("noise.png", encoded(noise((4000, 4000)), "PNG"), "image/png"),
        Photo("photo.jpg", encoded(noise((8000, 6000)), "JPEG", progressive=True), "image/jpeg"),
    ]
    return [large[number % 2] for number in range(count)]


# Memory, from /proc


def status_kib(pid: int, *fields: str) -> list[int]:
    """Fields of /proc/PID/status in KiB (0 for a process that is gone)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return [0] * len(fields)
    values = dict(line.split(":", 1) for line in lines)
    return [int(values.get(name, "0 kB").split()[0]) for name in fields]


def decoders_of(parent: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            if ppid == parent and DECODER in (stat.parent / "cmdline").read_bytes():
                found.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


@dataclass
class Peaks:
    server_kib: int = 0
    decoders_kib: int = 0  # all decoders at one moment
    one_decoder_kib: int = 0  # a decoder's own peak (VmHWM)
    decoders_at_once: int = 0


@dataclass
class Sampler:
    """Samples the server and its decoders in a thread of its own until stopped."""

    server: int
    peaks: Peaks = field(default_factory=Peaks)
    stopped: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stopped.wait(SAMPLE_SECONDS):
            [server] = status_kib(self.server, "VmRSS")
            decoders = [status_kib(pid, "VmRSS", "VmHWM") for pid in decoders_of(self.server)]
            peaks = self.peaks
            peaks.server_kib = max(peaks.server_kib, server)
            peaks.decoders_kib = max(peaks.decoders_kib, sum(rss for rss, _ in decoders))
            peaks.one_decoder_kib = max([peaks.one_decoder_kib, *(hwm for _, hwm in decoders)])
            peaks.decoders_at_once = max(peaks.decoders_at_once, len(decoders))

    def restart(self) -> None:
        self.peaks = Peaks()


# A server elsewhere that has the photos


def photo_server(photos: dict[str, Photo]) -> ThreadingHTTPServer:
    class Answer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            photo = photos.get(self.path)
            if photo is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", photo.content_type)
            self.send_header("Content-Length", str(len(photo.data)))
            self.end_headers()
            self.wfile.write(photo.data)

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# The rounds


@dataclass(frozen=True)
class Resident:
    login_token: str
    browser: str
    csrf_token: str


@dataclass(frozen=True)
class Bench:
    url: str  # of the database
    base_url: str  # of the server
    residents: list[Resident]
    senders: list[RemotePerson]  # people elsewhere whom Anna follows
    sender_key: signatures.PrivateKey  # theirs, shared
    photos: dict[str, Photo]  # what the photo server serves, by path
    photos_at: str  # the photo server's address
    sampler: Sampler


async def set_up(
    url: str, senders: list[RemotePerson], secret_key: str
) -> tuple[list[Resident], signatures.PrivateKey]:
    """The demo, the people elsewhere whom Anna follows, and logins for the residents."""
    database, anna = await prepare(url)
    private_pem, public_pem = signatures.generate_key_pair()
    ids = await add_people(database, senders, public_pem)
    assert anna.id is not None
    await add_follows(database, [(anna.id, followed) for followed in ids])
    residents = []
    async with database.transaction() as session:
        for username in RESIDENTS:
            found = await session.exec(select(Account).where(Account.username == username))
            token = await login_sessions.start_session(session, found.one())
            browser = secrets.token_urlsafe(24)
            residents.append(Resident(token, browser, csrf.make_token(secret_key, browser, token)))
    await database.dispose()
    return residents, signatures.load_private_key(private_pem)


async def upload(bench: Bench, resident: Resident, photo: Photo) -> int:
    cookies = {SESSION_COOKIE: resident.login_token, csrf.BROWSER_COOKIE: resident.browser}
    async with httpx.AsyncClient(base_url=bench.base_url, cookies=cookies, timeout=120) as client:
        response = await client.post(
            "/posts",
            data={"csrf_token": resident.csrf_token, "source": "Kijk eens"},
            files=[("images", (photo.name, photo.data, photo.content_type))],
        )
    return response.status_code


async def upload_all(bench: Bench, chosen: list[Photo]) -> str:
    """Every photo uploaded at once, a post each; what the server answered."""
    residents = bench.residents
    answers = await asyncio.gather(
        *(upload(bench, residents[n % len(residents)], photo) for n, photo in enumerate(chosen))
    )
    return ", ".join(f"{count} x {status}" for status, count in sorted(Counter(answers).items()))


def signed_create(
    bench: Bench, person: RemotePerson, photo_url: str, media_type: str
) -> tuple[bytes, dict[str, str]]:
    """A public post with one photo, signed as its author's server would."""
    note_id = f"{person.actor_uri}/statuses/{secrets.token_hex(8)}"
    addressed = {"to": [PUBLIC], "cc": [person.actor_uri + "/followers"]}
    note = {
        "id": note_id,
        "type": "Note",
        "attributedTo": person.actor_uri,
        "content": "<p>Kijk eens</p>",
        "published": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "attachment": [{"type": "Document", "mediaType": media_type, "url": photo_url}],
        **addressed,
    }
    create = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": note_id + "/activity",
        "type": "Create",
        "actor": person.actor_uri,
        "object": note,
        **addressed,
    }
    body = json.dumps(create).encode()
    headers = signatures.sign_request(
        "POST", bench.base_url + "/inbox", body, person.key_id, bench.sender_key, datetime.now(UTC)
    )
    return body, headers | {"Content-Type": "application/activity+json"}


async def deliver_all(bench: Bench, chosen: list[Photo]) -> str:
    """A post from elsewhere for every photo, all at once; when the jobs are done, what became
    of the photos."""
    since = await last_post_id(bench.url)
    activities = []
    for number, photo in enumerate(chosen):
        path = f"/{number}/{photo.name}"
        bench.photos[path] = photo
        sender = bench.senders[number % len(bench.senders)]
        activities.append(signed_create(bench, sender, bench.photos_at + path, photo.content_type))
    async with httpx.AsyncClient(base_url=bench.base_url, timeout=120) as client:
        answers = await asyncio.gather(
            *(client.post("/inbox", content=body, headers=headers) for body, headers in activities)
        )
    if any(answer.status_code != 202 for answer in answers):
        raise SystemExit(f"the inbox answered {[answer.status_code for answer in answers]}")
    await wait_for_jobs(bench.url)
    stored, linked = await stored_and_linked(bench.url, since)
    return f"{stored} stored, {linked} linked"


async def wait_for_jobs(url: str) -> None:
    database = Database(url)
    waiting = [JobStatus.QUEUED, JobStatus.RUNNING]
    query = sa.select(sa.func.count()).select_from(Job).where(col(Job.status).in_(waiting))
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < ROUND_TIMEOUT:
            async with database.engine.connect() as connection:
                if not (await connection.execute(query)).scalar_one():
                    return
            await asyncio.sleep(0.1)
        raise SystemExit("the jobs did not finish")
    finally:
        await database.dispose()


async def last_post_id(url: str) -> int:
    database = Database(url)
    async with database.engine.connect() as connection:
        found = (await connection.execute(sa.select(sa.func.max(col(Post.id))))).scalar_one()
    await database.dispose()
    return int(found or 0)


async def stored_and_linked(url: str, since_post: int) -> tuple[int, int]:
    """Photos of the new posts from elsewhere stored here, and those that became a link."""
    database = Database(url)
    new = col(Post.uri).is_not(None) & (col(Post.id) > since_post)
    stored = sa.select(sa.func.count()).select_from(MediaAttachment).join(Post).where(new)
    linked = sa.select(sa.func.count()).select_from(Post)
    linked = linked.where(new, col(Post.content_html).contains("<a href="))
    async with database.engine.connect() as connection:
        counts = [(await connection.execute(query)).scalar_one() for query in (stored, linked)]
    await database.dispose()
    return counts[0], counts[1]


@dataclass(frozen=True)
class Round:
    kind: str
    arriving: str
    images: int
    before_kib: int
    peaks: Peaks
    after_kib: int
    seconds: float
    outcome: str

    def row(self) -> str:
        peaks = self.peaks
        kib = [self.before_kib, peaks.server_kib, self.after_kib]
        kib += [peaks.decoders_kib, peaks.one_decoder_kib]
        figures = " | ".join(f"{value / 1024:.0f}" for value in kib)
        return (
            f"| {self.kind} | {self.arriving} | {self.images} | {figures} "
            f"| {peaks.decoders_at_once} | {self.seconds:.1f} | {self.outcome} |"
        )


TABLE_HEADER = (
    "| images | arriving | count | server RSS before, MiB | server peak | server 3 s after "
    "| decoders' peak together | one decoder's peak | decoders at once | seconds | outcome |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
)


async def measure(bench: Bench, kind: str, arriving: str, chosen: list[Photo]) -> Round:
    sampler = bench.sampler
    [before] = status_kib(sampler.server, "VmRSS")
    sampler.restart()
    started = time.perf_counter()
    if arriving == "local":
        outcome = await upload_all(bench, chosen)
    else:
        outcome = await deliver_all(bench, chosen)
    seconds = time.perf_counter() - started
    await asyncio.sleep(SETTLE_SECONDS)
    [after] = status_kib(sampler.server, "VmRSS")
    return Round(kind, arriving, len(chosen), before, sampler.peaks, after, seconds, outcome)


async def run_rounds(bench: Bench, kinds: list[str], count: int) -> list[Round]:
    warm_up = [Photo("small.jpg", encoded(noise((640, 480)), "JPEG"), "image/jpeg")]
    await upload_all(bench, warm_up)
    await deliver_all(bench, warm_up)
    rounds = []
    for kind in kinds:
        chosen = photos(kind, count)
        for arriving in ("local", "remote"):
            rounds.append(await measure(bench, kind, arriving, chosen))
            print(rounds[-1].row(), flush=True)
    return rounds


def run(arguments: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="buurtnet-bench-"))
    url = normalise_database_url(f"sqlite:///{folder / 'bench.sqlite3'}")
    base_url = f"http://127.0.0.1:{arguments.port}"
    settings = Settings(
        database_url=url,
        base_url=base_url,
        secret_key="benchmark-" + "k" * 40,
        data_dir=folder,
        embedded_worker=True,
        allow_private_networks=True,  # the photos come from this machine
        inbox_limit=0,
    )
    senders = [RemotePerson(f"https://remote{n}.example", f"p{n}") for n in range(SENDERS)]
    residents, key = asyncio.run(set_up(url, senders, settings.secret_key))
    served: dict[str, Photo] = {}
    photo_host = photo_server(served)
    server = multiprocessing.get_context("spawn").Process(
        target=serve, args=(settings, arguments.port)
    )
    server.start()
    sampler: Sampler | None = None
    try:
        wait_until_up(base_url)
        assert server.pid is not None
        print(f"server process {server.pid}")
        sampler = Sampler(server.pid)
        threading.Thread(target=sampler.run, daemon=True).start()
        photos_at = f"http://127.0.0.1:{photo_host.server_address[1]}"
        bench = Bench(url, base_url, residents, senders, key, served, photos_at, sampler)
        rounds = asyncio.run(run_rounds(bench, arguments.kinds, arguments.images))
        print("\n".join([TABLE_HEADER, *(found.row() for found in rounds)]))
    finally:
        if sampler is not None:
            sampler.stopped.set()
        photo_host.shutdown()
        server.terminate()
        server.join(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=20)
    parser.add_argument("--kinds", nargs="+", choices=["bombs", "large"], default=KINDS)
    parser.add_argument("--port", type=int, default=8767)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
