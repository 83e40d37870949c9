"""The moderators' page for followers of the neighbourhood on other servers: whether they are
let in at once or one by one, and a yes or no to those who wait."""

from collections.abc import Awaitable, Callable

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core import permissions
from buurtnet.core.permissions import Roles
from buurtnet.models import Account
from buurtnet.moderation import remote_followers
from buurtnet.web import forms
from buurtnet.web.auth import require_duty
from buurtnet.web.ids import path_id
from buurtnet.web.services import services
from buurtnet.web.templating import render

PAGE = "/moderation/followers"
Decision = Callable[[AsyncSession, Account, Roles, int, int], Awaitable[None]]
Endpoint = Callable[[Request], Awaitable[Response]]


async def followers_page(request: Request) -> Response:
    _, roles = require_duty(request, permissions.is_moderator)
    async with services(request).database.reading() as session:
        neighbourhoods = await remote_followers.moderated_neighbourhoods(session, roles)
        waiting = await remote_followers.waiting_followers(session, neighbourhoods)
    context = {"neighbourhoods": neighbourhoods, "waiting": waiting}
    return render(request, "remote_followers.html", context)


async def choose(request: Request) -> Response:
    moderator, roles = require_duty(request, permissions.is_moderator)
    form = await forms.read_form(request)
    approves = form.get("approval") == "moderator"
    async with services(request).database.transaction() as session:
        await remote_followers.set_approval(
            session, moderator, roles, path_id(request, "neighbourhood_id"), approves=approves
        )
    return RedirectResponse(PAGE, status_code=303)


def decision(decide: Decision) -> Endpoint:
    """Let a waiting follower in, or refuse them: the same form, another decision."""

    async def endpoint(request: Request) -> Response:
        moderator, roles = require_duty(request, permissions.is_moderator)
        await forms.read_form(request)
        neighbourhood_id = path_id(request, "neighbourhood_id")
        account_id = path_id(request, "account_id")
        async with services(request).database.transaction() as session:
            await decide(session, moderator, roles, neighbourhood_id, account_id)
        return RedirectResponse(PAGE, status_code=303)

    return endpoint


FOLLOWER = PAGE + "/{neighbourhood_id}/{account_id}"
routes = [
    Route(PAGE, followers_page, methods=["GET"]),
    Route(PAGE + "/{neighbourhood_id}/approval", choose, methods=["POST"]),
    Route(FOLLOWER + "/accept", decision(remote_followers.accept_follower), methods=["POST"]),
    Route(FOLLOWER + "/refuse", decision(remote_followers.refuse_follower), methods=["POST"]),
]
