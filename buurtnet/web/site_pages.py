"""The pages every service here needs, linked from the foot of every page: the privacy statement
(AVG), the house rules (accepted at sign-up) and how to reach the housing corporation.

An admin writes them (`site_page_editor`); until then each shows a default text in the reader's
language, `default_pages/<slug>.<locale>.md`, with the parts that only the corporation can fill
in marked as such.
"""

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from buurtnet.models import SitePageSlug
from buurtnet.moderation import site_pages
from buurtnet.page_markdown import render_markdown
from buurtnet.web.messages import N_
from buurtnet.web.services import services
from buurtnet.web.templating import render, request_locale

DEFAULT_DIR = Path(__file__).parent / "default_pages"
TITLES = {
    SitePageSlug.PRIVACY: N_("Privacy statement"),
    SitePageSlug.HOUSE_RULES: N_("House rules"),
    SitePageSlug.CONTACT: N_("Contact"),
}


def path_of(slug: SitePageSlug) -> str:
    return f"/{slug.value}"


@functools.cache
def default_text(slug: SitePageSlug, locale: str) -> str:
    """The text shipped with buurtnet, in `locale` (one of `SUPPORTED_LOCALES`, each has one)."""
    return (DEFAULT_DIR / f"{slug.value}.{locale}.md").read_text(encoding="utf-8")


@dataclass(frozen=True)
class PageText:
    source: str  # Markdown
    updated_at: datetime | None  # None: the default text


async def page_text(request: Request, slug: SitePageSlug) -> PageText:
    """What the page says now: the admin's text, or else the default in the reader's language."""
    async with services(request).database.reading() as session:
        written = await site_pages.written_page(session, slug)
    if written is None:
        return PageText(default_text(slug, request_locale(request)), None)
    return PageText(written.body, written.updated_at)


def _page(slug: SitePageSlug) -> Callable[[Request], Awaitable[Response]]:
    async def show_page(request: Request) -> Response:
        text = await page_text(request, slug)
        context = {
            "slug": slug.value,
            "title": TITLES[slug],
            "html": render_markdown(text.source),
            "updated_at": text.updated_at,
        }
        return render(request, "site_page.html", context)

    return show_page


routes = [Route(path_of(slug), _page(slug), methods=["GET"]) for slug in SitePageSlug]
