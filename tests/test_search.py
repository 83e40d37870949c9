"""Searching people and hashtags: core/search.py on a real database, and the /search page."""

import re

import httpx

from buurtnet.core import relations, search
from buurtnet.db import Database
from buurtnet.models import Account, AccountStatus, Neighbourhood
from tests.conftest import log_in, make_account, write_post


async def person(database: Database, username: str, display_name: str = "") -> Account:
    account = await make_account(database, username)
    async with database.transaction() as session:
        stored = await session.get(Account, account.id)
        assert stored is not None
        stored.display_name = display_name
    return stored


async def find(database: Database, query: str, searcher: Account | None = None) -> list[str]:
    async with database.reading() as session:
        return [
            account.username for account in await search.search_people(session, query, searcher)
        ]


async def find_tags(database: Database, query: str) -> list[str]:
    async with database.reading() as session:
        return await search.search_hashtags(session, query)


async def test_finds_by_username_or_display_name_ignoring_case(database: Database) -> None:
    await person(database, "Jansen_K", "Karin Jansen")
    await person(database, "pietb", "Piet Bakker")
    assert await find(database, "jans") == ["Jansen_K"]
    assert await find(database, "BAKKER") == ["pietb"]
    assert await find(database, "@pietb") == ["pietb"]
    assert await find(database, "  ") == []


async def test_exact_and_prefix_matches_come_first(database: Database) -> None:
    await person(database, "aaa_ria")  # contains "ria"
    await person(database, "rianne")  # begins with "ria"
    await person(database, "zz", "Ria")  # exactly "ria"
    assert await find(database, "ria") == ["zz", "rianne", "aaa_ria"]


async def test_like_wildcards_stand_for_themselves(database: Database) -> None:
    await person(database, "ab_cd")
    await person(database, "abxcd")
    await person(database, "procent", "100% buur")
    await person(database, "honderd", "1000 buren")
    await person(database, "schuin", "links\\rechts")
    await person(database, "recht", "linksrechts")
    assert await find(database, "b_c") == ["ab_cd"]
    assert await find(database, "0%") == ["procent"]
    assert await find(database, "%") == ["procent"]
    assert await find(database, "s\\r") == ["schuin"]
    assert await find(database, "\\") == ["schuin"]


async def test_only_active_people_and_not_those_who_block_the_searcher(
    database: Database, neighbourhood: Neighbourhood
) -> None:
    searcher = await person(database, "zoeker")
    await person(database, "buur_actief")
    blocker = await person(database, "buur_blokt")
    blocked = await person(database, "buur_geblokt")
    for name, status in (
        ("buur_weg", AccountStatus.DELETED),
        ("buur_nieuw", AccountStatus.PENDING),
    ):
        account = await person(database, name)
        async with database.transaction() as session:
            stored = await session.get(Account, account.id)
            assert stored is not None
            stored.status = status
    assert searcher.id is not None and blocked.id is not None
    async with database.transaction() as session:
        await relations.block(session, blocker, searcher.id)
        await relations.block(session, searcher, blocked.id)
    # Someone the searcher blocks can still be found (to unblock them); the blocker cannot.
    assert await find(database, "buur", searcher) == ["buur_actief", "buur_geblokt"]
    assert await find(database, "buur") == ["buur_actief", "buur_blokt", "buur_geblokt"]


async def test_at_most_twenty_people(database: Database) -> None:
    for number in range(search.RESULT_LIMIT + 3):
        await make_account(database, f"buur{number:02d}")
    assert len(await find(database, "buur")) == search.RESULT_LIMIT


async def test_hashtags_by_their_beginning_with_or_without_hash(database: Database) -> None:
    writer = await make_account(database, "schrijver")
    await write_post(database, writer, "#opruimen #opruimdag #buurtfeest #x_y", visibility="public")
    assert await find_tags(database, "#opruim") == ["opruimen", "opruimdag"]  # shortest first
    assert await find_tags(database, "OPRUIMD") == ["opruimdag"]
    assert await find_tags(database, "feest") == []  # the beginning only
    assert await find_tags(database, "buurt") == ["buurtfeest"]
    assert await find_tags(database, "x_") == ["x_y"]
    assert await find_tags(database, "_") == []
    assert await find_tags(database, "#") == []


async def test_search_page(
    client: httpx.AsyncClient, database: Database, resident: Account
) -> None:
    await person(database, "karin", "Karin <b>Jansen</b>")
    await write_post(database, resident, "Wie gaat er mee naar #karnaval?", visibility="public")
    visitor = await client.get("/search", params={"q": "kar"})
    assert visitor.status_code == 303 and visitor.headers["location"].startswith("/login")
    await log_in(client, "anna")
    empty = await client.get("/search")
    assert empty.status_code == 200
    assert '<label for="q">' in empty.text and "Buren" not in empty.text
    page = await client.get("/search", params={"q": "kar"})
    assert page.status_code == 200
    assert 'href="/@karin"' in page.text
    assert "Karin &lt;b&gt;Jansen&lt;/b&gt;" in page.text
    assert 'href="/tags/karnaval"' in page.text
    assert 'value="kar"' in page.text


async def test_a_long_query_is_cut_not_refused(
    client: httpx.AsyncClient, resident: Account
) -> None:
    await log_in(client, "anna")
    page = await client.get("/search", params={"q": "x" * 5000})
    assert page.status_code == 200
    field = re.search(r'<input id="q"[^>]* value="(x*)"', page.text)
    assert field is not None and len(field.group(1)) == search.MAX_QUERY_LENGTH
