"""Server time of the basic pages through the real app, in one process.

    .venv/bin/python -m bench.pages [--requests 2000] [--database-url postgresql://…]

Without a database URL it uses a fresh SQLite file. On PostgreSQL give an empty database: the
benchmark migrates it and creates the demo in it. It prints, per page, the median and p99 time and
the pages per second when requests follow each other.
"""

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from buurtnet import schema
from buurtnet.app import create_app
from buurtnet.config import Settings, normalise_database_url
from buurtnet.core import demo
from buurtnet.db import Database

VISITOR_PAGES = ("/login", "/n/vogelwijk")
RESIDENT_PAGES = ("/n/vogelwijk", "/settings")
BASE_URL = "http://127.0.0.1:8000"


async def measure(client: httpx.AsyncClient, path: str, requests: int) -> list[float]:
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = await client.get(path)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return timings


async def log_in_as_resident(client: httpx.AsyncClient) -> None:
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    form = {"csrf_token": token.group(1), "login_name": "anna", "password": demo.DEMO_PASSWORD}
    assert (await client.post("/login", data=form)).status_code == 303


async def run(database_url: str, requests: int) -> None:
    database = Database(database_url)
    await schema.upgrade(database)
    async with database.transaction() as session:
        await demo.create_demo(session)
    settings = Settings(
        database_url=database_url,
        base_url=BASE_URL,
        secret_key="benchmark-" + "k" * 40,
        data_dir=Path(tempfile.mkdtemp()),
        embedded_worker=False,
    )
    app = create_app(settings, database=database)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        print(f"{'who':<10}{'page':<16}{'median ms':>10}{'p99 ms':>10}{'pages/s':>10}")
        for who, paths in (("visitor", VISITOR_PAGES), ("resident", RESIDENT_PAGES)):
            async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
                if who == "resident":
                    await log_in_as_resident(client)
                for path in paths:
                    await measure(client, path, min(requests // 10, 100))  # warm up
                    timings = await measure(client, path, requests)
                    p99 = statistics.quantiles(timings, n=100)[98]
                    print(
                        f"{who:<10}{path:<16}{statistics.median(timings) * 1000:>10.2f}"
                        f"{p99 * 1000:>10.2f}{len(timings) / sum(timings):>10.0f}"
                    )
    await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    arguments = parser.parse_args()
    url = arguments.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    asyncio.run(run(normalise_database_url(url), arguments.requests))


if __name__ == "__main__":
    main()
