"""The app federating on the fake network: swapping the network in, POSTing signed activities
to our inboxes, signed GETs of our documents, and running the job queue until it is empty."""

import dataclasses
import json
from datetime import datetime
from typing import Any, cast

import httpx
from sqlmodel import col, select
from starlette.applications import Starlette

from buurtnet.app import job_registry, media_storage
from buurtnet.config import Settings
from buurtnet.db import Database
from buurtnet.federation.context import Federation
from buurtnet.federation.fetch import HttpClient
from buurtnet.federation.keys import KeyRing
from buurtnet.federation.uris import Uris
from buurtnet.job_queue import Worker
from buurtnet.mail.letters import Letters
from buurtnet.models import Account
from tests.kit.as2 import ping
from tests.kit.network import FakeNetwork
from tests.kit.remote import ACTIVITY_JSON, RemoteActor


def as_client(network: FakeNetwork) -> HttpClient:
    """The fake network where the app expects its HTTP client: it has the same methods."""
    return cast(HttpClient, network)


def use_network(app: Starlette, network: FakeNetwork) -> Federation:
    """Put the fake network in place of the app's HTTP client; returns the federation."""
    federation: Federation = app.state.federation
    federation = dataclasses.replace(federation, client=as_client(network))
    app.state.federation = federation
    return federation


def federation_on(network: FakeNetwork, settings: Settings, database: Database) -> Federation:
    """A federation that talks to the fake network, for tests without an app."""
    uris = Uris.for_base(settings.base_url)
    return Federation(settings, database, uris, KeyRing(database), as_client(network))


def worker_for(federation: Federation, letters: Letters | None = None) -> Worker:
    """A worker with every job of the app, on the federation's (fake) network."""
    storage = media_storage(federation.settings)
    return Worker(federation.database, job_registry(storage, federation, letters))


async def run_queue(app: Starlette) -> None:
    """Run every due job with the app's (faked) federation, until none is left; with the app's
    letters (made once: their translations take a moment to load)."""
    letters = app.state.services.letters
    await worker_for(app.state.federation, letters).run_until_empty()


async def deliver(
    client: httpx.AsyncClient,
    actor: RemoteActor,
    activity: dict[str, Any],
    path: str = "/inbox",
    *,
    now: datetime | None = None,
) -> httpx.Response:
    """POST an activity to one of our inboxes, signed by the remote actor (at `now`)."""
    body = json.dumps(activity).encode()
    url = str(client.base_url).rstrip("/") + path
    return await client.post(path, content=body, headers=actor.signed("POST", url, body, now=now))


async def fetch_as(
    client: httpx.AsyncClient, actor: RemoteActor | None, path: str
) -> httpx.Response:
    """GET one of our ActivityPub documents as the actor's server does, signed; unsigned when
    there is no actor (a visitor, or a server that does not sign its fetches)."""
    url = str(client.base_url).rstrip("/") + path
    headers = {"Accept": ACTIVITY_JSON} if actor is None else actor.signed("GET", url)
    return await client.get(path, headers=headers)


async def meet(client: httpx.AsyncClient, actor: RemoteActor) -> None:
    """The actor sends us something (of a type we do not handle), as after its first message:
    we have fetched and stored it, and keep its key."""
    response = await deliver(client, actor, ping(actor))
    assert response.status_code == 202, response.text


async def account_of(database: Database, actor: RemoteActor) -> Account:
    """The account we keep of a remote actor."""
    async with database.reading() as session:
        found = await session.exec(select(Account).where(col(Account.actor_uri) == actor.id))
        return found.one()
