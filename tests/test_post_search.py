"""Searching posts by their words: the query built from what is typed (pure), and the search on
a real database, SQLite's FTS5 or PostgreSQL's text search (run this file with both)."""

import pytest
from sqlalchemy import text

from buurtnet.core import help_requests, post_search, posts
from buurtnet.core.feeds import PAGE_SIZE
from buurtnet.core.post_search import Show
from buurtnet.core.remote_posts import IncomingPost, store_remote_post
from buurtnet.core.search_terms import (
    MAX_WORD_LENGTH,
    MAX_WORDS,
    Terms,
    fts5_match,
    terms_of,
    tsquery_words,
)
from buurtnet.db import Database
from buurtnet.models import Account, Post, PostKind, Visibility
from tests.conftest import make_account, write_post
from tests.kit.databases import on_postgresql

# What people type that the engines would read as their own syntax, and more that is odd.
HOSTILE_QUERIES = [
    '"',
    '"fiets',
    'fiets"',
    '"""',
    "fiets*",
    "*",
    "fiets NEAR over",
    "NEAR(fiets over)",
    "NEAR(",
    "source:fiets",
    "summary : fiets",
    ":",
    "(fiets",
    "fiets)",
    "()",
    "-fiets",
    "fiets -over",
    "^fiets",
    "fiets AND over",
    "fiets OR over",
    "NOT fiets",
    "fiets & over | !kat",
    "fiets <-> over",
    "'fiets':*",
    "fiets:*A",
    "\\",
    "'",
    "%_",
    "{fiets}",
    "fiets + over",
    "x" * 10_000,
    "fiets " * 2_000,
    "\x00fiets",
    "🚲 fiets",
    "ﬁets",  # a ligature that NFC keeps
    "  ",
    "",
]


# ------------------------------------------------------------------ the query, without a database


def test_words_of_what_is_typed() -> None:
    assert terms_of("Fiets over") == Terms(("fiets", "over"), prefix=True)
    assert terms_of("  ik  heb ") == Terms(("ik", "heb"), prefix=True)
    assert terms_of("een kat") == Terms(("een", "kat"), prefix=True)
    assert terms_of("kat of ik") == Terms(("kat", "of", "ik"), prefix=False)  # "ik" is too short
    assert terms_of("fiets fiets FIETS") == Terms(("fiets",), prefix=True)
    assert terms_of("p_reply auto's e-mail") == Terms(
        ("p", "reply", "auto", "s", "e", "mail"), True
    )
    assert terms_of("Cafe\u0301") == Terms(("café",), prefix=True)  # composed, as stored


def test_syntax_is_never_passed_on() -> None:
    assert terms_of('"fiets" OR NEAR(over*, 2) -kat ^zon') == Terms(
        ("fiets", "or", "near", "over", "2", "kat", "zon"), prefix=True
    )
    for query in HOSTILE_QUERIES:
        terms = terms_of(query)
        for word in terms.words:
            assert word.isalnum(), (query, word)
        assert '"' not in fts5_match(terms).replace('"', "", 2 * len(terms.words))
        assert all(word.count("'") == 2 for word in tsquery_words(terms))


def test_nothing_to_search_without_letters_or_digits() -> None:
    for query in ("", "   ", '"*:()-^', "🚲", "___"):
        assert terms_of(query).words == ()
        assert fts5_match(terms_of(query)) == ""


def test_long_queries_are_shortened_and_say_so() -> None:
    many = terms_of(" ".join(f"woord{number}" for number in range(20)))
    assert len(many.words) == MAX_WORDS and many.shortened
    long = terms_of("x" * 10_000)
    assert long.words == ("x" * MAX_WORD_LENGTH,) and long.shortened
    cut = terms_of("a" * 99 + " fiets")  # the second word lies beyond what is read
    assert cut.words == ("a" * MAX_WORD_LENGTH,) and cut.shortened
    assert not terms_of("fiets over").shortened


def test_fts5_match_quotes_every_word() -> None:
    assert fts5_match(terms_of("Fiets NEAR over")) == '"fiets" "near" "over"*'
    assert fts5_match(terms_of("de ik")) == '"de" "ik"'


