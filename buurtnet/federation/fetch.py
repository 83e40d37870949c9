"""The one outgoing HTTP client: key and actor fetches, WebFinger and NodeInfo, deliveries.

Every connection goes through the guarded backend of `addresses`, so no request (nor any redirect
hop) reaches a private address unless the instance allows private networks. Redirects are followed
by hand, at most three, each hop a new request that the caller's `httpx.Auth` signs again for its
own URL. Each call is bounded in time as a whole, and documents in size; failures are `FetchError`
subclasses that callers turn into results.
"""

import json
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import contextmanager
from importlib import metadata
from types import TracebackType
from typing import Any, Self

import anyio
import httpx

from buurtnet.federation.addresses import (
    AddressRule,
    GuardedTransport,
    check_url,
    never_forbidden,
    next_url,
)

# Callers import every fetch error and the address rule from here.
from buurtnet.federation.addresses import BadUrl as BadUrl
from buurtnet.federation.addresses import FetchError as FetchError
from buurtnet.federation.addresses import ForbiddenAddress as ForbiddenAddress
from buurtnet.federation.addresses import is_forbidden_address as is_forbidden_address
from buurtnet.federation.negotiation import ACTIVITY_JSON, LD_JSON

ACTIVITY_ACCEPT = (
    "application/activity+json, "
    'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
)
ACTIVITY_TYPES = frozenset({ACTIVITY_JSON, LD_JSON})
JSON_ACCEPT = "application/jrd+json, application/json"
IMAGE_ACCEPT = "image/webp, image/png, image/jpeg, image/gif;q=0.8"
MAX_DOCUMENT_BYTES = 1024 * 1024
MAX_REPLY_BYTES = 4096  # of a delivery's answer, read only so the connection can be reused
MAX_REDIRECTS = 3
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class ConnectionFailed(FetchError):
    """The server could not be reached or broke off: worth retrying later, unlike a refusal."""


class FetchTimeout(ConnectionFailed):
    """The server did not answer (or finish answering) in time."""


class HttpStatusError(FetchError):
    """The server answered with a status other than success (after redirects)."""

    def __init__(self, status: int, url: str) -> None:
        super().__init__(f"{url} answered {status}")
        self.status = status


class TooManyRedirects(FetchError):
    """More than MAX_REDIRECTS redirects."""


class TooLarge(FetchError):
    """The body is over the size cap; reading stopped there."""


class BadContentType(FetchError):
    """The body is not of a type that may hold the document asked for (CVE-2024-23832)."""


class NotJson(FetchError):
    """The body is not a JSON object in UTF-8 (or is nested too deep to parse)."""


class IdMismatch(FetchError):
    """The document's `id` is not the URL it was fetched from, not even when fetched by its id."""


def user_agent(base_url: str) -> str:
    """`buurtnet/<version> (+<base_url>)`, so other admins see which software and instance call."""
    return f"buurtnet/{metadata.version('buurtnet')} (+{base_url})"


def media_type(response: httpx.Response) -> str:
    """The content type without its parameters, in lower case."""
    return response.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def is_activity_type(kind: str) -> bool:
    return kind in ACTIVITY_TYPES


def is_image_type(kind: str) -> bool:
    return kind.startswith("image/")


def is_json_type(kind: str) -> bool:
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


def parse_object(body: bytes) -> dict[str, Any]:
    """A JSON object from strict UTF-8; arrays, scalars and very deep nesting are refused."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotJson("the body is not UTF-8") from error
    try:
        document = json.loads(text)
    except RecursionError as error:
        raise NotJson("the JSON is nested too deep") from error
    except ValueError as error:
        raise NotJson(f"the body is not JSON: {error}") from error
    if not isinstance(document, dict):
        raise NotJson("the JSON is not an object")
    return document


async def read_up_to(chunks: AsyncIterator[bytes], limit: int) -> tuple[bytes, bool]:
    """At most `limit` bytes, and whether there was more; stops reading at the cap."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        parts.append(chunk)
        size += len(chunk)
        if size > limit:
            return b"".join(parts)[:limit], True
    return b"".join(parts), False


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """The whole call, redirects and body included, within `seconds` (httpx bounds each read)."""
    try:
        with anyio.fail_after(seconds):
            yield
    except TimeoutError as error:
        raise FetchTimeout(f"no complete answer within {seconds} s") from error


@contextmanager
def transport_errors(url: httpx.URL) -> Iterator[None]:
    """httpx's network errors as ConnectionFailed, so callers see one family of errors."""
    try:
        yield
    except httpx.TimeoutException as error:
        raise FetchTimeout(f"{url}: {error!r}") from error
    except httpx.TransportError as error:
        raise ConnectionFailed(f"{url}: {error!r}") from error
    except httpx.DecodingError as error:
        raise NotJson(f"{url}: the body could not be decompressed") from error


