"""`Federation`: what every federation route and job needs, made once by `create_app` or the CLI."""

import asyncio
from dataclasses import dataclass, field

from starlette.requests import HTTPConnection

from buurtnet.config import Settings
from buurtnet.db import Database
from buurtnet.federation.fetch import HttpClient, user_agent
from buurtnet.federation.keys import KeyRing
from buurtnet.federation.known_keys import KnownKeys
from buurtnet.federation.uris import Uris

DELIVERIES_AT_ONCE = 32  # per process, however many delivery jobs run side by side


@dataclass(frozen=True)
class Federation:
    settings: Settings
    database: Database
    uris: Uris
    keys: KeyRing
    client: HttpClient
    # One limit for all deliveries of the process: the jobs of a batch run side by side, and
    # hundreds of requests waiting at once cost the connection pool more than they gain.
    delivery_slots: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(DELIVERIES_AT_ONCE)
    )
    known_keys: KnownKeys = field(default_factory=KnownKeys)

    @property
    def host(self) -> str:
        return self.settings.host

    async def aclose(self) -> None:
        await self.client.aclose()


def make_federation(settings: Settings, database: Database) -> Federation:
    client = HttpClient(
        user_agent=user_agent(settings.base_url),
        allow_private_networks=settings.allow_private_networks,
    )
    uris = Uris.for_base(settings.base_url)
    return Federation(settings, database, uris, KeyRing(database), client)


def federation_of(connection: HTTPConnection) -> Federation:
    found: Federation = connection.app.state.federation
    return found
