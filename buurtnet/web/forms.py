"""Reading form posts: the CSRF check always comes first, then strings of bounded length."""

from urllib.parse import urlencode

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from buurtnet.core.errors import InvalidInput
from buurtnet.core.images import MAX_IMAGE_BYTES, TOO_LARGE, TOO_MANY
from buurtnet.core.media import MAX_IMAGES_PER_POST, ImageUpload
from buurtnet.web import csrf
from buurtnet.web.auth import login_token
from buurtnet.web.posted import POSTED
from buurtnet.web.services import services

MAX_FIELDS = 100
MAX_FIELD_LENGTH = 10_000
PASSWORD_LENGTH = 1000
CSRF_FAILED = "csrf"
# What a page's query says was just done: "?posted=12" (`posted`), "?deleted=1".
JUST_DONE = frozenset({POSTED, "deleted"})


async def read_form(request: Request) -> FormData:
    """The posted form, after its CSRF token was checked (403 when it is missing or wrong)."""
    return await _checked(request, await request.form(max_files=0, max_fields=MAX_FIELDS))


async def read_form_with_files(request: Request, *, max_files: int) -> FormData:
    """A multipart form with up to `max_files` files, after its CSRF token was checked.

    The parser takes twice as many, so that someone who picks a few photos too many gets a form
    message from `uploaded_images` rather than a bare 400; files wait on disk, not in memory.
    """
    form = await request.form(max_files=2 * max_files, max_fields=MAX_FIELDS)
    return await _checked(request, form)


async def _checked(request: Request, form: FormData) -> FormData:
    submitted = form.get(csrf.FIELD)
    secret_key = services(request).settings.secret_key
    if not isinstance(submitted, str) or not csrf.is_valid(
        request, secret_key, login_token(request), submitted
    ):
        await form.close()
        raise HTTPException(status_code=403, detail=CSRF_FAILED)
    return form


async def uploaded_images(
    form: FormData,
    field: str = "images",
    alt_field: str = "alt_text",
    *,
    max_images: int = MAX_IMAGES_PER_POST,
) -> list[ImageUpload]:
    """The chosen files with their descriptions: the i-th file input goes with the i-th text.

    A file input left empty still sends an empty part; it is skipped after the pairing, so a form
    with one input per photo keeps each description with its own photo. The form's files are
    closed afterwards (its text fields stay): a route that does not call this closes the form.
    """
    try:
        alt_texts = [value for value in form.getlist(alt_field) if isinstance(value, str)]
        chosen = [
            (file, alt_texts[index] if index < len(alt_texts) else "")
            for index, file in enumerate(form.getlist(field))
            if isinstance(file, UploadFile) and file.size != 0
        ]
        if len(chosen) > max_images:
            raise InvalidInput.single(field, TOO_MANY)
        uploads = [
            ImageUpload(await _bounded_read(file, field), alt_text) for file, alt_text in chosen
        ]
    finally:
        await form.close()
    return [upload for upload in uploads if upload.data]


async def uploaded_file(form: FormData, field: str, *, max_bytes: int, too_large: str) -> bytes:
    """The bytes of the one file chosen in a field (b"" when none was), with `too_large` as the
    message code beyond the bound. The form's files are closed afterwards."""
    try:
        file = form.get(field)
        if not isinstance(file, UploadFile):
            return b""
        return await _bounded_read(file, field, max_bytes, too_large)
    finally:
        await form.close()


async def _bounded_read(
    file: UploadFile,
    field: str,
    max_bytes: int = MAX_IMAGE_BYTES,
    too_large: str = TOO_LARGE,
) -> bytes:
    """The file's bytes; never more than the bound is read into memory."""
    if file.size is not None and file.size > max_bytes:
        raise InvalidInput.single(field, too_large)
    data = await file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InvalidInput.single(field, too_large)
    return data


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
    """The path and query of the current page: where to come back to after a detour. What the
    query says was just done is left out: the page would say it again after a like or a vote."""
    query = request.url.query
    if not JUST_DONE.isdisjoint(request.query_params.keys()):
        kept = [(k, v) for k, v in request.query_params.multi_items() if k not in JUST_DONE]
        query = urlencode(kept)
    return f"{request.url.path}?{query}" if query else request.url.path


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go to after logging in; anything else (another site) is ignored."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    return target
