"""The search page: one field that finds posts by their words, neighbours by name, hashtags by
their beginning, and people elsewhere in the fediverse by their address (`@name@host` or a
profile URL)."""

import re

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet import paths
from buurtnet.core import post_search, search, search_terms
from buurtnet.core.post_search import Show
from buurtnet.federation.context import federation_of
from buurtnet.federation.remote_actors import ActorUnavailable, actor_by_handle, actor_by_uri
from buurtnet.models import Account
from buurtnet.web.auth import require_account
from buurtnet.web.ids import cursor
from buurtnet.web.services import services
from buurtnet.web.templating import render

REMOTE_HANDLE = re.compile(r"@?[\w.+-]+@[a-z0-9.-]+(?::[0-9]{1,5})?", re.IGNORECASE)


def is_remote_address(query: str) -> bool:
    return bool(REMOTE_HANDLE.fullmatch(query)) or query.startswith(("https://", "http://"))


async def find_remote(request: Request, address: str) -> Account:
    """Web calls federation for this one thing: to look up someone on another server."""
    federation = federation_of(request)
    if address.startswith(("https://", "http://")):
        return await actor_by_uri(federation, address)
    return await actor_by_handle(federation, address)


async def search_page(request: Request) -> Response:
    """For residents only: a list of who lives where is not for anyone on the internet.

    Without a query only the form; a long query is cut rather than refused. An address on another
    server leads to that person's profile here, where they can be followed. Posts come a page at
    a time (`before`); the people and hashtags found are on the first page of all posts only.
    """
    account = require_account(request)
    typed = request.query_params.get("q", "").replace("\x00", "")
    query = typed[: search.MAX_QUERY_LENGTH]
    show = shown(request.query_params.get("show", ""))
    before = cursor(request)
    context: dict[str, object] = {"query": query, "show": show, "results": None, "found": None}
    if is_remote_address(query.strip()):
        try:
            found = await find_remote(request, query.strip())
        except ActorUnavailable:
            context["not_found_elsewhere"] = True
        else:
            return RedirectResponse(paths.profile(found.handle), status_code=303)
    elif query.strip():
        terms = search_terms.terms_of(typed)
        context |= {
            "terms": terms,
            "more_url": paths.search(query, show if show != Show.ALL else ""),
        }
        async with services(request).database.reading() as session:
            if show == Show.ALL and before is None:
                context["results"] = await search.search(session, query, account)
            context["found"] = await post_search.search_posts(session, account, terms, show, before)
    return render(request, "search.html", context)


def shown(value: str) -> Show:
    """Which posts the search shows: one of `Show`, else all (an old or mistyped link)."""
    try:
        return Show(value)
    except ValueError:
        return Show.ALL


routes = [Route("/search", search_page, methods=["GET"])]
