"""Every federation route: discovery, actors, their collections and posts as ActivityPub JSON.

Actors, posts and neighbourhoods answer at one URL for servers and browsers alike (`negotiation`):
the HTML pages are web endpoints that `create_app` hands in, so that federation never imports web.
These routes come before the web's, whose GET routes for the same paths they take over.
"""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from buurtnet.core.errors import NotFound
from buurtnet.db import parse_row_id
from buurtnet.federation import actors, nodeinfo, notes, webfinger
from buurtnet.federation.as2.objects import ordered_collection
from buurtnet.federation.context import Federation, federation_of
from buurtnet.federation.negotiation import (
    ACTOR_CACHE,
    Endpoint,
    activity_response,
    json_error,
    negotiated,
    redirect_browser,
)
from buurtnet.federation.uris import Uris
from buurtnet.federation.verify import Refusal, fetcher_of
from buurtnet.models import Account, Neighbourhood

CORS = {"Access-Control-Allow-Origin": "*"}
Owner = TypeVar("Owner", Account, Neighbourhood)  # browser clients look accounts up, as on Mastodon


def json_errors(endpoint: Endpoint) -> Endpoint:
    """Servers get JSON errors: 404 for what is not (or not for them), 410 for deleted actors."""

    async def guarded(request: Request) -> Response:
        try:
            return await endpoint(request)
        except NotFound:
            return json_error(404, "not found")
        except actors.AccountGone:
            return json_error(410, "gone")
        except actors.BadPage:
            return json_error(400, "page must be true or a page number")
        except Refusal as refusal:  # a signed fetch whose signature does not check out
            return json_error(refusal.status, refusal.reason)

    return guarded


def post_id(request: Request) -> int:
    found = parse_row_id(request.path_params["post_id"])
    if found is None:
        raise NotFound(request.path_params["post_id"])
    return found


async def webfinger_lookup(request: Request) -> Response:
    federation = federation_of(request)
    uris, host = federation.uris, federation.host
    try:
        wanted = webfinger.parse_resource(request.query_params.get("resource"), uris, host)
        async with federation.database.reading() as session:
            found = await webfinger.find(session, wanted, uris, host)
    except webfinger.BadResource as error:
        return json_error(400, str(error), headers=CORS)
    except NotFound:
        return json_error(404, "no such account or neighbourhood here", headers=CORS)
    return JSONResponse(found, media_type=webfinger.JRD, headers=CORS)


async def host_meta(request: Request) -> Response:
    xml = webfinger.host_meta_xml(federation_of(request).uris)
    return Response(xml, media_type="application/xrd+xml", headers=CORS)


async def host_meta_json(request: Request) -> Response:
    return JSONResponse(webfinger.host_meta_json(federation_of(request).uris), headers=CORS)


async def nodeinfo_links(request: Request) -> Response:
    return JSONResponse(nodeinfo.discovery(federation_of(request).uris), headers=CORS)


async def nodeinfo_document(request: Request) -> Response:
    version = request.path_params["version"]
    if version not in nodeinfo.VERSIONS:
        return json_error(404, "unknown NodeInfo version")
    federation = federation_of(request)
    async with federation.database.reading() as session:
        usage = await nodeinfo.read_usage(session)
    document = nodeinfo.document(version, usage, federation.settings.instance_name)
    return JSONResponse(document, media_type=nodeinfo.media_type(version), headers=CORS)


async def instance_actor(request: Request) -> Response:
    document = await actors.instance_document(federation_of(request))
    return activity_response(request, document, headers=ACTOR_CACHE)


async def instance_outbox(request: Request) -> Response:
    """The instance posts nothing; the collection is there because every actor has one."""
    collection_id = federation_of(request).uris.instance_outbox()
    return activity_response(request, ordered_collection(collection_id, []))


async def person(request: Request) -> Response:
    federation = federation_of(request)
    async with federation.database.reading() as session:
        username = request.path_params["username"]
        account = await actors.local_account(session, username, suspended_too=True)
    document = await actors.person_document(federation, account)
    return activity_response(request, document, headers=ACTOR_CACHE)


async def group(request: Request) -> Response:
    federation = federation_of(request)
    async with federation.database.reading() as session:
        found = await actors.neighbourhood_by_slug(session, request.path_params["slug"])
    document = await actors.group_document(federation, found)
    return activity_response(request, document, headers=ACTOR_CACHE)


