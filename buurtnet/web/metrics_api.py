"""The partners' API: one neighbourhood's liveability figures and survey results, as JSON or CSV,
for a bearer token that an admin issued (docs/liveability.md, "Partners").

`GET /api/metrics/{slug}?period=month|week&from=YYYY-MM&to=YYYY-MM&format=json|csv`, with
`Authorization: Bearer TOKEN`. Bearer only: a login cookie is no authorisation here (so no CSRF
either), and a token in the query string is not read, as addresses end up in logs.

Every answer is the file or JSON `{"error": reason}`: 401 without a working token, 404 for a
neighbourhood that does not exist, 403 for one the token was not granted, 400 for a parameter
that is wrong, 429 when a budget is used up. Each file is an entry in the audit log
(`metric_exports.export`); every answer, refusals included, is a line in the server's log.
"""

import logging
from datetime import date
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from buurtnet.core import export_requests, metric_exports, neighbourhoods, partner_tokens
from buurtnet.core.errors import InvalidInput, NotFound, TooMany
from buurtnet.core.export_requests import ExportFormat, Range
from buurtnet.core.metric_exports import Context, ExportFile
from buurtnet.core.metric_figures import Audience
from buurtnet.web.accounts import client_address
from buurtnet.web.messages import FORM_MESSAGES
from buurtnet.web.services import services
from buurtnet.web.templating import NO_STORE

API = "/api/metrics"
REALM = 'Bearer realm="buurtnet metrics"'
AUDIENCE = Audience.PARTNER  # never care signals

log = logging.getLogger(__name__)


async def neighbourhood_figures(request: Request) -> Response:
    """The answer, logged: who asks for what and is refused is worth seeing afterwards (the
    token itself never goes into the log)."""
    response = await answer(request)
    log.info("partner API %s: %d", request.path_params["slug"][:100], response.status_code)
    return response


async def answer(request: Request) -> Response:
    found = services(request)
    context = export_context(request)
    plain = bearer_token(request)
    try:
        async with found.database.transaction() as session:
            token = await partner_tokens.verify(session, plain) if plain else None
            await partner_tokens.spend_api_budget(session, client_address(request), token)
            if token is None:
                reason = "unknown or revoked token" if plain else "a bearer token is needed"
                return unauthorised(reason, invalid=bool(plain))
            try:
                place = await neighbourhoods.get_by_slug(session, request.path_params["slug"])
            except NotFound:
                return error(404, "no such neighbourhood")
            if place.id not in await partner_tokens.granted(session, token):
                return error(403, "this token may not read this neighbourhood")
            try:
                wanted, file_format = read_parameters(request, context.today)
            except InvalidInput as problem:
                return error(400, reason_of(problem))
            exporter = metric_exports.by_partner(token)
            exported = await metric_exports.export(
                session, [place], wanted, file_format, AUDIENCE, exporter, context
            )
    except TooMany as spent:
        headers = {"Retry-After": str(spent.retry_after)}
        return error(429, "too many requests: try again later", headers)
    return file_response(exported)


def export_context(request: Request) -> Context:
    settings = services(request).settings
    return metric_exports.context_now(
        settings.instance_name,
        settings.base_url,
        settings.disclosure_threshold,
        ZoneInfo(settings.time_zone),
    )


def read_parameters(request: Request, today: date) -> tuple[Range, ExportFormat]:
    """The range and format asked for (`period`, `from`, `to`, `format`); InvalidInput names
    the first that is wrong. The dashboard's download reads the same parameters."""
    query = request.query_params
    period, first, last = (query.get(name, "")[:20] for name in ("period", "from", "to"))
    wanted = export_requests.parse_range(period, first, last, today)
    return wanted, export_requests.parse_format(query.get("format", "")[:20])


def bearer_token(request: Request) -> str:
    """The token of an `Authorization: Bearer …` header, or "" without one."""
    scheme, _, token = request.headers.get("authorization", "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def reason_of(problem: InvalidInput) -> str:
    """The parameters' problems in plain English, for whoever writes the partner's script."""
    return "; ".join(
        f"{field}: {FORM_MESSAGES.get(code, code)}" for field, code in problem.errors.items()
    )


def error(status_code: int, reason: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(
        {"error": reason}, status_code=status_code, headers={**NO_STORE, **(headers or {})}
    )


def unauthorised(reason: str, *, invalid: bool) -> Response:
    """401, with the challenge RFC 6750 asks for."""
    challenge = f'{REALM}, error="invalid_token"' if invalid else REALM
    return error(401, reason, {"WWW-Authenticate": challenge})


def file_response(exported: ExportFile) -> Response:
    disposition = f'attachment; filename="{exported.filename}"'
    headers = {**NO_STORE, "Content-Disposition": disposition}
    return Response(exported.content, media_type=exported.media_type, headers=headers)


routes = [
    Route(API + "/{slug}", neighbourhood_figures, methods=["GET"]),
]
