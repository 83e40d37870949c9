"""Which addresses buurtnet may connect to, and the network backend that enforces it.

The check runs inside the connection itself: the backend resolves the host name, drops every
forbidden address and connects to the very address it checked. So a name that resolves to a private
address, a redirect to one, or DNS that changes its answer between a check and the connect
(rebinding) cannot reach the instance's own network. TLS still uses the name: httpcore starts TLS
with the origin's host, not with the address connected to. `GuardedTransport` puts the backend
under httpx; `check_url` refuses what is wrong with a URL before any connection.
"""

import ipaddress
import socket
from collections.abc import Callable, Iterable

import anyio
import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressRule = Callable[[IPAddress], bool]

# Explicit, so the answer does not depend on the Python version's idea of "global".
FORBIDDEN_V4 = tuple(
    ipaddress.IPv4Network(network)
    for network in (
        "0.0.0.0/8",  # "this network", unspecified
        "10.0.0.0/8",  # private
        "100.64.0.0/10",  # shared address space (carrier-grade NAT)
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, cloud metadata services
        "172.16.0.0/12",  # private
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",  # private
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation
        "203.0.113.0/24",  # documentation
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and the broadcast address
    )
)
FORBIDDEN_V6 = tuple(
    ipaddress.IPv6Network(network)
    for network in (
        "::/96",  # unspecified, loopback and IPv4-compatible (::127.0.0.1)
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard
        "2001::/23",  # IETF protocol assignments: Teredo, benchmarking, ORCHID
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation
        "5f00::/16",  # segment routing
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local
        "ff00::/8",  # multicast
    )
)
SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one reaches: mapped (::ffff:a.b.c.d), 6to4 or NAT64."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in SIX_TO_FOUR:
        return address.sixtofour
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_forbidden_address(address: IPAddress) -> bool:
    """Whether an address is anything but a public unicast one: loopback, private, link-local,
    shared, multicast, reserved, documentation, or an IPv6 wrapping of any of those."""
    if isinstance(address, ipaddress.IPv6Address):
        wrapped = embedded_ipv4(address)
        if wrapped is not None:
            return is_forbidden_address(wrapped)
        networks: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network] = FORBIDDEN_V6
    else:
        networks = FORBIDDEN_V4
    if any(address in network for network in networks):
        return True
    return not address.is_global or address.is_multicast or address.is_reserved


def never_forbidden(address: IPAddress) -> bool:
    """The rule with private networks allowed (local tests, a peer on loopback)."""
    return False


class FetchError(Exception):
    """An outgoing request failed in a way the caller can name; the root of every fetch error."""


class ForbiddenAddress(FetchError):
    """The host resolves only to addresses buurtnet must not connect to."""


class BadUrl(FetchError):
    """Not an http(s) URL with a host, or one with a user name or password in it."""


def check_url(url: str | httpx.URL) -> httpx.URL:
    """The parsed URL, if buurtnet may request it at all (addresses are checked on connect)."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise BadUrl(f"not a URL: {url!r}") from error
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise BadUrl(f"only http and https URLs with a host: {url!r}")
    if parsed.userinfo:
        raise BadUrl(f"no user name or password in URLs: {url!r}")
    if parsed.port == 0:
        raise BadUrl(f"no port 0: {url!r}")
    return parsed


def next_url(current: httpx.URL, location: str) -> httpx.URL:
    """The redirect's target, relative to the URL that answered, checked like any URL."""
    try:
        target = current.join(location)
    except httpx.InvalidURL as error:
        raise BadUrl(f"{current} redirects to a malformed URL") from error
    return check_url(target)


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address of a host name (or the literal address itself), in the resolver's order."""
    # On asyncio this is the loop's getaddrinfo, run in a thread.
    answers = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in answers:
        # An IPv6 link-local answer carries a scope ("fe80::1%eth0"); the rule ignores it.
        text = str(sockaddr[0]).split("%", 1)[0]
        address = ipaddress.ip_address(text)
        if address not in addresses:
            addresses.append(address)
    return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's anyio backend, connecting only to addresses the rule allows."""

    def __init__(self, forbidden: AddressRule) -> None:
        self._forbidden = forbidden
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            with anyio.fail_after(timeout):
                addresses = await resolve(host, port)
        except TimeoutError as error:
            raise httpcore.ConnectTimeout(f"resolving {host} took too long") from error
        except OSError as error:
            raise httpcore.ConnectError(f"cannot resolve {host}: {error}") from error
        allowed = [address for address in addresses if not self._forbidden(address)]
        if not allowed:
            raise ForbiddenAddress(f"{host} resolves to no address buurtnet may connect to")
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in allowed:
            try:
                return await self._backend.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise ForbiddenAddress("buurtnet does not connect to Unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport with its connection pool rebuilt on the guarded backend.

    httpx has no public way to pass a network backend; replacing its `_pool` keeps httpx's request
    conversion and error mapping, which a transport of our own would have to copy.
    """

    def __init__(self, forbidden: AddressRule, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        if not isinstance(self._pool, httpcore.AsyncConnectionPool):
            raise RuntimeError("httpx changed its transport: the address guard would not apply")
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=GuardedBackend(forbidden),
        )
