"""Every route of the web interface, gathered from the modules of each area."""

from pathlib import Path

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from buurtnet.web import (
    account_data,
    accounts,
    admin,
    appeal_decisions,
    appeals,
    calendar_pages,
    calendars,
    care_signals,
    domain_blocks,
    event_forms,
    event_outcomes,
    event_signups,
    events,
    hashtags,
    health,
    home,
    media,
    moderation,
    moderation_held,
    moderation_logs,
    moderation_reports,
    neighbourhoods,
    notifications,
    people,
    polls,
    posts,
    preferences,
    reactions,
    remote_followers,
    reports,
    roles,
    search,
    word_filters,
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
        *appeal_decisions.routes,  # before any `/moderation/{report_id}`
        *moderation.routes,
        *moderation_reports.routes,
        *moderation_held.routes,
        *word_filters.routes,
        *reports.routes,
        *appeals.routes,
        *moderation_logs.routes,
        *remote_followers.routes,
        *admin.routes,
        *domain_blocks.routes,
        *roles.routes,
        *care_signals.routes,
        *media.routes,
        *people.routes,
        *search.routes,
        *account_data.routes,
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]
