"""Server time and pages per second of the home feed, through the real app in one server process.

    .venv/bin/python -m bench.home_feed [--database-url postgresql://…] [--data-dir data/bench]
        [--seconds 30] [--concurrency 1 4 8]

Give a database filled by `bench.fill` (by default its SQLite file in the data folder) and its
logins file. One uvicorn process serves `create_app(settings)` (no embedded worker, no access log),
wrapped in `bench.timing.ServerTimer`, which records each request's time inside the server. The load
comes from `wrk` (one thread, `concurrency` connections kept open), a separate process in C that
asks for `GET /` as a random resident each time and checks that every answer is a 200 with the feed
in it. For each concurrency it prints the median and p99 server time, pages per second (200
answers per wall second), errors, and the CPU that the server, wrk and the rest of the machine
(PostgreSQL, or anything else that ran) used, in per cent of one core.
"""

import argparse
import asyncio
import json
import multiprocessing
import random
import re
import resource
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import sqlalchemy as sa
import uvicorn
from sqlmodel import col

from bench.fill import DEFAULT_DATA_DIR, tokens_path
from bench.timing import RESET_PATH, TIMINGS_PATH, ServerTimer
from buurtnet.app import create_app
from buurtnet.asgi import ready_to_serve
from buurtnet.config import Settings, normalise_database_url
from buurtnet.core import login_sessions
from buurtnet.db import Database
from buurtnet.models import LoginSession, utcnow
from buurtnet.web.auth import SESSION_COOKIE

FEED_MARKER = '<ol class="feed"'
POST_MARKER = '<article class="post'
SAMPLE_SIZE = 50
QUIET_CHECK_SECONDS = 2
QUIET_ENOUGH = 0.1  # of one core
WRK_SCRIPT = """
-- The home feed of a random resident per request; every answer must be a 200 with the feed.
local tokens = {}
for line in io.lines(%(tokens)s) do tokens[#tokens + 1] = line end
local threads = {}
bad = 0

function setup(thread) table.insert(threads, thread) end
function init(args) math.randomseed(os.time()) end
function request()
  local cookie = "%(cookie)s=" .. tokens[math.random(#tokens)]
  return wrk.format("GET", "/", {Cookie = cookie})
end
function response(status, headers, body)
  if status ~= 200 or not body:find(%(marker)s, 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("bad") end
  io.write(string.format("bad answers: %%d\\n", total))
end
"""


@dataclass(frozen=True)
class Result:
    concurrency: int
    seconds: list[float]
    errors: int
    wall: float
    server_cpu: float
    wrk_cpu: float
    machine_cpu: float

    def row(self, database: str) -> str:
        timings = sorted(self.seconds)
        median = statistics.median(timings) * 1000
        p99 = statistics.quantiles(timings, n=100)[98] * 1000
        pages = (len(timings) - self.errors) / self.wall
        other_cpu = self.machine_cpu - self.server_cpu - self.wrk_cpu
        cpu = [self.server_cpu, self.wrk_cpu, other_cpu]
        share = " | ".join(f"{100 * seconds / self.wall:.0f}%" for seconds in cpu)
        return (
            f"| {database} | {self.concurrency} | {len(timings):,} | {self.errors} "
            f"| {median:.1f} | {p99:.1f} | {pages:.0f} | {share} |"
        )


