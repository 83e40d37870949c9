"""The pages an admin writes for residents: the privacy statement, the house rules and how to
reach the housing corporation. Kept as Markdown (rendered by `page_markdown`); every change is
in the audit log, because residents accept the house rules at sign-up and the privacy statement
is a promise. An empty page shows the default text (web/default_pages)."""

from collections.abc import Iterable

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import permissions
from buurtnet.core.errors import InvalidInput, NotAllowed
from buurtnet.core.permissions import Roles
from buurtnet.models import Account, ActionKind, SitePage, SitePageSlug, utcnow
from buurtnet.moderation import audit

MAX_BODY = 50_000  # characters: a long privacy statement is some 15,000
TOO_LONG = "site_page_too_long"


async def written_page(session: AsyncSession, slug: SitePageSlug) -> SitePage | None:
    """The admin's text, or None while they have written none (or emptied it)."""
    page = await session.get(SitePage, slug.value)
    return page if page is not None and page.body else None


def normalised(body: str) -> str:
    """The text as kept: one kind of line ending (browsers send CRLF), no blank end."""
    return body.replace("\r\n", "\n").replace("\r", "\n").strip()


async def save_page(
    session: AsyncSession,
    admin: Account,
    roles: Roles,
    slug: SitePageSlug,
    body: str,
    *,
    defaults: Iterable[str] = (),
) -> None:
    """Keep the admin's new text (empty: back to the default); in the audit log when it changed.

    The editor starts from one language's default text (`defaults`: each language's): saved as
    it is, it would stand for all, and readers of the other languages would lose theirs. It is
    kept as empty instead."""
    if not permissions.is_admin(roles):
        raise NotAllowed
    body = normalised(body)
    if body in {normalised(default) for default in defaults}:
        body = ""
    if len(body) > MAX_BODY:
        raise InvalidInput.single("body", TOO_LONG)
    page = await session.get(SitePage, slug.value)
    if (page.body if page is not None else "") == body:
        return
    if page is None:
        page = SitePage(slug=slug.value)
        session.add(page)
    page.body = body
    page.updated_at = utcnow()
    page.updated_by_id = admin.id
    reason = f"site_page={slug.value}, {len(body)} characters"
    await audit.record(session, ActionKind.CHANGE_SETTING, admin, reason=reason)
