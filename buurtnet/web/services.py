"""What every route needs from the running instance, kept on the app's state by `create_app`."""

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from babel.support import NullTranslations
from starlette.requests import HTTPConnection

from buurtnet.config import Settings
from buurtnet.core.local_times import local_day
from buurtnet.db import Database
from buurtnet.models import utcnow
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


def local_today(connection: HTTPConnection) -> date:
    """Today on the instance's calendar: the one survey periods, activities and figures use."""
    return local_day(utcnow(), ZoneInfo(services(connection).settings.time_zone))
