"""Posts a word filter held, for the moderators of their neighbourhood: let each through, or
remove it with a reason. Rules: `moderation.held_posts`, `actions.approve_held`,
`actions.remove_post`."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core.errors import InvalidInput
from buurtnet.core.permissions import is_moderator
from buurtnet.moderation import actions, held_posts
from buurtnet.web import forms
from buurtnet.web.auth import require_duty
from buurtnet.web.ids import path_id
from buurtnet.web.messages import translate_errors
from buurtnet.web.moderation_labels import LABELS, read_measure
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for, render

HELD = "/moderation/held"


async def held_page(request: Request) -> Response:
    require_duty(request, is_moderator)
    return await _render(request, None, {}, {})


async def approve(request: Request) -> Response:
    account, roles = require_duty(request, is_moderator)
    post_id = path_id(request, "post_id")
    await forms.read_form(request)
    async with services(request).database.transaction() as session:
        await actions.approve_held(session, account, roles, post_id)
    return RedirectResponse(HELD + "?done=approved", status_code=303)


async def remove(request: Request) -> Response:
    account, roles = require_duty(request, is_moderator)
    post_id = path_id(request, "post_id")
    form = await forms.read_form(request)
    measure = read_measure(form)
    try:
        async with services(request).database.transaction() as session:
            await actions.remove_post(session, account, roles, post_id, measure)
    except InvalidInput as error:
        errors = translate_errors(error.errors, gettext_for(request))
        values = {"reason": measure.reason, "category": measure.category}
        return await _render(request, post_id, values, errors, status_code=400)
    return RedirectResponse(HELD + "?done=removed", status_code=303)


async def _render(
    request: Request,
    failed: int | None,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    status_code: int = 200,
) -> Response:
    _, roles = require_duty(request, is_moderator)
    async with services(request).database.reading() as session:
        held = await held_posts.held_posts(session, roles)
    context = {
        "held": held,
        "done": request.query_params.get("done", ""),
        "failed": failed,
        "values": values,
        "errors": errors,
        **LABELS,
    }
    return render(request, "moderation_held.html", context, status_code=status_code)


routes = [
    Route(HELD, held_page, methods=["GET"]),
    Route(HELD + "/{post_id}/approve", approve, methods=["POST"]),
    Route(HELD + "/{post_id}/remove", remove, methods=["POST"]),
]
