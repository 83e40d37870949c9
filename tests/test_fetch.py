"""The outgoing HTTP client against real sockets on loopback: the address guard, redirects, the
bounds on time, size and content, the id check, the User-Agent and signing through an Auth.

Loopback stands in for the internet: a test permits exactly the one address it serves from
(`address_forbidden`), or maps a public-looking name to it (a patched `getaddrinfo`).
"""

import asyncio
import contextlib
import ipaddress
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from buurtnet.federation.fetch import (
    BadContentType,
    BadUrl,
    ConnectionFailed,
    FetchTimeout,
    ForbiddenAddress,
    HttpClient,
    HttpStatusError,
    IdMismatch,
    NotJson,
    TooLarge,
    TooManyRedirects,
    is_forbidden_address,
    user_agent,
)

LOOPBACK = ipaddress.ip_address("127.0.0.1")
OTHER_LOOPBACK = "127.0.0.2"  # a second private address to be refused, also served on Linux
AGENT = user_agent("https://buurt.example")
AS2 = "application/activity+json"


@dataclass
class Answer:
    status: int = 200
    content_type: str = AS2
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=dict)
    endless: bool = False  # a body that never ends
    stall: bool = False  # the head, then nothing


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Server:
    """A tiny HTTP/1.1 server: one answer per connection, from a table of paths."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.routes: dict[str, Answer] = {}
        self.seen: list[Seen] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    def document(self, path: str, document: Any, content_type: str = AS2) -> None:
        self.routes[path] = Answer(body=json.dumps(document).encode(), content_type=content_type)

    def redirect(self, path: str, location: str) -> None:
        self.routes[path] = Answer(status=302, body=b"", headers={"Location": location})

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            method, path, _version = head[0].split(" ")
            headers = dict(line.lower().split(": ", 1) for line in head[1:] if line)
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.seen.append(Seen(method, path, headers, body))
            await self._answer(reader, writer, self.routes.get(path, Answer(status=404)))
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client hung up, as it should past a size cap
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _answer(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, answer: Answer
    ) -> None:
        headers = {"Content-Type": answer.content_type, "Connection": "close", **answer.headers}
        if not answer.endless:
            headers.setdefault("Content-Length", str(len(answer.body)))
        lines = [f"HTTP/1.1 {answer.status} X"] + [f"{k}: {v}" for k, v in headers.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        if answer.stall:
            await reader.read()  # until the client gives up
            return
        writer.write(answer.body)
        while answer.endless:
            writer.write(b" " * 65536)
            await writer.drain()
        await writer.drain()


StartServer = Callable[..., Awaitable[Server]]
MakeClient = Callable[..., HttpClient]


@pytest.fixture
async def serve() -> AsyncIterator[StartServer]:
    servers: list[Server] = []

    async def start(host: str = "127.0.0.1", port: int = 0) -> Server:
        server = Server(host, port)
        await server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.close()


def only_loopback_allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """The test's stand-in for "public": 127.0.0.1 is allowed, every other rule still holds."""
    return address != LOOPBACK and is_forbidden_address(address)


@pytest.fixture
async def client() -> AsyncIterator[MakeClient]:
    clients: list[HttpClient] = []

    def make(**options: Any) -> HttpClient:
        options.setdefault("user_agent", AGENT)
        options.setdefault("address_forbidden", only_loopback_allowed)
        made = HttpClient(**options)
        clients.append(made)
        return made

    yield make
    for made in clients:
        await made.aclose()


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> Generator[dict[str, list[str]]]:
    """Names to answer with given addresses, each answer used once and the last one kept."""
    answers: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, bytes):
            host = host.decode("ascii")
        if host not in answers:
            return real(host, port, *args, **kwargs)
        queue = answers[host]
        address = queue.pop(0) if len(queue) > 1 else queue[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield answers


FORBIDDEN = [
    "127.0.0.1",
    "127.255.255.254",
    "::1",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "0.0.0.0",  # noqa: S104 (an address to refuse, not to bind)
    "::",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::127.0.0.1",
    "100.64.0.1",
    "100.127.255.254",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "224.0.0.1",
    "239.255.255.250",
    "ff02::1",
    "255.255.255.255",
    "240.0.0.1",
    "192.0.2.1",
    "198.51.100.7",
    "203.0.113.9",
    "198.18.0.1",
    "2001:db8::1",
    "2002:7f00:1::",  # 6to4 around 127.0.0.1
    "2002:a00:1::",  # 6to4 around 10.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 around 169.254.169.254
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "fec0::1",
]
ALLOWED = ["93.184.215.14", "1.1.1.1", "2a00:1450::1", "2606:4700::1111", "::ffff:93.184.215.14"]


@pytest.mark.parametrize("text", FORBIDDEN)
def test_forbidden_addresses(text: str) -> None:
    assert is_forbidden_address(ipaddress.ip_address(text))


@pytest.mark.parametrize("text", ALLOWED)
def test_public_addresses_allowed(text: str) -> None:
    assert not is_forbidden_address(ipaddress.ip_address(text))


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]"])
async def test_loopback_refused_by_default(serve: StartServer, host: str) -> None:
    server = await serve()
    server.document("/actor", {"id": server.url("/actor", host)})
    async with HttpClient(user_agent=AGENT) as guarded:
        with pytest.raises(ForbiddenAddress):
            await guarded.get_activity_json(server.url("/actor", host))
        with pytest.raises(ForbiddenAddress):
            await guarded.post(server.url("/actor", host), b"{}")
    assert server.seen == []