TABLE_HEADER = (
    "| database | concurrency | requests | errors | median ms | p99 ms | pages/s "
    "| server CPU | wrk CPU | other CPU |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def serve(settings: Settings, port: int) -> None:
    """The server process: the real app under uvicorn, as `buurtnet serve` runs it."""
    app = ServerTimer(ready_to_serve(create_app(settings)))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


async def refresh_logins(url: str, tokens: list[str]) -> None:
    """Renew the logins now, so that no request of the run has to extend its login (a write)."""
    database = Database(url)
    now = utcnow()
    hashes = [login_sessions.hash_token(token) for token in tokens]
    async with database.engine.begin() as connection:
        await connection.execute(
            sa.update(LoginSession)
            .where(col(LoginSession.token_hash).in_(hashes))
            .values(last_seen_at=now, expires_at=now + login_sessions.LIFETIME)
        )
    await database.dispose()


def wait_until_up(base_url: str) -> None:
    for _ in range(300):
        try:
            if httpx.get(base_url + "/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not start")


def check_sample(base_url: str, tokens: list[str]) -> None:
    """A few feeds fetched and looked at: each a 200 with posts in it, no redirect to a login."""
    posts = []
    sizes = []
    for token in random.sample(tokens, min(SAMPLE_SIZE, len(tokens))):
        response = httpx.get(base_url + "/", cookies={SESSION_COOKIE: token})
        if response.status_code != 200 or FEED_MARKER not in response.text:
            raise SystemExit(f"not a home feed: {response.status_code} {response.text[:300]!r}")
        posts.append(response.text.count(POST_MARKER))
        sizes.append(len(response.content))
    print(
        f"sample of {len(posts)} feeds: {statistics.mean(posts):.1f} posts "
        f"(least {min(posts)}), {statistics.mean(sizes) / 1024:.0f} KiB a page"
    )


def busy_cpu_seconds() -> float:
    """CPU time that all cores of the machine have spent not idle, from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / 100  # in clock ticks of 1/100 s


def check_machine_is_quiet() -> None:
    """Other work on a 2-core machine spoils the figures: say so when there is some."""
    before = busy_cpu_seconds()
    time.sleep(QUIET_CHECK_SECONDS)
    busy = (busy_cpu_seconds() - before) / QUIET_CHECK_SECONDS
    if busy > QUIET_ENOUGH:
        print(f"warning: the machine was {100 * busy:.0f}% busy (of one core) before the run")


def run_wrk(script: Path, base_url: str, concurrency: int, seconds: int) -> tuple[str, float]:
    """Run wrk; returns its output and its CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "10s"]
    output = subprocess.run(  # noqa: S603 - a fixed command
        [*command, "-s", str(script), base_url + "/"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return output, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def measure(script: Path, base_url: str, concurrency: int, seconds: int) -> Result:
    check_machine_is_quiet()
    httpx.get(base_url + RESET_PATH).raise_for_status()
    machine_before = busy_cpu_seconds()
    started = time.perf_counter()
    output, wrk_cpu = run_wrk(script, base_url, concurrency, seconds)
    wall = time.perf_counter() - started
    machine_cpu = busy_cpu_seconds() - machine_before
    report = httpx.get(base_url + TIMINGS_PATH).json()
    bad = re.search(r"bad answers: (\d+)", output)
    statuses = {int(status): count for status, count in report["statuses"].items()}
    errors = sum(count for status, count in statuses.items() if status != 200)
    if statuses.keys() - {200}:
        print(f"statuses: {statuses}")
    return Result(
        concurrency=concurrency,
        seconds=report["seconds"],
        errors=max(errors, int(bad.group(1)) if bad else 0),
        wall=wall,
        server_cpu=report["cpu_seconds"],
        wrk_cpu=wrk_cpu,
        machine_cpu=machine_cpu,
    )


def write_wrk_script(folder: Path, tokens_file: Path) -> Path:
    script = folder / "home_feed.lua"
    values = {
        "tokens": json.dumps(str(tokens_file.resolve())),
        "cookie": SESSION_COOKIE,
        "marker": json.dumps(FEED_MARKER),
    }
    script.write_text(WRK_SCRIPT % values)
    return script


def run(arguments: argparse.Namespace, url: str) -> None:
    tokens_file: Path = arguments.tokens or tokens_path(arguments.data_dir, url)
    tokens = tokens_file.read_text().split()
    asyncio.run(refresh_logins(url, tokens))
    base_url = f"http://127.0.0.1:{arguments.port}"
    folder = Path(tempfile.mkdtemp(prefix="buurtnet-bench-"))
    settings = Settings(
        database_url=url,
        base_url=base_url,
        secret_key="benchmark-" + "k" * 40,
        data_dir=folder,
        embedded_worker=False,
    )
    server = multiprocessing.get_context("spawn").Process(
        target=serve, args=(settings, arguments.port)
    )
    server.start()
    try:
        wait_until_up(base_url)
        print(f"server process {server.pid} (for py-spy: py-spy record -p {server.pid})")
        check_sample(base_url, tokens)
        script = write_wrk_script(folder, tokens_file)
        run_wrk(script, base_url, max(arguments.concurrency), arguments.warmup)
        database = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
        rows = [TABLE_HEADER]
        for concurrency in arguments.concurrency:
            rows.append(measure(script, base_url, concurrency, arguments.seconds).row(database))
            print(rows[-1], flush=True)
        print("\n".join(rows))
    finally:
        server.terminate()
        server.join(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="default: data-dir/bench.sqlite3")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--tokens", type=Path, help="default: the logins file of bench.fill")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[4])
    parser.add_argument("--port", type=int, default=8765)
    arguments = parser.parse_args()
    url = normalise_database_url(
        arguments.database_url or f"sqlite:///{arguments.data_dir.resolve() / 'bench.sqlite3'}"
    )
    run(arguments, url)


if __name__ == "__main__":
    main()
