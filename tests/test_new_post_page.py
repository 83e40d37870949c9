"""The composer on a page of its own (`/posts/new`), the home page's line that leads there, and
the way back after posting: the page with the new post says so and puts the focus on it."""

import re
from datetime import timedelta

import httpx
from starlette.applications import Starlette

from buurtnet.db import Database
from buurtnet.models import Account, ModerationState, Post, utcnow
from tests.conftest import log_in, post_form, write_post

POSTED = re.compile(r"/\?posted=(\d+)#post-\1")


async def change(database: Database, post: Post, **columns: object) -> None:
    """Set columns of a stored post, as time or a moderator would."""
    async with database.transaction() as session:
        stored = await session.get(Post, post.id)
        assert stored is not None
        for name, value in columns.items():
            setattr(stored, name, value)


def article_of(page: str, post_id: int) -> str:
    """The opening tag of a post's article on a page."""
    found = re.search(rf'<article [^>]*id="post-{post_id}"[^>]*>', page)
    assert found, f"post {post_id} is not on the page"
    return found.group(0)


async def test_the_home_page_leads_to_the_composer_instead_of_holding_it(
    client: httpx.AsyncClient, resident: Account
) -> None:
    await log_in(client, "anna")
    home = (await client.get("/")).text
    assert '<a class="share-link" href="/posts/new">Wat wilt u delen?</a>' in home
    assert 'action="/posts"' not in home and "<textarea" not in home

    page = await client.get("/posts/new")
    assert page.status_code == 200
    assert "<h1>Nieuw bericht</h1>" in page.text and 'action="/posts"' in page.text
    assert '<textarea id="source" name="source" rows="5"' in page.text
    assert re.search(r"<textarea [^>]*autofocus", page.text), "typing starts at once"
    assert page.text.count('name="poll_option"') == 10 and 'id="image-1"' in page.text


async def test_a_visitor_is_asked_to_log_in_first(client: httpx.AsyncClient) -> None:
    response = await client.get("/posts/new")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fposts%2Fnew"


async def test_a_mistake_comes_back_on_the_composer_page_with_the_text_kept(
    client: httpx.AsyncClient, resident: Account
) -> None:
    await log_in(client, "anna")
    refused = await post_form(
        client, "/posts/new", "/posts", {"source": "x" * 5001, "kind": "offer"}
    )
    assert refused.status_code == 400
    page = refused.text
    assert "<h1>Nieuw bericht</h1>" in page and 'class="error-summary"' in page
    assert "x" * 5001 + "</textarea>" in page
    assert 'value="offer" checked' in page
    # The error summary takes the focus, not the text box.
    assert not re.search(r"<textarea [^>]*autofocus", page)


async def test_after_posting_the_home_page_says_so_and_focuses_the_new_post(
    client: httpx.AsyncClient, resident: Account
) -> None:
    await log_in(client, "anna")
    sent = await post_form(client, "/posts/new", "/posts", {"source": "Wie heeft er een ladder?"})
    assert sent.status_code == 303
    found = POSTED.fullmatch(sent.headers["location"])
    assert found, sent.headers["location"]
    post_id = int(found.group(1))

    home = (await client.get(sent.headers["location"])).text
    opening = article_of(home, post_id)
    assert 'tabindex="-1" autofocus aria-describedby="posted-notice"' in opening
    notice = '<p class="notice posted-notice" role="status" id="posted-notice" lang="nl">'
    assert re.search(
        re.escape(opening) + r"\s*" + re.escape(notice + "Uw bericht is geplaatst."), home
    )
    # A like or vote from this page comes back without the notice (and its focus).
    assert 'name="next" value="/"' in home and 'name="next" value="/?posted' not in home

    again = (await client.get("/")).text
    assert "posted-notice" not in again and "autofocus" not in again
    assert 'tabindex="-1">' in article_of(again, post_id)


async def test_the_address_cannot_claim_someone_elses_post(
    app: Starlette, client: httpx.AsyncClient, resident: Account, neighbour: Account
) -> None:
    theirs = await write_post(app.state.services.database, neighbour, "Van Bram")
    await log_in(client, "anna")
    for query in (f"posted={theirs.id}", "posted=abc", "posted=99999999999999999999"):
        page = await client.get(f"/?{query}")
        assert page.status_code == 200
        assert "posted-notice" not in page.text and "autofocus" not in page.text


async def test_a_held_post_is_saved_not_posted(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    post = await write_post(database, resident, "Wacht even")
    await change(database, post, moderation=ModerationState.HELD)
    await log_in(client, "anna")
    home = (await client.get(f"/?posted={post.id}")).text
    assert "Uw bericht is bewaard. Een moderator kijkt er eerst naar." in home


async def test_after_replying_the_conversation_focuses_the_reply(
    client: httpx.AsyncClient, database: Database, resident: Account, neighbour: Account
) -> None:
    question = await write_post(database, neighbour, "Wie komt er zaterdag?")
    await log_in(client, "anna")
    thread = f"/posts/{question.id}"
    sent = await post_form(
        client, thread, "/posts", {"source": "Ik kom!", "in_reply_to": str(question.id)}
    )
    found = re.fullmatch(rf"{thread}\?posted=(\d+)#post-\1", sent.headers["location"])
    assert found, sent.headers["location"]
    page = (await client.get(sent.headers["location"])).text
    assert "autofocus" in article_of(page, int(found.group(1)))
    assert "Uw reactie is geplaatst." in page
    assert "autofocus" not in article_of(page, question.id or 0)


async def test_less_used_actions_are_behind_more(
    client: httpx.AsyncClient, database: Database, resident: Account, neighbour: Account
) -> None:
    own = await write_post(database, resident, "Van Anna")
    theirs = await write_post(database, neighbour, "Van Bram")
    await log_in(client, "anna")
    for post, inside in (
        (own, (f'href="/posts/{own.id}/edit">Bewerken', f'href="/posts/{own.id}/delete"')),
        (theirs, (f'href="/report/{neighbour.id}?post={theirs.id}">Melden',)),
    ):
        page = (await client.get(f"/posts/{post.id}")).text
        actions = page.split('<footer class="post-actions">')[1].split("</footer>")[0]
        row, menu = actions.split('<details class="post-more">')
        assert "Reageren" in row and "Leuk" in row
        assert re.search(r"<summary>Meer<span class=\"visually-hidden\">: bericht van \w+", menu)
        for link in inside:
            assert link in menu and link not in row


async def test_a_visitor_sees_no_more_menu(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    post = await write_post(database, resident, "Openbaar", visibility="public")
    page = (await client.get(f"/posts/{post.id}")).text
    assert "post-more" not in page


async def test_posts_say_how_long_ago_with_the_full_date_for_screen_readers(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    post = await write_post(database, resident, "Drie uur oud")
    await change(database, post, created_at=utcnow() - timedelta(hours=3, minutes=5))
    await log_in(client, "anna")
    home = (await client.get("/")).text
    found = re.search(
        r'<time datetime="([^"]+)" title="([^"]+)">3 uur geleden'
        r'<span class="visually-hidden"> \(([^)]+)\)</span></time>',
        home,
    )
    assert found, "no relative time with the full date"
    iso, title, hidden = found.groups()
    assert iso.endswith("+00:00") and title == hidden
    assert re.fullmatch(r"\w+dag \d{1,2} \w+ \d{4}, \d\d:\d\d", title), title
    own_page = (await client.get(f"/posts/{post.id}")).text
    assert f'<time datetime="{iso}">{title}</time>' in own_page  # in full on its own page
