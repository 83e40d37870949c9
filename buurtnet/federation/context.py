"""`Federation`: what every federation route and job needs, made once by `create_app` or the CLI."""

from dataclasses import dataclass

from starlette.requests import HTTPConnection

from buurtnet import __version__
from buurtnet.config import Settings
from buurtnet.db import Database
from buurtnet.federation.keys import KeyRing
from buurtnet.federation.uris import Uris


@dataclass(frozen=True)
class Federation:
    settings: Settings
    database: Database
    uris: Uris
    keys: KeyRing

    @property
    def host(self) -> str:
        return self.settings.host

    async def aclose(self) -> None:
        """Close what the federation holds open (soon: the outgoing HTTP client's connections)."""


def user_agent(settings: Settings) -> str:
    """Names us and the instance, so a server's admin knows whom to ask about our requests."""
    return f"buurtnet/{__version__} (+{settings.base_url})"


def make_federation(settings: Settings, database: Database) -> Federation:
    return Federation(settings, database, Uris.for_base(settings.base_url), KeyRing(database))


def federation_of(connection: HTTPConnection) -> Federation:
    found: Federation = connection.app.state.federation
    return found
