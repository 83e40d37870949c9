"""Who is logged in: a session cookie with a random token, looked up in the database."""

from collections.abc import Callable

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    BaseUser,
)
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from buurtnet.core import login, login_sessions, permissions
from buurtnet.core.errors import NotAllowed
from buurtnet.core.permissions import Roles
from buurtnet.models import Account, Neighbourhood, Role
from buurtnet.web.services import services

SESSION_COOKIE = "buurtnet_session"
PATHS_WITHOUT_LOGIN = ("/static/", "/healthz", "/media/")
REFRESHED_TOKEN = "buurtnet.refreshed_token"
# A refusal by the login limits, which guard password changes too.
LOGIN_LIMIT_HEADERS = {"Retry-After": str(int(login.LOGIN_WINDOW.total_seconds()))}


class SignedIn(BaseUser):
    def __init__(
        self,
        account: Account,
        token: str,
        neighbourhood: Neighbourhood | None,
        unread_notifications: int,
        roles: Roles,
    ) -> None:
        self.account = account
        self.token = token
        self.neighbourhood = neighbourhood  # the account's own
        self.unread_notifications = unread_notifications  # for the count in the menu
        self.roles = roles  # admin, and the neighbourhoods moderated or directed

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.account.name_to_show


class LoginRequired(Exception):
    """Raised by a route that needs a logged-in person; answered with a redirect to /login."""


class SessionBackend(AuthenticationBackend):
    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        token = conn.cookies.get(SESSION_COOKIE)
        if not token or conn.url.path.startswith(PATHS_WITHOUT_LOGIN):
            return None
        database = services(conn).database
        found = await database.read_retrying(
            lambda session: login_sessions.find_login(session, token)
        )
        if found is None:
            return None
        if login_sessions.needs_refresh(found.login):
            assert found.login.id is not None
            async with database.transaction() as session:
                await login_sessions.refresh(session, found.login.id)
            conn.scope[REFRESHED_TOKEN] = token
        roles = permissions.NO_ROLES
        if found.has_duties or found.account.role == Role.ADMIN:
            roles = await database.read_retrying(
                lambda session: permissions.roles_of(session, found.account)
            )
        user = SignedIn(
            found.account, token, found.neighbourhood, found.unread_notifications, roles
        )
        return AuthCredentials(["authenticated"]), user


def signed_in(connection: HTTPConnection) -> SignedIn | None:
    user = connection.scope.get("user")
    return user if isinstance(user, SignedIn) else None


def current_account(connection: HTTPConnection) -> Account | None:
    user = signed_in(connection)
    return None if user is None else user.account


def current_neighbourhood(connection: HTTPConnection) -> Neighbourhood | None:
    """The logged-in person's own neighbourhood, read with their login."""
    user = signed_in(connection)
    return None if user is None else user.neighbourhood


def unread_notifications(connection: HTTPConnection) -> int:
    user = signed_in(connection)
    return 0 if user is None else user.unread_notifications


def login_token(connection: HTTPConnection) -> str:
    user = signed_in(connection)
    return "" if user is None else user.token


def require_account(request: Request) -> Account:
    account = current_account(request)
    if account is None:
        raise LoginRequired
    return account


def current_roles(connection: HTTPConnection) -> Roles:
    user = signed_in(connection)
    return permissions.NO_ROLES if user is None else user.roles


def require_duty(request: Request, holds: Callable[[Roles], bool]) -> tuple[Account, Roles]:
    """The logged-in person and their roles, if `holds` says their roles allow the page."""
    account = require_account(request)
    roles = current_roles(request)
    if not holds(roles):
        raise NotAllowed
    return account, roles


def require_admin(request: Request) -> Account:
    return require_duty(request, permissions.is_admin)[0]


def set_session_cookie(response: Response, token: str, *, secure: bool) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(login_sessions.LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure,
    )


def clear_session_cookie(response: Response, *, secure: bool) -> None:
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=secure)


class RenewSessionCookie:
    """Sends the session cookie again when the login was extended, so the browser keeps it as long
    as the server does: an active resident stays logged in."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            token = scope.get(REFRESHED_TOKEN)
            if message["type"] == "http.response.start" and token:
                headers = MutableHeaders(scope=message)
                cookies = headers.getlist("set-cookie")
                if not any(cookie.startswith(SESSION_COOKIE + "=") for cookie in cookies):
                    renewed = Response()
                    set_session_cookie(renewed, token, secure=self.https)
                    headers.append("set-cookie", renewed.headers["set-cookie"])
            await send(message)

        await self.app(scope, receive, send_with_cookie)
