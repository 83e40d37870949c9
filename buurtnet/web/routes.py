"""Every route of the web interface, gathered from the modules of each area."""

from pathlib import Path

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from buurtnet.web import (
    account_data,
    accounts,
    admin,
    hashtags,
    health,
    home,
    media,
    moderation,
    neighbourhoods,
    notifications,
    people,
    posts,
    preferences,
    reactions,
    remote_followers,
    search,
)

STATIC_DIR = Path(__file__).parent / "static"


def all_routes() -> list[BaseRoute]:
    return [
        *health.routes,
        *home.routes,
        *neighbourhoods.routes,
        *posts.routes,
        *reactions.routes,
        *notifications.routes,
        *hashtags.routes,
        *accounts.routes,
        *preferences.routes,
        *moderation.routes,
        *remote_followers.routes,
        *admin.routes,
        *media.routes,
        *people.routes,
        *search.routes,
        *account_data.routes,
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]