async def test_allow_private_networks_allows_loopback(serve: StartServer) -> None:
    server = await serve()
    server.document("/actor", {"id": server.url("/actor", "localhost")})
    async with HttpClient(user_agent=AGENT, allow_private_networks=True) as open_client:
        document = await open_client.get_activity_json(server.url("/actor", "localhost"))
    assert document == {"id": server.url("/actor", "localhost")}


async def test_name_checked_after_resolving(
    serve: StartServer, client: MakeClient, fake_dns: dict[str, list[str]]
) -> None:
    server = await serve()
    fake_dns["public.example"] = ["127.0.0.1"]
    url = server.url("/actor", "public.example")
    server.document("/actor", {"id": url})
    with pytest.raises(ForbiddenAddress):
        await client(address_forbidden=is_forbidden_address).get_activity_json(url)
    assert server.seen == []
    assert await client(allow_private_networks=True).get_activity_json(url) == {"id": url}
    assert server.seen[0].headers["host"] == f"public.example:{server.port}"


async def test_connects_to_the_address_it_checked(
    serve: StartServer, client: MakeClient, fake_dns: dict[str, list[str]]
) -> None:
    checked = await serve()
    rebound = await serve(OTHER_LOOPBACK, checked.port)
    fake_dns["rebind.example"] = ["127.0.0.1", OTHER_LOOPBACK]
    url = checked.url("/actor", "rebind.example")
    checked.document("/actor", {"id": url})
    rebound.document("/actor", {"id": url, "name": "the private one"})
    assert await client().get_activity_json(url) == {"id": url}
    assert rebound.seen == []


async def test_redirect_to_a_private_address_refused(
    serve: StartServer, client: MakeClient
) -> None:
    public = await serve()
    private = await serve(OTHER_LOOPBACK)
    public.redirect("/actor", private.url("/actor"))
    private.document("/actor", {"id": private.url("/actor")})
    with pytest.raises(ForbiddenAddress):
        await client().get_activity_json(public.url("/actor"))
    assert len(public.seen) == 1
    assert private.seen == []
    document = await client(allow_private_networks=True).get_activity_json(public.url("/actor"))
    assert document == {"id": private.url("/actor")}


@pytest.mark.parametrize("count, fails", [(3, False), (4, True)])
async def test_at_most_three_redirects(
    serve: StartServer, client: MakeClient, count: int, fails: bool
) -> None:
    server = await serve()
    for hop in range(count):
        server.redirect(f"/{hop}", f"/{hop + 1}")
    server.document(f"/{count}", {"id": server.url(f"/{count}")})
    if fails:
        with pytest.raises(TooManyRedirects):
            await client().get_activity_json(server.url("/0"))
        assert len(server.seen) == 4
    else:
        assert await client().get_activity_json(server.url("/0")) == {"id": server.url("/3")}


@pytest.mark.parametrize(
    "url", ["ftp://a.example/x", "file:///etc/passwd", "http://u:p@a.example/"]
)
async def test_bad_urls_refused(client: MakeClient, url: str) -> None:
    with pytest.raises(BadUrl):
        await client().get_activity_json(url)


@pytest.mark.parametrize("content_type", ["text/html", "image/png", "application/json", ""])
async def test_other_content_types_refused(
    serve: StartServer, client: MakeClient, content_type: str
) -> None:
    server = await serve()
    server.document("/actor", {"id": server.url("/actor")}, content_type)
    with pytest.raises(BadContentType):
        await client().get_activity_json(server.url("/actor"))


async def test_ld_json_with_profile_accepted(serve: StartServer, client: MakeClient) -> None:
    server = await serve()
    kind = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
    server.document("/actor", {"id": server.url("/actor")}, kind)
    assert await client().get_activity_json(server.url("/actor")) == {"id": server.url("/actor")}
    accept = server.seen[0].headers["accept"]
    assert accept.startswith("application/activity+json, application/ld+json; profile=")


@pytest.mark.parametrize(
    "answer",
    [
        Answer(endless=True),
        Answer(headers={"Content-Length": str(2 * 1024 * 1024)}, stall=True),
    ],
    ids=["endless", "announced"],
)
async def test_body_over_the_cap_refused(
    serve: StartServer, client: MakeClient, answer: Answer
) -> None:
    server = await serve()
    server.routes["/big"] = answer
    with pytest.raises(TooLarge):
        await client(timeout=5.0).get_activity_json(server.url("/big"))


