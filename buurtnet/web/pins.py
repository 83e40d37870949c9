"""Pinning a post atop its neighbourhood (`core/pins`): the page with the date, and the two
POSTs. The page is for whoever may pin the post (its author, a director there); taking a pin
down is also a button by each pinned post, for the neighbourhood's directors and admins."""

from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core import feeds, local_times, permissions, pins, posts
from buurtnet.core.errors import InvalidInput, NotAllowed
from buurtnet.models import Account, Neighbourhood, Post
from buurtnet.web import forms
from buurtnet.web.auth import current_roles, require_account
from buurtnet.web.ids import cursor, path_id
from buurtnet.web.messages import FORM_MESSAGES, translate_errors
from buurtnet.web.services import local_today, services
from buurtnet.web.templating import gettext_for, render

PIN = "/posts/{post_id}/pin"


async def pinned_atop(
    session: AsyncSession,
    request: Request,
    page: feeds.Page,
    neighbourhood_id: int | None,
    viewer: Account | None,
) -> tuple[list[feeds.PostView], feeds.Page]:
    """The announcements atop the first page of a neighbourhood's page or home feed, and the
    page without them; later pages have none."""
    if cursor(request) is not None:
        return [], page
    pinned = await feeds.pinned_posts(session, neighbourhood_id, viewer, local_today(request))
    return pinned, feeds.apart_from(page, pinned)


async def pin_page(request: Request) -> Response:
    account = require_account(request)
    return await _render(request, account, path_id(request, "post_id"))


async def save_pin(request: Request) -> Response:
    account = require_account(request)
    form = await forms.read_form(request)
    post_id = path_id(request, "post_id")
    typed = forms.text(form, pins.FIELD, 20)
    until = local_times.parse_day(typed)
    try:
        async with services(request).database.transaction() as session:
            roles = current_roles(request)
            await pins.pin(session, account, roles, post_id, until, local_today(request))
    except InvalidInput as error:
        errors = translate_errors(error.errors, gettext_for(request))
        values = {pins.FIELD: typed}
        return await _render(request, account, post_id, values, errors, status_code=400)
    return RedirectResponse(f"/posts/{post_id}/pin?saved=1", status_code=303)


async def save_unpin(request: Request) -> Response:
    account = require_account(request)
    form = await forms.read_form(request)
    post_id = path_id(request, "post_id")
    async with services(request).database.transaction() as session:
        await pins.unpin(session, account, current_roles(request), post_id)
    back = forms.safe_next(forms.text(form, "next", 500), f"/posts/{post_id}")
    return RedirectResponse(back, status_code=303)


async def _render(
    request: Request,
    account: Account,
    post_id: int,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    """The pin page of a post its viewer may pin; what stands in the way of a post that cannot
    be pinned is said instead of the form."""
    async with services(request).database.reading() as session:
        post = await posts.get_visible(session, account, post_id)
        if not permissions.can_pin(current_roles(request), post):
            raise NotAllowed
        neighbourhood = await session.get(Neighbourhood, post.neighbourhood_id)
    today = local_today(request)
    problem = pins.post_problem(post)
    context = {
        "post": post,
        "neighbourhood": neighbourhood,
        "pinned": pins.is_pinned(post, today),
        "today": today,
        "last_day": pins.last_day(today),
        "problem": gettext_for(request)(FORM_MESSAGES[problem]) if problem else None,
        "values": {pins.FIELD: _shown_date(post, today)} | (values or {}),
        "errors": errors or {},
        "saved": request.query_params.get("saved") == "1",
    }
    return render(request, "pin.html", context, status_code=status_code)


def _shown_date(post: Post, today: date) -> str:
    """The day a pinned post is pinned until, to change it; empty for one not pinned (now)."""
    shown = post.pinned_until if pins.is_pinned(post, today) else None
    return shown.isoformat() if shown is not None else ""


routes = [
    Route(PIN, pin_page, methods=["GET"]),
    Route(PIN, save_pin, methods=["POST"]),
    Route("/posts/{post_id}/unpin", save_unpin, methods=["POST"]),
]
