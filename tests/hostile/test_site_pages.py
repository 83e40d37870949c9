"""An admin's page written by someone hostile (a stolen admin login, a pasted text from
elsewhere): every XSS vector of tests/data/xss_vectors.txt and the tricks of Markdown itself
leave the privacy statement free of anything a browser could run or load from elsewhere."""

import re

import httpx
import pytest

from buurtnet.db import Database
from buurtnet.models import Role
from buurtnet.page_markdown import render_markdown
from tests.conftest import log_in, make_account, post_form
from tests.hostile.test_web_pages import VECTORS, active_content

MARKDOWN_TRICKS = [
    "[x](javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x]( javascript:alert(1) )",
    "[x](&#106;avascript:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x][1]\n\n[1]: javascript:alert(1)",
    "[x][1]\n\n[1]: data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    '![x](https://tracker.example/p.png "title")',
    "[![x](https://tracker.example/p.png)](https://example.org)",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "```html\n<script>alert(1)</script>\n```",
    "    <iframe src=https://example.org></iframe>",
    '[x](https://example.org "a\\" onmouseover=\\"alert(1)")',
    "<a href=javascript:alert(1)>x</a>",
]


@pytest.mark.parametrize("source", VECTORS + MARKDOWN_TRICKS)
def test_hostile_markdown_renders_inert(source: str) -> None:
    html = render_markdown(source)
    assert active_content(html) == []
    assert not re.search(r"<[^>]*\bsrc=", html)  # nothing loads, from here or elsewhere


async def test_a_hostile_privacy_statement_is_inert(
    client: httpx.AsyncClient, database: Database
) -> None:
    await make_account(database, "beheer", role=Role.ADMIN)
    await log_in(client, "beheer")
    body = "\n\n".join(VECTORS + MARKDOWN_TRICKS)
    editor = "/admin/pages/privacy"
    saved = await post_form(client, editor, editor, {"body": body, "action": "save"})
    assert saved.status_code == 303
    for path in ("/privacy", editor):
        page = await client.get(path)
        assert page.status_code == 200
        assert active_content(page.text) == [], path
    preview = await post_form(client, editor, editor, {"body": body, "action": "preview"})
    assert active_content(preview.text) == []
