"""The work of one home page, in process: a steady measure on a machine whose timings jump.

Renders N home pages of random residents (from `bench.fill`'s logins) through the ASGI app, no
server or network in between, and prints the CPU time per page. Under callgrind the instruction
count is what to compare (`valgrind --tool=callgrind python -m bench.page_cost N`, once with N
pages and once with 0: the difference divided by N is the work of a page), which does not move
with what else the machine is doing.
"""

import argparse
import asyncio
import random
import tempfile
import time
from pathlib import Path

import httpx

from bench.fill import DEFAULT_DATA_DIR, tokens_path
from buurtnet.app import create_app
from buurtnet.config import Settings
from buurtnet.web.auth import SESSION_COOKIE

WARM_UP = 20


async def measure(url: str, tokens: list[str], pages: int) -> float:
    """CPU seconds per page (0 when asked for none)."""
    settings = Settings(
        database_url=url,
        base_url="http://testserver",
        secret_key="benchmark-" + "k" * 40,
        data_dir=Path(tempfile.mkdtemp(prefix="buurtnet-bench-")),
        embedded_worker=False,
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        for token in tokens[:WARM_UP]:
            response = await client.get("/", cookies={SESSION_COOKIE: token})
            assert response.status_code == 200, response.status_code
        chosen = random.Random(1).choices(tokens, k=pages)
        started = time.process_time()
        for token in chosen:
            await client.get("/", cookies={SESSION_COOKIE: token})
        return (time.process_time() - started) / pages if pages else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", type=int, nargs="?", default=300)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    arguments = parser.parse_args()
    url = f"sqlite+aiosqlite:///{arguments.data_dir / 'bench.sqlite3'}"
    tokens = tokens_path(arguments.data_dir, url).read_text().split()
    per_page = asyncio.run(measure(url, tokens, arguments.pages))
    print(f"{arguments.pages} pages, {per_page * 1000:.2f} ms of CPU each")


if __name__ == "__main__":
    main()
