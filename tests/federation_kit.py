"""The federation test kit: remote actors with fixed keys, a fake network that serves their
documents and records what we post, a signer that signs like a remote server, and the queue
run until empty (GoToSocial's testrig and microblog.pub's factories, in our own words)."""

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from starlette.applications import Starlette

from buurtnet.app import job_registry, media_storage
from buurtnet.federation import signatures
from buurtnet.federation.context import Federation
from buurtnet.federation.fetch import HttpStatusError
from buurtnet.job_queue import Worker

AS2_CONTEXT = ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"]


@cache
def key_pair(number: int) -> tuple[str, str]:
    """A few fixed key pairs per test run: generating one costs tens of milliseconds."""
    return signatures.generate_key_pair()


@dataclass
class RemoteActor:
    """A person (or group) on a fake server, e.g. `https://social.example/users/bob`."""

    username: str
    domain: str = "social.example"
    kind: str = "Person"
    key_number: int = 0
    shared_inbox: bool = True

    @property
    def id(self) -> str:
        return f"https://{self.domain}/users/{self.username}"

    @property
    def key_id(self) -> str:
        return self.id + "#main-key"

    @property
    def inbox(self) -> str:
        return self.id + "/inbox"

    @property
    def followers(self) -> str:
        return self.id + "/followers"

    @property
    def private_key(self) -> signatures.PrivateKey:
        return signatures.load_private_key(key_pair(self.key_number)[0])

    def document(self) -> dict[str, Any]:
        actor: dict[str, Any] = {
            "@context": AS2_CONTEXT,
            "id": self.id,
            "type": self.kind,
            "preferredUsername": self.username,
            "name": self.username.title(),
            "summary": "<p>Hallo</p>",
            "url": f"https://{self.domain}/@{self.username}",
            "inbox": self.inbox,
            "outbox": self.id + "/outbox",
            "followers": self.followers,
            "following": self.id + "/following",
            "publicKey": {
                "id": self.key_id,
                "owner": self.id,
                "publicKeyPem": key_pair(self.key_number)[1],
            },
        }
        if self.shared_inbox:
            actor["endpoints"] = {"sharedInbox": f"https://{self.domain}/inbox"}
        return actor


@dataclass
class Posted:
    url: str
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class FakeNetwork:
    """Stands in for `HttpClient`: serves documents by URL and records every POST."""

    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    posted: list[Posted] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)
    status: int = 202
    images: dict[str, bytes] = field(default_factory=dict)  # by URL

    def add(self, actor: RemoteActor) -> RemoteActor:
        self.documents[actor.id] = actor.document()
        return actor

    def serve(self, document: dict[str, Any]) -> None:
        self.documents[document["id"]] = document

    async def get_activity_json(
        self, url: str, *, auth: httpx.Auth | None = None
    ) -> dict[str, Any]:
        self.fetched.append(url)
        found = self.documents.get(url)
        if found is None:
            raise HttpStatusError(404, url)
        return found

    async def get_json(self, url: str, *, accept: str = "") -> dict[str, Any]:
        return await self.get_activity_json(url)

    async def get_image(self, url: str, *, max_bytes: int) -> bytes:
        """The bytes served at `url` (the real client's checks are tested in test_fetch)."""
        self.fetched.append(url)
        found = self.images.get(url)
        if found is None:
            raise HttpStatusError(404, url)
        return found

    async def post(
        self,
        url: str,
        body: bytes,
        *,
        headers: dict[str, str] | None = None,
        auth: httpx.Auth | None = None,
    ) -> int:
        request = httpx.Request("POST", url, content=body, headers=headers or {})
        if auth is not None:
            flow = auth.sync_auth_flow(request)
            request = next(flow)
        self.posted.append(Posted(url, json.loads(body), dict(request.headers)))
        return self.status

    async def aclose(self) -> None:
        return None

    def activities(self, kind: str) -> list[dict[str, Any]]:
        return [post.body for post in self.posted if post.body.get("type") == kind]


BOB = RemoteActor("bob")  # the person elsewhere most tests talk to


def use_network(app: Starlette, network: FakeNetwork) -> Federation:
    """Put the fake network in place of the app's HTTP client; returns the federation."""
    federation = dataclasses.replace(app.state.federation, client=network)
    app.state.federation = federation
    return federation


def signed_headers(
    actor: RemoteActor, url: str, body: bytes, *, now: datetime | None = None
) -> dict[str, str]:
    """Headers as a Mastodon server would send with this body."""
    moment = now or datetime.now(UTC)
    headers = signatures.sign_request("POST", url, body, actor.key_id, actor.private_key, moment)
    return {**headers, "Content-Type": "application/activity+json"}


async def deliver(
    client: httpx.AsyncClient,
    actor: RemoteActor,
    activity: dict[str, Any],
    path: str = "/inbox",
    **signing: Any,
) -> httpx.Response:
    """POST an activity to one of our inboxes, signed by the remote actor."""
    body = json.dumps(activity).encode()
    url = str(client.base_url).rstrip("/") + path
    return await client.post(
        path, content=body, headers=signed_headers(actor, url, body, **signing)
    )


async def run_queue(app: Starlette) -> None:
    """Run every due job with the app's (possibly faked) federation."""
    federation: Federation = app.state.federation
    services = app.state.services
    registry = job_registry(media_storage(services.settings), federation)
    await Worker(federation.database, registry).run_until_empty()


def without_fragment(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(fragment=""))
