"""`FakeNetwork`: the other servers, standing in for the app's `HttpClient`. It serves actors,
WebFinger answers, documents and images by URL, records what we fetch and everything we POST
(with its signature), and answers each POST with a status or an error."""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from buurtnet.federation.fetch import HttpStatusError
from tests.kit.remote import RemoteActor


@dataclass
class Posted:
    """One POST as it left us: the URL, the body and the headers with the signature."""

    url: str
    content: bytes
    headers: dict[str, str]

    @property
    def body(self) -> dict[str, Any]:
        """The body as JSON (every body we POST is an activity)."""
        found: dict[str, Any] = json.loads(self.content)
        return found


@dataclass
class FakeNetwork:
    """Serves `documents` and `images` by URL (404 for the rest) and records `fetched` URLs and
    `posted` requests. A POST gets `answers[url]` (a status, or an exception it raises), else
    `status`; after `crash_after` POSTs each raises something unexpected."""

    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    images: dict[str, bytes] = field(default_factory=dict)
    fetched: list[str] = field(default_factory=list)
    posted: list[Posted] = field(default_factory=list)
    status: int = 202
    answers: dict[str, int | Exception] = field(default_factory=dict)
    crash_after: int | None = None

    def add(self, actor: RemoteActor) -> RemoteActor:
        """Serve the actor's document and its WebFinger answer."""
        self.documents[actor.id] = actor.document()
        webfinger = f"https://{actor.domain}/.well-known/webfinger?resource=acct:{actor.handle}"
        self.documents[webfinger] = actor.webfinger()
        return actor

    def serve(self, document: dict[str, Any]) -> None:
        """Serve a document at its `id`."""
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
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
    ) -> int:
        if self.crash_after is not None and len(self.posted) >= self.crash_after:
            raise RuntimeError("the worker's machine went away")
        request = httpx.Request("POST", url, content=body, headers=dict(headers or {}))
        if auth is not None:
            request = next(auth.sync_auth_flow(request))
        self.posted.append(Posted(url, body, dict(request.headers)))
        answer = self.answers.get(url, self.status)
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def aclose(self) -> None:
        return None

    def activities(self, kind: str | None = None) -> list[dict[str, Any]]:
        """The bodies we POSTed, in order; only those of one type when given."""
        bodies = [post.body for post in self.posted]
        return [body for body in bodies if kind is None or body.get("type") == kind]

    def urls(self) -> list[str]:
        """Where we POSTed, sorted."""
        return sorted(post.url for post in self.posted)
