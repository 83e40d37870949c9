"""An ASGI wrapper, used only by benchmarks, that records how long the app takes for each request.

It answers two paths of its own, so the benchmark can read the figures from the server process:
`/_bench/reset` starts a new measurement and `/_bench/timings` returns it as JSON.
"""

import time
from collections import Counter

from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

RESET_PATH = "/_bench/reset"
TIMINGS_PATH = "/_bench/timings"


class ServerTimer:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.reset()

    def reset(self) -> None:
        self.seconds: list[float] = []
        self.statuses: Counter[int] = Counter()
        self.cpu_started = time.process_time()  # all threads: aiosqlite runs SQL in one

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif scope["path"] == RESET_PATH:
            self.reset()
            await PlainTextResponse("reset")(scope, receive, send)
        elif scope["path"] == TIMINGS_PATH:
            await JSONResponse(self.report())(scope, receive, send)
        else:
            await self.timed(scope, receive, send)

    async def timed(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 0

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, send_noting_status)
        self.seconds.append(time.perf_counter() - started)
        self.statuses[status] += 1

    def report(self) -> dict[str, object]:
        return {
            "seconds": self.seconds,
            "statuses": {str(status): count for status, count in self.statuses.items()},
            "cpu_seconds": time.process_time() - self.cpu_started,
        }
