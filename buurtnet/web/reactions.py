"""Liking and sharing from any feed: a small form per button, and back to where the person was."""

from collections.abc import Awaitable, Callable

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core import interactions
from buurtnet.models import Account
from buurtnet.web import forms
from buurtnet.web.auth import require_account
from buurtnet.web.ids import path_id
from buurtnet.web.services import services

Reaction = Callable[[AsyncSession, Account, int], Awaitable[None]]


def reaction_route(path: str, react: Reaction) -> Route:
    async def endpoint(request: Request) -> Response:
        account = require_account(request)
        form = await forms.read_form(request)
        post_id = path_id(request, "post_id")
        async with services(request).database.transaction() as session:
            await react(session, account, post_id)
        back = forms.safe_next(forms.text(form, "next", 500), f"/posts/{post_id}")
        return RedirectResponse(f"{back.split('#')[0]}#post-{post_id}", status_code=303)

    return Route(path, endpoint, methods=["POST"], name=path)


routes = [
    reaction_route("/posts/{post_id}/like", interactions.like),
    reaction_route("/posts/{post_id}/unlike", interactions.unlike),
    reaction_route("/posts/{post_id}/share", interactions.share),
    reaction_route("/posts/{post_id}/unshare", interactions.unshare),
]