def collection_route(
    path: str,
    find: Callable[[AsyncSession, str], Awaitable[Owner]],
    key_of: Callable[[Owner], str],
    listing: Callable[[Federation, Owner, Account | None], actors.Listing],
    collection_id: Callable[[Uris, str], str],
) -> Route:
    """A paged collection of a person or a neighbourhood: `path` ends in `{key}`'s collection.
    What it lists is what the signer of the fetch (or anyone, unsigned) may see."""

    async def endpoint(request: Request) -> Response:
        federation = federation_of(request)
        page = actors.parse_page(request.query_params.get("page"))
        fetcher = await fetcher_of(federation, request)
        async with federation.database.reading() as session:
            owner = await find(session, request.path_params["key"])
            document = await actors.collection_document(
                session,
                federation.uris,
                collection_id(federation.uris, key_of(owner)),
                listing(federation, owner, fetcher),
                page,
            )
        return activity_response(request, document)

    return Route(path, json_errors(endpoint), methods=["GET"])


def person_collection(
    name: str,
    listing: Callable[[Federation, Account, Account | None], actors.Listing],
    collection_id: Callable[[Uris, str], str],
) -> Route:
    path = f"/users/{{key}}/{name}"
    return collection_route(path, actors.local_account, _username, listing, collection_id)


def neighbourhood_collection(
    name: str,
    listing: Callable[[Federation, Neighbourhood, Account | None], actors.Listing],
    collection_id: Callable[[Uris, str], str],
) -> Route:
    path = f"/n/{{key}}/{name}"
    return collection_route(path, actors.neighbourhood_by_slug, _slug, listing, collection_id)


def _username(account: Account) -> str:
    return account.username


def _slug(neighbourhood: Neighbourhood) -> str:
    return neighbourhood.slug


async def status(request: Request) -> Response:
    """A post as a `Note`, at its id (`/users/<name>/statuses/<id>`) or its page (`/posts/<id>`),
    for whoever signed the fetch (or anyone, unsigned) may see it."""
    federation = federation_of(request)
    fetcher = await fetcher_of(federation, request)
    async with federation.database.reading() as session:
        found = await notes.served_post(
            session, fetcher, post_id(request), request.path_params.get("username")
        )
        [note] = await notes.notes_of(session, [found], federation.uris, federation.host)
    return activity_response(request, note)


async def status_activity(request: Request) -> Response:
    federation = federation_of(request)
    fetcher = await fetcher_of(federation, request)
    async with federation.database.reading() as session:
        found = await notes.served_post(
            session, fetcher, post_id(request), request.path_params["username"]
        )
        [create] = await notes.creates_of(session, [found], federation.uris, federation.host)
    return activity_response(request, create)


def _profile_page(request: Request) -> str:
    return federation_of(request).uris.profile_page(request.path_params["username"])


def _post_page(request: Request) -> str:
    return federation_of(request).uris.post_page(post_id(request))


def federation_routes(
    *, person_page: Endpoint, neighbourhood_page: Endpoint, post_page: Endpoint
) -> list[BaseRoute]:
    """The routes, given the web's pages for the URLs that browsers open too."""
    return [
        Route("/.well-known/webfinger", webfinger_lookup, methods=["GET"]),
        Route("/.well-known/host-meta", host_meta, methods=["GET"]),
        Route("/.well-known/host-meta.json", host_meta_json, methods=["GET"]),
        Route("/.well-known/nodeinfo", nodeinfo_links, methods=["GET"]),
        Route("/nodeinfo/{version}", nodeinfo_document, methods=["GET"]),
        Route("/actor", json_errors(instance_actor), methods=["GET"]),
        Route("/actor/outbox", json_errors(instance_outbox), methods=["GET"]),
        Route(
            "/users/{username}", _either(person, redirect_browser(_profile_page)), methods=["GET"]
        ),
        person_collection("outbox", actors.outbox_listing, Uris.outbox),
        person_collection("followers", actors.followers_listing, Uris.followers),
        person_collection("following", actors.following_listing, Uris.following),
        Route("/@{username}", _either(person, person_page), methods=["GET"]),
        Route("/n/{slug}", _either(group, neighbourhood_page), methods=["GET"]),
        neighbourhood_collection(
            "outbox", actors.neighbourhood_outbox_listing, Uris.neighbourhood_outbox
        ),
        neighbourhood_collection(
            "followers", actors.neighbourhood_followers_listing, Uris.neighbourhood_followers
        ),
        Route(
            "/users/{username}/statuses/{post_id}",
            _either(status, redirect_browser(_post_page)),
            methods=["GET"],
        ),
        Route(
            "/users/{username}/statuses/{post_id}/activity",
            json_errors(status_activity),
            methods=["GET"],
        ),
        Route("/posts/{post_id}", _either(status, post_page), methods=["GET"]),
        # The inboxes (POST /inbox, /users/{username}/inbox, /n/{slug}/inbox, /actor/inbox) are
        # `inbox.inbox_routes`, which `create_app` puts beside these.
    ]


def _either(as_json: Endpoint, as_html: Endpoint) -> Endpoint:
    return negotiated(json_errors(as_json), as_html)