def test_tsquery_words_quote_every_word() -> None:
    assert tsquery_words(terms_of("fietsen over")) == ["'fietsen'", "'over':*"]
    assert tsquery_words(terms_of("ik")) == ["'ik'"]


# ------------------------------------------------------------------ on the database


async def find(
    database: Database,
    searcher: Account,
    query: str,
    show: Show = Show.ALL,
    before: int | None = None,
) -> list[str]:
    async with database.reading() as session:
        page = await post_search.search_posts(session, searcher, terms_of(query), show, before)
    return [view.post.source for view in page.items]


@pytest.fixture
async def searcher(database: Database) -> Account:
    return await make_account(database, "zoeker")


async def test_a_word_finds_the_bicycle_offer(database: Database, searcher: Account) -> None:
    writer = await make_account(database, "schrijver")
    offer = "Ik heb een fiets over"
    await write_post(database, writer, offer, kind=PostKind.OFFER, visibility="public")
    await write_post(database, writer, "Wie leent mij een ladder?", visibility="public")
    assert await find(database, searcher, "fiets") == [offer]
    assert await find(database, searcher, "FIETS over") == [offer]
    assert await find(database, searcher, "fie") == [offer]  # the beginning of the last word
    assert await find(database, searcher, "fiets ladder") == []  # every word must occur
    assert await find(database, searcher, "auto") == []
    # PostgreSQL finds the plural by its stem; SQLite has no Dutch stemmer and finds words as
    # they are written, the last one also by its beginning.
    stemmed = await find(database, searcher, "fietsen")
    assert stemmed == ([offer] if on_postgresql() else [])


async def test_stems_and_accents(database: Database, searcher: Account) -> None:
    writer = await make_account(database, "schrijver")
    await write_post(database, writer, "Twee fietsen en een café", visibility="public")
    for query in ("fietsen", "fiets", "cafe", "café", "CAFÉ"):
        assert await find(database, searcher, query) != [], query
    assert await find(database, searcher, "fietsen café") != []


async def test_replies_summaries_and_posts_from_elsewhere(
    database: Database, searcher: Account
) -> None:
    writer = await make_account(database, "schrijver")
    first = await write_post(database, writer, "Opruimdag in het park", visibility="public")
    await write_post(
        database,
        searcher,
        "Ik neem een bezem mee",
        visibility="public",
        in_reply_to_id=first.id,
    )
    await write_post(database, writer, "Zie de foto", summary="Spinnen!", visibility="public")
    await from_elsewhere(database, "Verloren: een bruine knuffel bij de bakker")
    assert await find(database, searcher, "bezem") == ["Ik neem een bezem mee"]
    assert await find(database, searcher, "spinnen") == ["Zie de foto"]
    assert await find(database, searcher, "knuffel bakker") == [
        "Verloren: een bruine knuffel bij de bakker"
    ]


async def from_elsewhere(database: Database, text_of_post: str) -> Post:
    """A public post of someone on another server, as the inbox stores it."""
    async with database.transaction() as session:
        author = Account(username="ver", username_key="ver@ver.example", domain="ver.example")
        session.add(author)
        await session.flush()
        incoming = IncomingPost(
            uri="https://ver.example/notes/1",
            url=None,
            content_html=f"<p>{text_of_post}</p>",
            text=text_of_post,
            summary="",
            visibility=Visibility.PUBLIC,
            language="nl",
            published=None,
            parent_id=None,
            mentioned_ids=[],
            hashtags=[],
        )
        stored = await store_remote_post(session, author, incoming)
        post = await session.get(Post, stored.post_id)
        assert post is not None
        return post


async def test_open_questions_for_help_and_offers(database: Database, searcher: Account) -> None:
    writer = await make_account(database, "schrijver")
    texts = {
        "question": ("Wie helpt met de boodschappen?", PostKind.HELP_REQUEST),
        "helped": ("Wie helpt met de boodschappen van gisteren?", PostKind.HELP_REQUEST),
        "offer": ("Ik doe graag boodschappen voor u", PostKind.OFFER),
        "message": ("De boodschappen zijn duur", PostKind.MESSAGE),
    }
    written = {
        label: await write_post(database, writer, source, kind=kind, visibility="public")
        for label, (source, kind) in texts.items()
    }
    async with database.transaction() as session:
        await help_requests.mark_helped(session, writer, written["helped"].id or 0)
    everything = await find(database, searcher, "boodschappen")
    assert everything == [texts[label][0] for label in ("message", "offer", "helped", "question")]
    assert await find(database, searcher, "boodschappen", Show.HELP) == [texts["question"][0]]
    assert await find(database, searcher, "boodschappen", Show.OFFERS) == [texts["offer"][0]]


