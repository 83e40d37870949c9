"""The search page's posts: found by their words as the feed shows them, a page at a time, with
the filters for questions for help and offers; whatever is typed gives a page, never an error."""

import re
from html import unescape

import httpx

from buurtnet.core import help_requests
from buurtnet.core.feeds import PAGE_SIZE
from buurtnet.db import Database
from buurtnet.models import Account, PostKind
from tests.conftest import log_in, make_account, write_post
from tests.test_post_search import HOSTILE_QUERIES

POST_CARD = re.compile(r'<article[^>]* id="post-(\d+)"')
OLDER = re.compile(r'<a class="button" href="([^"]+)" rel="next">')


def shown(page: httpx.Response) -> list[int]:
    assert page.status_code == 200, page.text[:500]
    return [int(found) for found in POST_CARD.findall(page.text)]


async def test_searching_fiets_finds_the_bicycle_offer(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    writer = await make_account(database, "fietser")  # found by name too
    offer = await write_post(
        database, writer, "Ik heb een fiets over", kind=PostKind.OFFER, visibility="public"
    )
    await write_post(database, writer, "Wie heeft een ladder?", visibility="public")
    await log_in(client, "anna")
    page = await client.get("/search", params={"q": "fiets"})
    assert shown(page) == [offer.id]
    assert "Biedt hulp aan" in page.text  # the card of the feed, with its kind
    assert 'href="/@fietser"' in page.text  # the neighbours found stay on the page
    assert 'id="posts-heading">Berichten<' in page.text
    assert 'value="all" checked' in page.text


async def test_filters_for_open_questions_for_help_and_offers(
    client: httpx.AsyncClient, database: Database, resident: Account, neighbour: Account
) -> None:
    writer = neighbour  # in Anna's neighbourhood: its posts are for her to see
    question = await write_post(
        database, writer, "Wie helpt met de heg?", kind=PostKind.HELP_REQUEST, visibility="public"
    )
    helped = await write_post(
        database, writer, "Wie helpt met de heg snoeien?", kind=PostKind.HELP_REQUEST
    )
    offer = await write_post(database, writer, "Ik snoei uw heg", kind=PostKind.OFFER)
    message = await write_post(database, writer, "De heg bloeit", visibility="public")
    async with database.transaction() as session:
        await help_requests.mark_helped(session, writer, helped.id or 0)
    await log_in(client, "anna")
    everything = await client.get("/search", params={"q": "heg"})
    assert shown(everything) == [message.id, offer.id, helped.id, question.id]
    help_page = await client.get("/search", params={"q": "heg", "show": "help"})
    assert shown(help_page) == [question.id]
    assert 'id="posts-heading">Open hulpvragen<' in help_page.text
    assert 'value="help" checked' in help_page.text
    assert 'id="people-heading"' not in help_page.text  # the filter is about messages
    assert shown(await client.get("/search", params={"q": "heg", "show": "offers"})) == [offer.id]
    mistyped = await client.get("/search", params={"q": "heg", "show": "<script>"})
    assert shown(mistyped) == shown(everything)


async def test_older_results_keep_the_query_and_the_filter(
    client: httpx.AsyncClient, database: Database, resident: Account, neighbour: Account
) -> None:
    writer = neighbour  # in Anna's neighbourhood: its posts are for her to see
    written = [
        await write_post(database, writer, f"Soep & brood {n}", kind=PostKind.OFFER)
        for n in range(PAGE_SIZE + 3)
    ]
    newest_first = [post.id for post in reversed(written)]
    await log_in(client, "anna")
    first = await client.get("/search", params={"q": "soep & brood", "show": "offers"})
    assert shown(first) == newest_first[:PAGE_SIZE]
    older = OLDER.search(first.text)
    assert older is not None
    link = unescape(older.group(1))
    assert link == f"/search?q=soep+%26+brood&show=offers&before={newest_first[PAGE_SIZE - 1]}"
    second = await client.get(link)
    assert shown(second) == newest_first[PAGE_SIZE:]
    assert OLDER.search(second.text) is None
    assert 'id="people-heading"' not in second.text


async def test_whatever_is_typed_gives_an_answer(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    writer = await make_account(database, "schrijver")
    offer = await write_post(database, writer, "Ik heb een fiets over", visibility="public")
    await log_in(client, "anna")
    for query in HOSTILE_QUERIES:
        page = await client.get("/search", params={"q": query})
        assert page.status_code == 200, query
        if not query.strip():
            assert 'id="posts-heading"' not in page.text  # only the form
        elif query.replace("\x00", "").strip("\"'*:()-^\\%_{}+ ") == "":
            assert "typ ten minste één woord" in page.text, query
    long = await client.get("/search", params={"q": "fiets " * 2_000})
    assert shown(long) == [offer.id]
    assert "alleen het begin" in long.text
    nothing = await client.get("/search", params={"q": '"*:()-^'})
    assert "typ ten minste één woord" in nothing.text
    assert shown(await client.get("/search", params={"q": "zebra"})) == []
    for cursor in ("abc", "-1", "9" * 30, "²"):
        page = await client.get("/search", params={"q": "fiets", "before": cursor})
        assert shown(page) == [offer.id], cursor  # not an id: the first page