class HttpClient:
    """The instance's outgoing HTTP: pooled keep-alive connections, guarded and bounded."""

    def __init__(
        self,
        *,
        user_agent: str,
        allow_private_networks: bool = False,
        timeout: float = 10.0,
        connect_timeout: float = 5.0,
        max_connections: int = 100,
        max_keepalive_connections: int = 50,
        max_document_bytes: int = MAX_DOCUMENT_BYTES,
        address_forbidden: AddressRule = is_forbidden_address,
    ) -> None:
        """`address_forbidden` is the address rule; tests pass a narrower one."""
        rule = never_forbidden if allow_private_networks else address_forbidden
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_keepalive_connections
        )
        self._timeout = timeout
        self._max_document_bytes = max_document_bytes
        self._client = httpx.AsyncClient(
            transport=GuardedTransport(rule, limits),
            headers={"User-Agent": user_agent},
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            follow_redirects=False,
            trust_env=False,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def get_activity_json(
        self, url: str, *, auth: httpx.Auth | None = None
    ) -> dict[str, Any]:
        """An ActivityStreams document whose `id` is the URL it came from.

        A document whose `id` is neither the URL asked for nor the one redirected to is fetched
        again by its `id`, which must then match exactly (so one server cannot speak for another).
        """
        with deadline(self._timeout):
            final_url, body = await self._get(url, ACTIVITY_ACCEPT, is_activity_type, auth)
            document = parse_object(body)
            claimed = document.get("id")
            if claimed in (url, str(final_url)):
                return document
            if not isinstance(claimed, str):
                raise IdMismatch(f"{url} served a document without an id")
            _, body = await self._get(claimed, ACTIVITY_ACCEPT, is_activity_type, auth)
            document = parse_object(body)
            if document.get("id") != claimed:
                raise IdMismatch(f"{url} served a document for {claimed}, which disowns it")
            return document

    async def get_json(self, url: str, *, accept: str = JSON_ACCEPT) -> dict[str, Any]:
        """A JSON object (WebFinger, NodeInfo), with the same bounds as documents."""
        with deadline(self._timeout):
            _, body = await self._get(url, accept, is_json_type, None)
            return parse_object(body)

    async def get_image(self, url: str, *, max_bytes: int) -> bytes:
        """The bytes of an image (a photo of a post from elsewhere), at most `max_bytes`."""
        with deadline(self._timeout * 3):  # larger than a document, on slow servers too
            _, body = await self._get(url, IMAGE_ACCEPT, is_image_type, None, max_bytes)
            return body

    async def post(
        self,
        url: str,
        body: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
    ) -> int:
        """Deliver a body and return the status; redirects are not followed (a 3xx is returned)."""
        target = check_url(url)
        merged = httpx.Headers({"Content-Type": "application/activity+json"})
        merged.update(headers or {})
        request = self._client.build_request("POST", target, content=body, headers=merged)
        with deadline(self._timeout), transport_errors(target):
            response = await self._client.send(request, auth=auth, stream=True)
            try:
                await read_up_to(response.aiter_raw(), MAX_REPLY_BYTES)
            finally:
                await response.aclose()
        return response.status_code

    async def _get(
        self,
        url: str,
        accept: str,
        type_ok: Callable[[str], bool],
        auth: httpx.Auth | None,
        limit: int | None = None,
    ) -> tuple[httpx.URL, bytes]:
        """Follow up to MAX_REDIRECTS redirects by hand; the final URL and the body."""
        current = check_url(url)
        for _hop in range(MAX_REDIRECTS + 1):
            request = self._client.build_request("GET", current, headers={"Accept": accept})
            with transport_errors(current):
                response = await self._client.send(request, auth=auth, stream=True)
                try:
                    location = redirect_location(response)
                    if location is None:
                        body = await self._read_body(response, type_ok, limit)
                        return current, body
                finally:
                    await response.aclose()
            current = next_url(current, location)
        raise TooManyRedirects(f"{url} redirects more than {MAX_REDIRECTS} times")

    async def _read_body(
        self, response: httpx.Response, type_ok: Callable[[str], bool], limit: int | None
    ) -> bytes:
        url = str(response.request.url)
        if not response.is_success:
            raise HttpStatusError(response.status_code, url)
        kind = media_type(response)
        if not type_ok(kind):
            raise BadContentType(f"{url} is {kind or 'without a content type'}")
        limit = limit or self._max_document_bytes
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            raise TooLarge(f"{url} is {length} bytes, over {limit}")
        body, more = await read_up_to(response.aiter_bytes(), limit)
        if more:
            raise TooLarge(f"{url} is over {limit} bytes")
        return body


def redirect_location(response: httpx.Response) -> str | None:
    """Where a redirect points, or None for any other answer."""
    if response.status_code not in REDIRECT_STATUSES:
        return None
    location = response.headers.get("location")
    if not location:
        raise HttpStatusError(response.status_code, str(response.request.url))
    return location