@pytest.mark.parametrize(
    "body",
    [b'{"a":' * 10_000 + b"1" + b"}" * 10_000, b'{"id": "\xff"}', b"[{}]", b"", b"{"],
    ids=["deep", "invalid-utf8", "array", "empty", "truncated"],
)
async def test_not_a_json_object_refused(
    serve: StartServer, client: MakeClient, body: bytes
) -> None:
    server = await serve()
    server.routes["/actor"] = Answer(body=body)
    with pytest.raises(NotJson):
        await client().get_activity_json(server.url("/actor"))


async def test_id_must_match_even_when_fetched_by_its_id(
    serve: StartServer, client: MakeClient
) -> None:
    server = await serve()
    server.document("/claims-b", {"id": server.url("/b")})
    server.document("/b", {"id": server.url("/c")})
    with pytest.raises(IdMismatch):
        await client().get_activity_json(server.url("/claims-b"))
    server.document("/no-id", {"type": "Person"})
    with pytest.raises(IdMismatch):
        await client().get_activity_json(server.url("/no-id"))


async def test_document_fetched_again_by_its_id(serve: StartServer, client: MakeClient) -> None:
    server = await serve()
    server.document("/alias", {"id": server.url("/b"), "name": "claimed"})
    server.document("/b", {"id": server.url("/b"), "name": "real"})
    document = await client().get_activity_json(server.url("/alias"))
    assert document["name"] == "real"
    assert [seen.path for seen in server.seen] == ["/alias", "/b"]


async def test_error_status_raised(serve: StartServer, client: MakeClient) -> None:
    server = await serve()
    server.routes["/gone"] = Answer(status=410)
    with pytest.raises(HttpStatusError) as raised:
        await client().get_activity_json(server.url("/gone"))
    assert raised.value.status == 410


async def test_slow_server_times_out(serve: StartServer, client: MakeClient) -> None:
    server = await serve()
    server.routes["/slow"] = Answer(stall=True)
    with pytest.raises(FetchTimeout):
        await client(timeout=0.3).get_activity_json(server.url("/slow"))


class MarkUrl(httpx.Auth):
    """A stand-in for the signer: it marks each request with the URL it was made for."""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        request.headers["X-Signed-For"] = str(request.url)
        yield request


async def test_user_agent_and_auth_on_every_hop(serve: StartServer, client: MakeClient) -> None:
    server = await serve()
    server.redirect("/start", "/actor")
    server.document("/actor", {"id": server.url("/actor")})
    await client().get_activity_json(server.url("/start"), auth=MarkUrl())
    assert [seen.headers["x-signed-for"] for seen in server.seen] == [
        server.url("/start"),
        server.url("/actor"),
    ]
    assert {seen.headers["user-agent"] for seen in server.seen} == {AGENT}
    assert AGENT.startswith("buurtnet/") and AGENT.endswith(" (+https://buurt.example)")


async def test_get_json_takes_jrd_and_refuses_html(serve: StartServer, client: MakeClient) -> None:
    server = await serve()
    server.document("/wf", {"subject": "acct:a@b"}, "application/jrd+json")
    server.document("/page", {"subject": "acct:a@b"}, "text/html")
    assert await client().get_json(server.url("/wf")) == {"subject": "acct:a@b"}
    assert server.seen[0].headers["accept"] == "application/jrd+json, application/json"
    with pytest.raises(BadContentType):
        await client().get_json(server.url("/page"))


async def test_post_returns_the_status(serve: StartServer, client: MakeClient) -> None:
    server = await serve()
    server.routes["/inbox"] = Answer(status=202, body=b"x" * 100_000)
    status = await client().post(
        server.url("/inbox"), b'{"type":"Follow"}', headers={"X-Extra": "1"}, auth=MarkUrl()
    )
    assert status == 202
    [seen] = server.seen
    assert (seen.method, seen.body) == ("POST", b'{"type":"Follow"}')
    assert seen.headers["content-type"] == AS2
    assert seen.headers["x-extra"] == "1"
    assert seen.headers["x-signed-for"] == server.url("/inbox")


async def test_post_to_a_closed_port_is_a_connection_failure(
    serve: StartServer, client: MakeClient
) -> None:
    server = await serve()
    closed = server.url("/inbox")
    await server.close()
    with pytest.raises(ConnectionFailed):
        await client().post(closed, b"{}")


async def test_an_image_is_fetched_within_its_own_bound(
    serve: StartServer, client: MakeClient
) -> None:
    server = await serve()
    server.routes["/photo.jpg"] = Answer(content_type="image/jpeg", body=b"\xff\xd8" + b"x" * 2000)
    server.routes["/page"] = Answer(content_type="text/html", body=b"<p>hoi</p>")
    fetching = client()
    assert len(await fetching.get_image(server.url("/photo.jpg"), max_bytes=4096)) == 2002
    assert server.seen[0].headers["accept"].startswith("image/")
    with pytest.raises(TooLarge):
        await fetching.get_image(server.url("/photo.jpg"), max_bytes=1000)
    with pytest.raises(BadContentType):
        await fetching.get_image(server.url("/page"), max_bytes=4096)


async def test_an_image_on_a_private_address_is_refused(client: MakeClient) -> None:
    with pytest.raises(ForbiddenAddress):
        await client().get_image(f"http://{OTHER_LOOPBACK}:9/photo.jpg", max_bytes=4096)