async def test_pages_newest_first_without_offset(database: Database, searcher: Account) -> None:
    writer = await make_account(database, "schrijver")
    for number in range(2 * PAGE_SIZE + 5):
        await write_post(database, writer, f"Soep nummer {number}", visibility="public")
    soup = terms_of("soep")
    seen: list[str] = []
    before = None
    pages = 0
    while True:
        async with database.reading() as session:
            page = await post_search.search_posts(session, searcher, soup, before=before)
        seen += [view.post.source for view in page.items]
        pages += 1
        if page.next_before is None:
            break
        assert page.next_before == page.items[-1].post.id
        before = page.next_before
    assert pages == 3
    assert seen == [f"Soep nummer {number}" for number in reversed(range(2 * PAGE_SIZE + 5))]


@pytest.mark.parametrize(("first_window", "walk_at_most"), [(1, 2), (4, 30), (50_000, 250_000)])
async def test_pages_whatever_part_is_walked_and_what_the_index_finds(
    database: Database,
    searcher: Account,
    monkeypatch: pytest.MonkeyPatch,
    first_window: int,
    walk_at_most: int,
) -> None:
    """On PostgreSQL a page is walked newest first, in windows, and the rest found by the index
    (on SQLite these sizes play no part): pages come out the same however they are cut."""
    walk = post_search.Walk(first=first_window, at_most=walk_at_most)
    monkeypatch.setitem(post_search.WALKS, Show.OFFERS, walk)
    writer = await make_account(database, "schrijver")
    expected = []
    for number in range(2 * PAGE_SIZE + 5):
        kind = PostKind.OFFER if number % 3 == 0 else PostKind.MESSAGE
        text_of_post = f"Taart nummer {number}"
        post = await write_post(database, writer, text_of_post, kind=kind, visibility="public")
        await write_post(database, writer, f"Soep {number}", kind=kind, visibility="public")
        await write_post(database, writer, f"Geheime taart nummer {number}", visibility="direct")
        await write_post(database, writer, f"Taart {number}", kind=kind, visibility="public")
        if kind == PostKind.OFFER:
            expected.append(post.source)
    offer = PostKind.OFFER
    last = await write_post(database, writer, "Taart nummers!", kind=offer, visibility="public")
    expected.append(last.source)  # the newest post found by the walk, the rest by the index
    terms = terms_of("taart numm")  # a whole word and the beginning of one
    shown: list[str] = []
    before = None
    while True:
        async with database.reading() as session:
            page = await post_search.search_posts(session, searcher, terms, Show.OFFERS, before)
        shown += [view.post.source for view in page.items]
        if page.next_before is None:
            break
        before = page.next_before
    assert shown == list(reversed(expected))


