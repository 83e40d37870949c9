"""The word filters of the neighbourhoods someone moderates: the list, adding and removing.
Rules: `moderation.word_filters`; the posts they hold wait at `/moderation/held`."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core.errors import InvalidInput
from buurtnet.core.permissions import is_moderator
from buurtnet.moderation import word_filters
from buurtnet.web import forms
from buurtnet.web.auth import require_duty
from buurtnet.web.ids import path_id
from buurtnet.web.messages import translate_errors
from buurtnet.web.services import services
from buurtnet.web.templating import gettext_for, render

FILTERS = "/moderation/filters"
DONE = ("added", "removed")


async def filters_page(request: Request) -> Response:
    require_duty(request, is_moderator)
    done = request.query_params.get("done", "")
    return await _render(request, done=done if done in DONE else "")


async def add(request: Request) -> Response:
    moderator, roles = require_duty(request, is_moderator)
    neighbourhood_id = path_id(request, "neighbourhood_id")
    form = await forms.read_form(request)
    phrase = forms.text(form, "phrase", word_filters.PHRASE_LENGTH * 4)
    try:
        async with services(request).database.transaction() as session:
            await word_filters.add_phrase(session, moderator, roles, neighbourhood_id, phrase)
    except InvalidInput as error:
        errors = translate_errors(error.errors, gettext_for(request))
        return await _render(request, neighbourhood_id, phrase, errors, status_code=400)
    return RedirectResponse(f"{FILTERS}?done=added#filters-{neighbourhood_id}", status_code=303)


async def remove(request: Request) -> Response:
    moderator, roles = require_duty(request, is_moderator)
    filter_id = path_id(request, "filter_id")
    await forms.read_form(request)
    async with services(request).database.transaction() as session:
        found = await word_filters.remove_phrase(session, moderator, roles, filter_id)
    place = found.neighbourhood_id
    return RedirectResponse(f"{FILTERS}?done=removed#filters-{place}", status_code=303)


async def _render(
    request: Request,
    failed: int | None = None,
    phrase: str = "",
    errors: dict[str, str] | None = None,
    *,
    done: str = "",
    status_code: int = 200,
) -> Response:
    """The page; after a refused phrase, `failed` names the neighbourhood whose form shows it."""
    _, roles = require_duty(request, is_moderator)
    async with services(request).database.reading() as session:
        places = await word_filters.filters_for(session, roles)
    context = {
        "places": places,
        "failed": failed,
        "phrase": phrase,
        "errors": errors or {},
        "done": done,
    }
    return render(request, "word_filters.html", context, status_code=status_code)


routes = [
    Route(FILTERS, filters_page, methods=["GET"]),
    Route(FILTERS + "/{neighbourhood_id}", add, methods=["POST"]),
    Route(FILTERS + "/remove/{filter_id}", remove, methods=["POST"]),
]
