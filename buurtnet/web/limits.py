"""A bound on request bodies, so nobody can make a process read a huge upload into memory.

Bodies that announce a larger `Content-Length` are refused at once; bodies that stream without one
are cut off when they pass the bound. Either way the answer is 413. A few paths (photo uploads)
get a larger bound of their own, from a table that the application passes in.
"""

from collections.abc import Mapping

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
TOO_LARGE_MESSAGE = "Wat u stuurt is te groot.\nWhat you sent is too large.\n"


class BodyTooLarge(Exception):
    """Raised inside the app when a streamed body passes the bound."""


class BodySizeLimit:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int = DEFAULT_MAX_BODY_BYTES,
        larger_on: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger_on = dict(larger_on or {})  # exact path -> its own bound

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.larger_on.get(scope["path"], self.max_bytes)
        announced = dict(scope["headers"]).get(b"content-length", b"0")
        if not announced.isdigit() or int(announced) > max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > max_bytes:
                raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not response_started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = PlainTextResponse(TOO_LARGE_MESSAGE, status_code=413)
        await response(scope, receive, send)