async def test_after_the_first_window_the_index_finds_exactly_the_posts_with_every_word(
    database: Database, searcher: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a first window of one post, the index finds the rest (on PostgreSQL; on SQLite FTS5
    does it all): a common word with a rare beginning, and a stop word there with a rare word,
    find exactly the posts that hold both. Which words the index is asked for is
    `test_the_index_is_asked_for_the_rarest_word`."""
    quick = post_search.Walk(first=1, at_most=1)
    monkeypatch.setitem(post_search.WALKS, Show.ALL, quick)
    writer = await make_account(database, "schrijver")
    for number in range(6):
        await write_post(database, writer, f"Samen koken {number}", visibility="public")
    zebra = await write_post(database, writer, "Samen naar het zebrapad", visibility="public")
    cake = await write_post(database, writer, "Een taart voor de buren", visibility="public")
    for number in range(4):
        await write_post(database, writer, f"Samen {number} een kop koffie", visibility="public")
    assert await find(database, searcher, "samen zebra") == [zebra.source]
    assert await find(database, searcher, "een taart") == [cake.source]


def test_the_index_is_asked_for_the_rarest_word() -> None:
    """With every other whole word; a beginning only when it is the rarest; never a stop word."""
    three = terms_of("samen moestuin fiets")  # the last word also as a beginning
    assert post_search.index_words(three, [400, 16, 400]) == (0, 1)
    assert post_search.index_words(terms_of("samen zebra"), [400, 0]) == (0, 1)
    assert post_search.index_words(terms_of("moestuin fiets"), [16, 16]) == (0,)  # as rare
    assert post_search.index_words(terms_of("fiets moestuin"), [400, 16]) == (0, 1)
    assert post_search.index_words(terms_of("de moestuin"), [None, 16]) == (1,)
    assert post_search.index_words(terms_of("de het"), [None, None]) == (0, 1)


def test_walk_while_the_matches_promise_a_page() -> None:
    walk = post_search.Walk(first=10_000, at_most=80_000)
    assert post_search.next_window(PAGE_SIZE + 1, 10_000, walk) == 0  # the page is there
    assert post_search.next_window(0, 10_000, walk) == 0  # rare: the index finds them
    assert post_search.next_window(10, 10_000, walk) == 16_500  # 11 more at 1 in 1,000, +50%
    assert (
        post_search.next_window(18, 10_000, walk) == 10_000
    )  # 2,500 would do: no less than 10,000
    assert post_search.next_window(1, 10_000, walk) == 0  # 20 more would take 200,000 posts
    farther = post_search.Walk(first=10_000, at_most=400_000)
    assert post_search.next_window(1, 10_000, farther) == 300_000


async def test_edited_and_deleted_posts(database: Database, searcher: Account) -> None:
    writer = await make_account(database, "schrijver")
    post = await write_post(database, writer, "Gevonden: een sleutelbos", visibility="public")
    async with database.transaction() as session:
        draft = posts.Draft(source="Gevonden: een fietsbel", visibility=Visibility.PUBLIC)
        await posts.edit_post(session, writer, post.id or 0, draft)
    assert await find(database, searcher, "sleutelbos") == []
    assert await find(database, searcher, "fietsbel") == ["Gevonden: een fietsbel"]
    async with database.transaction() as session:
        await posts.delete_post(session, writer, post.id or 0)
    assert await find(database, searcher, "fietsbel") == []
    if database.is_sqlite:  # the index agrees with the posts: nothing left behind
        async with database.transaction() as session:
            connection = await session.connection()
            await connection.execute(
                text("INSERT INTO post_search (post_search) VALUES ('integrity-check')")
            )


async def test_queries_that_look_like_syntax(database: Database, searcher: Account) -> None:
    """Nothing typed is an error, on either database; each finds what its words find."""
    writer = await make_account(database, "schrijver")
    offer = "Ik heb een fiets over"
    await write_post(database, writer, offer, kind=PostKind.OFFER, visibility="public")
    for query in HOSTILE_QUERIES:
        found = await find(database, searcher, query)
        words = terms_of(query).words
        expected = [offer] if words and set(words) <= {"fiets", "over"} else []
        assert found == expected, query
    # Only words that PostgreSQL leaves out (as too common to search): nothing, not an error.
    assert await find(database, searcher, "een") == ([] if on_postgresql() else [offer])


async def test_the_searcher_sees_only_what_they_may(database: Database, searcher: Account) -> None:
    """The whole table of who sees what is in tests/test_visibility_policy.py; here one case."""
    writer = await make_account(database, "schrijver")
    await write_post(database, writer, "Geheim: de taart staat klaar", visibility="direct")
    await write_post(database, writer, "Voor iedereen: de taart staat klaar", visibility="public")
    assert await find(database, searcher, "taart") == ["Voor iedereen: de taart staat klaar"]
    assert len(await find(database, writer, "taart")) == 2


async def test_the_search_table_exists_in_the_tests(database: Database) -> None:
    """Tests build their schema with the migrations, so the search's own objects are there."""
    if database.is_sqlite:
        query = "SELECT count(*) FROM sqlite_master WHERE name = 'post_search'"
    else:
        query = "SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_post_search'"
    async with database.engine.connect() as connection:
        assert (await connection.execute(text(query))).scalar_one() == 1
