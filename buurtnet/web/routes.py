"""Every route of the web interface, gathered from the modules of each area."""

from pathlib import Path

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from buurtnet.web import (
    account_data,
    accounts,
    admin,
    calendar_pages,
    calendars,
    event_forms,
    event_outcomes,
    event_signups,
    events,
    hashtags,
    health,
    home,
    media,
    moderation,
    neighbourhoods,
    notifications,
    people,
    polls,
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
        *calendars.routes,  # before any `/events/{post_id}` of the activity pages
        *calendar_pages.routes,
        *home.routes,
        *neighbourhoods.routes,
        *posts.routes,
        *events.routes,
        *event_forms.routes,
        *event_signups.routes,
        *event_outcomes.routes,
        *reactions.routes,
        *polls.routes,
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
