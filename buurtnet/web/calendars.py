"""Activities in calendar apps: an .ics file per activity, a feed per neighbourhood of its public
activities, and a personal feed behind a secret link (made on `/settings/calendar`, see
`calendar_pages`).

The file of an activity is at `/events/{post_id}.ics`, not `/posts/{post_id}.ics`: the post's
own URL is answered first by the federation routes, whose `{post_id}` would take "12.ics" whole.
Calendar apps fetch without a login, so a feed is read as a visitor (the neighbourhood's) or as
the owner of its token (the personal one); the token is the only secret, so it is never logged.
"""

import hashlib
import logging
import math
import re
import unicodedata
from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from buurtnet import paths
from buurtnet.core import calendars, neighbourhoods
from buurtnet.core.errors import NotFound
from buurtnet.core.local_times import utc
from buurtnet.federation.uris import Uris
from buurtnet.models import Account
from buurtnet.web import ical
from buurtnet.web.auth import current_account
from buurtnet.web.event_messages import CATEGORY_LABELS
from buurtnet.web.i18n import choose_locale
from buurtnet.web.ids import path_id
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for

log = logging.getLogger(__name__)

CALENDAR_TYPE = "text/calendar; charset=utf-8"
FEED_REFRESH = timedelta(hours=1)
# The neighbourhood's feed is what any visitor sees: shared caches may keep it a while. The
# others depend on who asks, and the personal one holds a resident's plans.
SHARED_FOR = "public, max-age=900"
NOT_SHARED = "private, no-store"


def personal_feed_path(token: str) -> str:
    return f"/calendar/{token}.ics"


def neighbourhood_feed_path(slug: str) -> str:
    return paths.neighbourhood(slug) + "/calendar.ics"


def entry_of(
    activity: calendars.Activity, uris: Uris, gettext: Callable[[str], str], home_zone: str
) -> ical.Entry:
    """An activity as its calendar entry: named by its post's ActivityPub id, which never
    changes, and linked to its page here."""
    post, event = activity.post, activity.event
    assert post.id is not None
    page = uris.post_page(post.id)
    title = event.title
    if event.cancelled_at is not None:
        title = gettext("Cancelled: %(title)s") % {"title": title}
    # An end that is not after the start means that none was given.
    ends_at = event.ends_at if utc(event.ends_at) > utc(event.starts_at) else None
    changes = [post.created_at, post.edited_at, event.cancelled_at]
    label = CATEGORY_LABELS.get(event.category)  # one from elsewhere may be none of ours
    return ical.Entry(
        uid=uris.post_of(post, activity.organiser),
        sequence=event.sequence,
        stamp=max(utc(moment) for moment in changes if moment is not None),
        created=post.created_at,
        starts_at=event.starts_at,
        ends_at=ends_at,
        zone=ical.zone_named(event.time_zone, home_zone),
        summary=title,
        # Some calendar apps do not show the URL property: the link is in the text as well.
        description=f"{post.source}\n\n{page}" if post.source else page,
        location=event.place,
        geo=_geo(event.latitude, event.longitude),
        url=page,
        cancelled=event.cancelled_at is not None,
        categories=(gettext(label),) if label else (),
    )


def _geo(latitude: float | None, longitude: float | None) -> tuple[float, float] | None:
    if latitude is None or longitude is None:
        return None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if abs(latitude) > 90 or abs(longitude) > 180:
        return None
    return (latitude, longitude)


def file_name(title: str, post_id: int) -> str:
    """A file name people recognise, in plain ASCII: the title's words and the number."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    words = "-".join(re.findall(r"[a-z0-9]+", plain))[:60].strip("-")
    return f"{words}-{post_id}.ics" if words else f"{post_id}.ics"


def calendar_response(
    request: Request, body: bytes, filename: str, cache_control: str, *, attachment: bool = False
) -> Response:
    """The file, or 304 when the calendar app has it already (feeds are fetched every hour)."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"Cache-Control": cache_control, "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    disposition = "attachment" if attachment else "inline"
    headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return Response(body, media_type=CALENDAR_TYPE, headers=headers)


def _entries(
    request: Request, activities: list[calendars.Activity], gettext: Callable[[str], str]
) -> list[ical.Entry]:
    settings = services(request).settings
    uris = Uris.for_base(settings.base_url)
    return [entry_of(found, uris, gettext, settings.time_zone) for found in activities]


def _feed(request: Request, name: str) -> ical.Feed:
    zone = ZoneInfo(services(request).settings.time_zone)  # checked when the settings were read
    return ical.Feed(name=name, zone=zone, refresh=FEED_REFRESH)


async def activity_file(request: Request) -> Response:
    """One activity, for "add to my calendar": for whoever may see its post."""
    post_id = path_id(request, "post_id")
    async with services(request).database.reading() as session:
        found = await calendars.activity(session, current_account(request), post_id)
    body = ical.calendar_file(_entries(request, [found], gettext_for(request)))
    name = file_name(found.event.title, post_id)
    return calendar_response(request, body, name, NOT_SHARED, attachment=True)


async def neighbourhood_feed(request: Request) -> Response:
    """The neighbourhood's public activities, as a visitor sees them, whoever asks."""
    async with services(request).database.reading() as session:
        neighbourhood = await neighbourhoods.get_by_slug(session, request.path_params["slug"])
        assert neighbourhood.id is not None
        found = await calendars.neighbourhood_activities(session, neighbourhood.id)
    gettext = gettext_for(request)
    name = gettext("Activities in %(name)s") % {"name": neighbourhood.name}
    body = ical.calendar_file(_entries(request, found, gettext), _feed(request, name))
    return calendar_response(request, body, f"{neighbourhood.slug}.ics", SHARED_FOR)


async def personal_feed(request: Request) -> Response:
    """A resident's own activities, for the calendar app that holds the secret link.

    The path holds the token: an error is logged here, without the path, rather than by the
    handler of all errors, which names it.
    """
    try:
        return await _personal_feed(request, request.path_params["token"])
    except (NotFound, HTTPException):
        raise
    except Exception as error:
        log.error("error on a personal calendar feed", exc_info=error)
        raise HTTPException(status_code=500) from None


async def _personal_feed(request: Request, token: str) -> Response:
    async with services(request).database.reading() as session:
        owner = await calendars.feed_owner(session, token)
        if owner is None:
            raise NotFound("calendar feed")
        found = await calendars.personal_activities(session, owner)
    gettext = _gettext_of(request, owner)
    name = gettext("My activities") + f" ({services(request).settings.instance_name})"
    body = ical.calendar_file(_entries(request, found, gettext), _feed(request, name))
    response = calendar_response(request, body, "activities.ics", NOT_SHARED)
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _gettext_of(request: Request, owner: Account) -> Callable[[str], str]:
    """The owner's language: the calendar app sends no cookie, perhaps an Accept-Language."""
    locale = choose_locale(owner.locale, None, request.headers.get("accept-language", ""))
    return services(request).translations[locale].gettext


routes = [
    Route("/events/{post_id}.ics", activity_file, methods=["GET"]),
    Route("/n/{slug}/calendar.ics", neighbourhood_feed, methods=["GET"]),
    Route("/calendar/{token}.ics", personal_feed, methods=["GET"]),
]
