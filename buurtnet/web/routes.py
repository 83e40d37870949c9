"""Every route of the web interface, gathered from the modules of each area."""

from pathlib import Path

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from buurtnet.web import accounts, admin, health, moderation, neighbourhoods, preferences

STATIC_DIR = Path(__file__).parent / "static"


def all_routes() -> list[BaseRoute]:
    return [
        *health.routes,
        *neighbourhoods.routes,
        *accounts.routes,
        *preferences.routes,
        *moderation.routes,
        *admin.routes,
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]
