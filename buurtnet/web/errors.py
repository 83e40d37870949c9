"""Error pages that fit the site, for people; core errors become the right status code."""

import logging
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ExceptionHandler

from buurtnet.core.errors import NotAllowed, NotFound, TooMany
from buurtnet.web.auth import LoginRequired
from buurtnet.web.forms import this_page
from buurtnet.web.headers import security_headers
from buurtnet.web.services import services
from buurtnet.web.templating import render

log = logging.getLogger(__name__)


async def http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    headers = dict(error.headers or {})
    return error_page(request, error.status_code, error.detail, headers)


async def not_found(request: Request, _error: Exception) -> Response:
    return error_page(request, 404)


async def not_allowed(request: Request, _error: Exception) -> Response:
    return error_page(request, 403)


async def too_many(request: Request, error: Exception) -> Response:
    """A used-up budget (posts, replies, reports): 429, with when to try again."""
    assert isinstance(error, TooMany)
    return render(
        request,
        "too_many.html",
        {"what": error.what, "minutes": wait_minutes(error)},
        status_code=429,
        headers=wait_headers(error),
    )


def wait_minutes(too_many: TooMany | None) -> int:
    """How long until a used-up budget has room again, in whole minutes (0: it has)."""
    return 0 if too_many is None else -(-too_many.retry_after // 60)


def wait_headers(too_many: TooMany) -> dict[str, str]:
    return {"Retry-After": str(too_many.retry_after)}


def link_unusable(request: Request) -> Response:
    """A link from a mail that is unknown, used, expired or replaced by a newer one."""
    return render(request, "link_unusable.html", status_code=404)


async def login_required(request: Request, _error: Exception) -> Response:
    return RedirectResponse(f"/login?{urlencode({'next': this_page(request)})}", status_code=303)


async def server_error(request: Request, error: Exception) -> Response:
    log.error("error on %s %s", request.method, request.url.path, exc_info=error)
    # Starlette answers a crash outside all middleware, so the security headers are added here.
    https = services(request).settings.uses_https
    return error_page(request, 500, headers=security_headers(https=https))


def error_page(
    request: Request, status_code: int, detail: str = "", headers: dict[str, str] | None = None
) -> Response:
    return render(
        request,
        "error.html",
        {"status_code": status_code, "detail": detail},
        status_code=status_code,
        headers=headers,
    )


EXCEPTION_HANDLERS: dict[type[Exception] | int, ExceptionHandler] = {
    HTTPException: http_error,
    NotFound: not_found,
    NotAllowed: not_allowed,
    TooMany: too_many,
    LoginRequired: login_required,
    Exception: server_error,
}
