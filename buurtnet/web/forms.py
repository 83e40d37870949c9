"""Reading form posts: the CSRF check always comes first, then strings of bounded length."""

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from buurtnet.web import csrf
from buurtnet.web.auth import login_token
from buurtnet.web.services import services

MAX_FIELDS = 100
MAX_FIELD_LENGTH = 10_000
PASSWORD_LENGTH = 1000
CSRF_FAILED = "csrf"


async def read_form(request: Request) -> FormData:
    """The posted form, after its CSRF token was checked (403 when it is missing or wrong)."""
    form = await request.form(max_files=0, max_fields=MAX_FIELDS)
    submitted = form.get(csrf.FIELD)
    secret_key = services(request).settings.secret_key
    if not isinstance(submitted, str) or not csrf.is_valid(
        request, secret_key, login_token(request), submitted
    ):
        raise HTTPException(status_code=403, detail=CSRF_FAILED)
    return form


def text(form: FormData, name: str, max_length: int = MAX_FIELD_LENGTH) -> str:
    """A field's text, cut to length; NUL bytes are dropped (PostgreSQL cannot store them)."""
    value = form.get(name)
    return value.replace("\x00", "")[:max_length] if isinstance(value, str) else ""


def number(form: FormData, name: str, default: int) -> int:
    try:
        return int(text(form, name, 12))
    except ValueError:
        return default


def this_page(request: Request) -> str:
    """The path and query of the current page: where to come back to after a detour."""
    query = request.url.query
    return f"{request.url.path}?{query}" if query else request.url.path


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go to after logging in; anything else (another site) is ignored."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    return target
