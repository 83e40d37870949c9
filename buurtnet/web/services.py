"""What every route needs from the running instance, kept on the app's state by `create_app`."""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from babel.support import NullTranslations
from starlette.requests import HTTPConnection

from buurtnet.config import Settings
from buurtnet.core.local_times import local_day
from buurtnet.db import Database
from buurtnet.models import utcnow
from buurtnet.storage import MediaStorage

if TYPE_CHECKING:  # the letters' templates are made like the pages': buurtnet.web.templating
    from buurtnet.mail.letters import Letters


@dataclass(frozen=True)
class Services:
    settings: Settings
    database: Database
    translations: dict[str, NullTranslations]
    storage: MediaStorage
    letters: "Letters"


def services(connection: HTTPConnection) -> Services:
    found: Services = connection.app.state.services
    return found


def local_today(connection: HTTPConnection) -> date:
    """Today on the instance's calendar: the one survey periods, activities and figures use."""
    return local_day(utcnow(), ZoneInfo(services(connection).settings.time_zone))
