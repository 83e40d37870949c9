"""What every route needs from the running instance, kept on the app's state by `create_app`."""

from dataclasses import dataclass

from babel.support import NullTranslations
from starlette.requests import HTTPConnection

from buurtnet.config import Settings
from buurtnet.db import Database
from buurtnet.storage import MediaStorage


@dataclass(frozen=True)
class Services:
    settings: Settings
    database: Database
    translations: dict[str, NullTranslations]
    storage: MediaStorage


def services(connection: HTTPConnection) -> Services:
    found: Services = connection.app.state.services
    return found
