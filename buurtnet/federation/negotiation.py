"""Content negotiation: one URL answers ActivityPub JSON to servers and HTML to browsers.

Servers ask for `application/activity+json` or `application/ld+json; profile="…activitystreams"`
(some send plain `application/json`); browsers ask for `text/html` and `*/*`. JSON is chosen only
when a JSON type is named outright and weighs at least as much as HTML: a browser's `*/*` never
turns a page into JSON. Every negotiated answer says `Vary: Accept`, so no cache hands the one to
the other.
"""

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from buurtnet.federation.as2 import objects

ACTIVITY_JSON = "application/activity+json"
LD_JSON = "application/ld+json"
LD_JSON_AS2 = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
JSON_TYPES = frozenset({ACTIVITY_JSON, LD_JSON, "application/json"})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
VARY = {"Vary": "Accept"}
# Short and public, as Mastodon caches actor documents: a changed name shows soon enough.
ACTOR_CACHE = {"Cache-Control": "public, max-age=180"}

Endpoint = Callable[[Request], Awaitable[Response]]


def media_ranges(accept: str) -> list[tuple[str, float]]:
    """The types of an Accept header with their weights (`q`), malformed weights as 0."""
    ranges = []
    for part in accept.split(","):
        media_type, *parameters = (piece.strip() for piece in part.split(";"))
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if media_type:
            ranges.append((media_type.lower(), weight))
    return ranges


def json_type_asked(accept: str) -> str | None:
    """The JSON type to answer with, or None when the client prefers HTML (or named no JSON)."""
    ranges = media_ranges(accept)
    json_weight = max((q for kind, q in ranges if kind in JSON_TYPES), default=0.0)
    html_weight = max((q for kind, q in ranges if kind in HTML_TYPES), default=0.0)
    if json_weight <= 0 or json_weight < html_weight:
        return None
    best = max(
        (kind for kind, q in ranges if kind in JSON_TYPES and q == json_weight),
        key=lambda kind: kind == LD_JSON,  # an explicit ld+json request gets ld+json back
    )
    return LD_JSON_AS2 if best == LD_JSON else ACTIVITY_JSON


def wants_activity_json(request: Request) -> bool:
    return json_type_asked(request.headers.get("accept", "")) is not None


def activity_response(
    request: Request, item: objects.JsonObject, *, headers: dict[str, str] | None = None
) -> Response:
    """A document (with `@context`) in the JSON type the client asked for, activity+json if
    it asked for none (a collection fetched with `Accept: */*`)."""
    media_type = json_type_asked(request.headers.get("accept", "")) or ACTIVITY_JSON
    return JSONResponse(
        objects.document(item), media_type=media_type, headers=VARY | (headers or {})
    )


def json_error(
    status_code: int, message: str, *, headers: dict[str, str] | None = None
) -> Response:
    """Errors to servers are JSON, `{"error": "…"}`, as Mastodon answers them."""
    return JSONResponse({"error": message}, status_code=status_code, headers=VARY | (headers or {}))


def negotiated(as_json: Endpoint, as_html: Endpoint) -> Endpoint:
    """One endpoint that hands a request to `as_json` or `as_html` by its Accept header."""

    async def endpoint(request: Request) -> Response:
        chosen = as_json if wants_activity_json(request) else as_html
        response = await chosen(request)
        _add_vary(response)
        return response

    return endpoint


def _add_vary(response: Response) -> None:
    present = response.headers.get("vary", "")
    if "accept" not in {part.strip().lower() for part in present.split(",")}:
        response.headers["Vary"] = f"{present}, Accept" if present else "Accept"


def redirect_browser(location: Callable[[Request], str]) -> Endpoint:
    """For ids that have no page of their own: browsers go to the page that shows them."""

    async def endpoint(request: Request) -> Response:
        return Response(status_code=302, headers={"Location": location(request), **VARY})

    return endpoint
