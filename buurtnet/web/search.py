"""The search page: one field that finds neighbours by name and hashtags by their beginning."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from buurtnet.core import search
from buurtnet.web.auth import require_account
from buurtnet.web.services import services
from buurtnet.web.templating import render


async def search_page(request: Request) -> Response:
    """For residents only: a list of who lives where is not for anyone on the internet.

    Without a query only the form; a long query is cut rather than refused.
    """
    account = require_account(request)
    query = request.query_params.get("q", "").replace("\x00", "")[: search.MAX_QUERY_LENGTH]
    results = None
    if query.strip():
        async with services(request).database.reading() as session:
            results = await search.search(session, query, account)
    return render(request, "search.html", {"query": query, "results": results})


routes = [Route("/search", search_page, methods=["GET"])]
