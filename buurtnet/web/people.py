"""A person's profile page, and following, muting and blocking them from it."""

from collections.abc import Awaitable, Callable

from markupsafe import Markup
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet import paths, typed_text
from buurtnet.core import duty_badges, feeds, new_build, relations, welcome
from buurtnet.core.errors import InvalidInput
from buurtnet.models import Account
from buurtnet.web import forms
from buurtnet.web.auth import current_account, require_account
from buurtnet.web.ids import cursor
from buurtnet.web.services import local_today, services
from buurtnet.web.templating import render

PROFILE = "/@{username}"

Change = Callable[[AsyncSession, Account, int], Awaitable[None]]


def bio_html(bio: str) -> Markup:
    """The bio as paragraphs and line breaks, with links and hashtags; all else escaped."""
    if not bio:
        return Markup("")
    rendered = typed_text.render_text(
        bio, mention_href=lambda _mention: None, hashtag_href=paths.hashtag
    )
    return Markup(rendered)  # noqa: S704 - render_text escapes what was typed and sanitises


async def profile_page(request: Request) -> Response:
    viewer = current_account(request)
    async with services(request).database.reading() as session:
        profile = await relations.load_profile(session, request.path_params["username"], viewer)
        page = await feeds.profile_feed(session, profile.account, viewer, cursor(request))
        duties = await duty_badges.duties_held(session, profile.account)
    today = local_today(request)
    context = {
        "profile": profile,
        "person": profile.account,
        "future_resident": new_build.is_future_resident(
            profile.account, profile.neighbourhood, today
        ),
        "bio": bio_html(profile.account.bio),
        "place": welcome.place_shown_to(profile.account, viewer),
        "page": page,
        "duties": duties,
        "is_self": viewer is not None and viewer.id == profile.account.id,
    }
    return render(request, "profile.html", context)


async def block_page(request: Request) -> Response:
    """Blocking ends follows both ways, so it takes a second, deliberate click on this page."""
    viewer = require_account(request)
    async with services(request).database.reading() as session:
        profile = await relations.load_profile(session, request.path_params["username"], viewer)
    if profile.account.id == viewer.id:
        return RedirectResponse(paths.profile(viewer.username), status_code=303)
    return render(request, "profile.html", {"person": profile.account, "confirm_block": True})


def relation_route(action: str, change: Change) -> Route:
    """A POST that changes how the logged-in person stands to someone, then back to their page."""

    async def endpoint(request: Request) -> Response:
        account = require_account(request)
        await forms.read_form(request)
        async with services(request).database.transaction() as session:
            other = await relations.active_account_by_username(
                session, request.path_params["username"]
            )
            assert other.id is not None
            try:
                await change(session, account, other.id)
            except InvalidInput as error:
                # The page offers no such button: a stale form or a hand-made request.
                raise HTTPException(status_code=400, detail=error.errors["form"]) from error
        return RedirectResponse(paths.profile(other.handle), status_code=303)

    return Route(f"{PROFILE}/{action}", endpoint, methods=["POST"], name=f"people-{action}")


routes = [
    Route(PROFILE, profile_page, methods=["GET"]),
    Route(PROFILE + "/block", block_page, methods=["GET"]),
    relation_route("follow", relations.follow),
    relation_route("unfollow", relations.unfollow),
    relation_route("mute", relations.mute),
    relation_route("unmute", relations.unmute),
    relation_route("block", relations.block),
    relation_route("unblock", relations.unblock),
]
