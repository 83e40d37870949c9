"""Hostile names, bios and posts through the whole app: every page stays free of active content.

The vectors are the OWASP XSS filter-evasion list of tests/data/xss_vectors.txt. Each is used as a
display name, a bio and a post; the pages that show them must contain no element or attribute
that could run anything, whatever the vector.
"""

from html.parser import HTMLParser
from pathlib import Path

import httpx
from starlette.applications import Starlette

from buurtnet import paths
from buurtnet.core import accounts, posts
from buurtnet.db import Database
from buurtnet.models import Account, Visibility
from tests.conftest import browser_for, log_in

VECTORS = [
    line
    for line in (Path(__file__).parent.parent / "data" / "xss_vectors.txt").read_text().splitlines()
    if line.strip()
]
ACTIVE_TAGS = {
    *("script", "iframe", "object", "embed", "svg"),
    *("math", "style", "base", "meta", "link"),
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}
SAFE_URL_STARTS = ("/", "#", "http://", "https://")


class ActiveContentFinder(HTMLParser):
    """Collects what a browser could run: script-like tags, event handlers, odd URL schemes."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.in_head = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.in_head = False
        # The page's own <head> links its stylesheet and sets a viewport: those are ours.
        if tag in ACTIVE_TAGS and not (self.in_head and tag in {"meta", "link"}):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"{tag} {name}={value!r}")
            if name in URL_ATTRIBUTES and value and not value.startswith(SAFE_URL_STARTS):
                self.problems.append(f"{tag} {name}={value!r}")


def active_content(html: str) -> list[str]:
    finder = ActiveContentFinder()
    finder.feed(html)
    return finder.problems


async def test_hostile_names_bios_and_posts_stay_inert(
    app: Starlette, database: Database, resident: Account, neighbour: Account
) -> None:
    async with browser_for(app) as anna:
        await log_in(anna, "anna")
        for vector in VECTORS:
            async with database.transaction() as session:
                author = await session.get(Account, neighbour.id)
                assert author is not None
                await accounts.update_profile(
                    session, author, display_name=vector[:60], locale=None, bio=vector
                )
                await posts.create_post(
                    session, author, posts.Draft(source=vector, visibility=Visibility.PUBLIC)
                )
            for path in ("/", "/@bram", "/notifications", paths.search(vector)):
                page = await anna.get(path)
                assert page.status_code == 200, (path, vector)
                assert active_content(page.text) == [], (path, vector)


async def test_the_checker_finds_active_content() -> None:
    assert active_content('<p onclick="x()">a</p><a href="javascript:x()">b</a><script></script>')
    assert active_content("<body><svg></svg></body>")
    assert not active_content('<a href="/@anna">a</a><img src="/media/x.jpg" alt="">')


async def test_a_hostile_post_page_is_inert(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await log_in(client, "anna")
    async with database.transaction() as session:
        created = [
            await posts.create_post(session, resident, posts.Draft(source=vector))
            for vector in VECTORS[:40]
        ]
    for post in created:
        page = await client.get(f"/posts/{post.id}")
        assert page.status_code == 200
        assert active_content(page.text) == []
