"""A hashtag's page: the posts with it that the viewer may see."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from buurtnet.core import hashtags
from buurtnet.core.errors import NotFound
from buurtnet.core.feeds import hashtag_feed
from buurtnet.web.auth import current_account
from buurtnet.web.ids import cursor
from buurtnet.web.services import services
from buurtnet.web.templating import render


async def hashtag_page(request: Request) -> Response:
    """A tag nobody here may see a post of is "not found": its name alone can tell too much."""
    viewer = current_account(request)
    before = cursor(request)
    async with services(request).database.reading() as session:
        hashtag = await hashtags.get_by_name(session, request.path_params["name"])
        page = await hashtag_feed(session, hashtag, viewer, before)
    if not page.items and before is None:
        raise NotFound(hashtag.name)
    return render(request, "tag.html", {"hashtag": hashtag, "page": page})


routes = [Route("/tags/{name}", hashtag_page, methods=["GET"])]
