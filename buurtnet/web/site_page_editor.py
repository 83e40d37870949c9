"""Where the admin writes the privacy statement, the house rules and the contact page: in
Markdown, with a preview before saving (rules: `moderation.site_pages`; shown: `site_pages`)."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from buurtnet.core import permissions
from buurtnet.core.accounts import SUPPORTED_LOCALES
from buurtnet.core.errors import InvalidInput, NotFound
from buurtnet.models import SitePageSlug
from buurtnet.moderation import site_pages
from buurtnet.page_markdown import render_markdown
from buurtnet.web import forms
from buurtnet.web.auth import require_admin, require_duty
from buurtnet.web.i18n import DEFAULT_LOCALE
from buurtnet.web.messages import translate_errors
from buurtnet.web.services import services
from buurtnet.web.site_pages import TITLES, default_text, path_of
from buurtnet.web.templating import gettext_for, render

# Read whole (the request body is bounded), so that a text that is too long comes back to be cut.
BODY_READ_LENGTH = 20 * site_pages.MAX_BODY


def _slug(request: Request) -> SitePageSlug:
    try:
        return SitePageSlug(request.path_params["page"])
    except ValueError as error:
        raise NotFound from error


def editor_path(slug: SitePageSlug) -> str:
    return f"/admin/pages/{slug.value}"


async def edit_page(request: Request) -> Response:
    """The admin's text, or the Dutch default to start from while there is none."""
    require_admin(request)
    slug = _slug(request)
    async with services(request).database.reading() as session:
        written = await site_pages.written_page(session, slug)
    body = default_text(slug, DEFAULT_LOCALE) if written is None else written.body
    return _render(request, slug, body, {}, saved=bool(request.query_params.get("saved")))


async def save_page(request: Request) -> Response:
    admin, roles = require_duty(request, permissions.is_admin)
    slug = _slug(request)
    form = await forms.read_form(request)
    body = forms.text(form, "body", BODY_READ_LENGTH)
    if forms.text(form, "action", 10) == "preview":
        return _render(request, slug, body, {}, preview=True)
    try:
        async with services(request).database.transaction() as session:
            defaults = [default_text(slug, locale) for locale in SUPPORTED_LOCALES]
            await site_pages.save_page(session, admin, roles, slug, body, defaults=defaults)
    except InvalidInput as error:
        errors = translate_errors(error.errors, gettext_for(request))
        return _render(request, slug, body, errors, status_code=400)
    return RedirectResponse(f"{editor_path(slug)}?saved=1", status_code=303)


def _render(
    request: Request,
    slug: SitePageSlug,
    body: str,
    errors: dict[str, str],
    *,
    preview: bool = False,
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    context = {
        "title": TITLES[slug],
        "page_path": path_of(slug),
        "editor_path": editor_path(slug),
        "values": {"body": body},
        "errors": errors,
        "preview": _preview(slug, body) if preview else "",
        "saved": saved,
    }
    return render(request, "site_page_edit.html", context, status_code=status_code)


def _preview(slug: SitePageSlug, body: str) -> str:
    """The page as residents would see it; emptied, it shows the default again."""
    return render_markdown(site_pages.normalised(body) or default_text(slug, DEFAULT_LOCALE))


routes = [
    Route("/admin/pages/{page}", edit_page, methods=["GET"]),
    Route("/admin/pages/{page}", save_page, methods=["POST"]),
]
