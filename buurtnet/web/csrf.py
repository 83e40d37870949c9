"""CSRF tokens for every form.

A token is an HMAC of a random browser cookie and, once logged in, the login token: a page from
another site can neither read it nor make one. A form post must also come from our own origin when
the browser says where it comes from.
"""

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

BROWSER_COOKIE = "buurtnet_browser"
FIELD = "csrf_token"
BROWSER_COOKIE_AGE = 60 * 60 * 24 * 365


def browser_id(request: Request) -> str:
    """The browser's random id; made (once per request) when the browser has none yet."""
    existing = request.cookies.get(BROWSER_COOKIE)
    if existing and 16 <= len(existing) <= 64:
        return existing
    if "new_browser_id" not in request.scope:
        request.scope["new_browser_id"] = secrets.token_urlsafe(24)
    new_id: str = request.scope["new_browser_id"]
    return new_id


def make_token(secret_key: str, browser: str, login_token: str) -> str:
    message = f"csrf\x1f{browser}\x1f{login_token}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def token_for(request: Request, secret_key: str, login_token: str) -> str:
    return make_token(secret_key, browser_id(request), login_token)


def is_valid(request: Request, secret_key: str, login_token: str, submitted: str) -> bool:
    if BROWSER_COOKIE not in request.cookies or not _same_origin(request):
        return False
    expected = make_token(secret_key, request.cookies[BROWSER_COOKIE], login_token)
    return hmac.compare_digest(expected, submitted)


def remember_browser(request: Request, response: Response, *, secure: bool) -> None:
    if "new_browser_id" in request.scope:
        response.set_cookie(
            BROWSER_COOKIE,
            request.scope["new_browser_id"],
            max_age=BROWSER_COOKIE_AGE,
            httponly=True,
            samesite="lax",
            secure=secure,
        )


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None  # "null" comes from sandboxed frames and privacy redirects: refuse
    return urlsplit(origin).netloc == request.headers.get("host", "")
