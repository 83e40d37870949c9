"""The admin's page of blocked servers: only admins, the form, removing with a confirmation, and
Mastodon's CSV block lists out and back in."""

import re

import httpx
import pytest
from sqlalchemy import delete
from sqlmodel import col, select

from buurtnet.db import Database
from buurtnet.models import (
    ActionKind,
    BlockSeverity,
    DomainBlock,
    Duty,
    ModerationAction,
    Neighbourhood,
    Role,
)
from buurtnet.moderation import block_lists, domain_blocks
from buurtnet.moderation.domain_blocks import BlockTerms
from tests.conftest import csrf_token, log_in, make_account, post_form

PAGE = "/admin/domains"
HEADER = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate"
ROUTES = [
    ("GET", PAGE),
    ("POST", PAGE),
    ("GET", PAGE + "/export.csv"),
    ("POST", PAGE + "/import"),
    ("GET", PAGE + "/spam.example/remove"),
    ("POST", PAGE + "/spam.example/remove"),
]


@pytest.fixture
async def admin(client: httpx.AsyncClient, database: Database) -> None:
    await make_account(database, "beheer", role=Role.ADMIN)
    await log_in(client, "beheer")


async def blocks(database: Database) -> list[DomainBlock]:
    async with database.reading() as session:
        return await domain_blocks.all_blocks(session)


async def upload(client: httpx.AsyncClient, content: bytes) -> httpx.Response:
    token = await csrf_token(client, PAGE)
    files = {"file": ("blokkades.csv", content, "text/csv")}
    return await client.post(PAGE + "/import", data={"csrf_token": token}, files=files)


@pytest.mark.parametrize("who", ["bewoner", "mila"])
async def test_only_admins_may_use_the_page(
    client: httpx.AsyncClient, database: Database, neighbourhood: Neighbourhood, who: str
) -> None:
    duty = Duty.MODERATOR if who == "mila" else None  # a resident, a moderator
    await make_account(database, who, neighbourhood=neighbourhood, duty=duty)
    async with database.transaction() as session:
        await domain_blocks.suspend(session, "spam.example")
    await log_in(client, who)
    token = await csrf_token(client, "/settings")
    for method, path in ROUTES:
        data = {"csrf_token": token, "domain": "evil.example"} if method == "POST" else None
        answer = await client.request(method, path, data=data)
        assert answer.status_code == 403, (method, path)
    assert [block.domain for block in await blocks(database)] == ["spam.example"]
    assert 'href="/admin/domains"' not in (await client.get("/")).text


async def test_a_visitor_is_sent_to_log_in(client: httpx.AsyncClient) -> None:
    answer = await client.get(PAGE)
    assert answer.status_code in (302, 303) and "/login" in answer.headers["location"]


async def test_an_admin_blocks_changes_and_lifts_a_block(
    client: httpx.AsyncClient, database: Database, admin: None
) -> None:
    assert 'href="/admin/domains"' in (await client.get("/admin")).text
    page = await client.get(PAGE)
    assert page.status_code == 200
    assert "Geblokkeerde servers" in page.text and "Er is geen server geblokkeerd." in page.text
    form = {
        "domain": "https://Loud.Example/@iemand",
        "severity": "silence",
        "reject_media": "yes",
        "private_comment": "Veel klachten",
        "public_comment": "Reclame",
    }
    saved = await post_form(client, PAGE, PAGE, form)
    assert saved.status_code == 303
    [block] = await blocks(database)
    assert (block.domain, block.severity, block.reject_media, block.reject_reports) == (
        "loud.example",
        BlockSeverity.SILENCE,
        True,
        False,
    )
    listed = (await client.get(PAGE)).text
    assert "loud.example" in listed and "Veel klachten" in listed and "Reclame" in listed

    editing = (await client.get(PAGE, params={"edit": "loud.example"})).text
    assert 'value="loud.example"' in editing
    assert re.search(r'value="silence"[^>]* checked>', editing)
    assert not re.search(r'value="suspend"[^>]* checked>', editing)
    changed = form | {"domain": "loud.example", "severity": "suspend"}
    assert (await post_form(client, PAGE, PAGE, changed)).status_code == 303
    assert [(block.domain, block.severity) for block in await blocks(database)] == [
        ("loud.example", BlockSeverity.SUSPEND)
    ]

    asked = await client.get(PAGE + "/loud.example/remove")
    assert asked.status_code == 200 and "De blokkade van loud.example opheffen?" in asked.text
    assert await blocks(database) != []  # asking removes nothing
    lifted = await post_form(client, asked.url.path, asked.url.path, {"reason": "Opgelost"})
    assert lifted.status_code == 303
    assert await blocks(database) == []
    async with database.reading() as session:
        kinds = (await session.exec(select(ModerationAction.kind, ModerationAction.reason))).all()
    assert kinds == [
        (ActionKind.BLOCK_DOMAIN, "Veel klachten"),
        (ActionKind.BLOCK_DOMAIN, "Veel klachten"),
        (ActionKind.UNBLOCK_DOMAIN, "Opgelost"),
    ]
    assert (await client.get(PAGE + "/loud.example/remove")).status_code == 404


async def test_a_bad_form_says_what_is_wrong_in_dutch(
    client: httpx.AsyncClient, database: Database, admin: None
) -> None:
    form = {"domain": "geen server", "severity": "ban", "public_comment": "x" * 1001}
    answer = await post_form(client, PAGE, PAGE, form)
    assert answer.status_code == 400
    assert "Dit is geen naam van een server" in answer.text
    assert "Kies wat er met deze server gebeurt." in answer.text
    assert "Maak de toelichting korter" in answer.text
    assert await blocks(database) == []


async def test_export_then_import_round_trips_exactly(
    client: httpx.AsyncClient, database: Database, admin: None
) -> None:
    wanted = [
        BlockTerms("bad.example", public_comment='Haat, "spam" en\nbedreigingen'),
        BlockTerms("loud.example", severity=BlockSeverity.SILENCE, reject_reports=True),
        BlockTerms("pics.example", severity=BlockSeverity.NOOP, reject_media=True, obfuscate=True),
        BlockTerms("xn--bcher-kva.example:8443", public_comment="Bücher, één keer"),
    ]
    async with database.transaction() as session:
        await domain_blocks.set_blocks(session, None, wanted)
    exported = await client.get(PAGE + "/export.csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    lines = exported.text.split("\n")
    assert lines[0] == HEADER
    assert lines[1] == 'bad.example,suspend,false,false,"Haat, ""spam"" en'
    assert "loud.example,silence,false,true,,false" in lines
    assert "pics.example,noop,true,false,,true" in lines

    async with database.transaction() as session:
        await session.exec(delete(DomainBlock))
    imported = await upload(client, exported.content)
    assert imported.status_code == 200, imported.text
    assert "Geïmporteerde regels: 4." in imported.text
    again = await client.get(PAGE + "/export.csv")
    assert again.text == exported.text


async def test_junk_lines_are_reported_by_number_and_the_good_lines_imported(
    client: httpx.AsyncClient, database: Database, admin: None
) -> None:
    async with database.transaction() as session:
        await domain_blocks.set_block(
            session, None, BlockTerms("kept.example", private_comment="Eigen notitie")
        )
    listed = "\n".join(
        [
            HEADER,
            "good.example,silence,TRUE,false,Reclame,false",  # 2
            "geen server,suspend,false,false,,false",  # 3
            "kept.example,noop,true,false,Nu alleen media,false",  # 4
            "",  # 5: empty, left out
            "bad-severity.example,ban,false,false,,false",  # 6
            "bad-flag.example,suspend,misschien,false,,false",  # 7
            '"broken.example"x,suspend,false,false,,false',  # 8
            "plain.example",  # 9: the rest left out, as Mastodon reads it
        ]
    )
    answer = await upload(client, listed.encode())
    assert answer.status_code == 200, answer.text
    page = answer.text
    assert "Regel 3 (geen server): Dit is geen naam van een server" in page
    assert "Regel 6 (bad-severity.example): De maatregel (severity)" in page
    assert "Regel 7 (bad-flag.example): Bij reject_media" in page
    assert "Regel 8: Deze regel is niet te lezen" in page
    assert "Regel 2" not in page and "Regel 4" not in page and "Regel 9" not in page
    found = {block.domain: block for block in await blocks(database)}
    assert sorted(found) == ["good.example", "kept.example", "plain.example"]
    assert (found["good.example"].severity, found["good.example"].reject_media) == (
        BlockSeverity.SILENCE,
        True,
    )
    kept = found["kept.example"]
    assert (kept.severity, kept.public_comment, kept.private_comment) == (
        BlockSeverity.NOOP,
        "Nu alleen media",
        "Eigen notitie",  # a list carries no private comment: the one here stays
    )
    assert found["plain.example"].severity == BlockSeverity.SUSPEND


async def test_an_import_is_all_or_nothing(
    client: httpx.AsyncClient, database: Database, admin: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure halfway (here: the audit log) leaves no block of the list behind."""
    real_record = domain_blocks.audit.record
    calls = 0

    async def failing(*args: object, **kwargs: object) -> ModerationAction:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("the disk is full")
        return await real_record(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(domain_blocks.audit, "record", failing)
    listed = (
        f"{HEADER}\none.example,suspend,false,false,,false\ntwo.example,suspend,false,false,,false"
    )
    with pytest.raises(RuntimeError):
        await upload(client, listed.encode())
    assert await blocks(database) == []


@pytest.mark.parametrize(
    ("content", "status", "message"),
    [
        (b"", 400, "Kies eerst een CSV-bestand."),
        (b"a" * (block_lists.MAX_BYTES + 1), 400, "groter dan 1 MB"),
        (b"a.example\n" * (block_lists.MAX_LINES + 2), 400, "meer dan 10.000 regels"),
        (b"\xff\xfe" + "bad.example".encode("utf-16-le"), 400, "geen CSV-bestand in UTF-8"),
        (b"a" * (2 * block_lists.MAX_BYTES), 413, ""),  # past the bound of every request
    ],
)
async def test_a_file_that_is_too_large_or_not_text_is_refused_whole(
    client: httpx.AsyncClient,
    database: Database,
    admin: None,
    content: bytes,
    status: int,
    message: str,
) -> None:
    answer = await upload(client, content)
    assert answer.status_code == status
    assert message in answer.text
    assert await blocks(database) == []
    async with database.reading() as session:
        logged = await session.exec(select(ModerationAction).where(col(ModerationAction.id) > 0))
        assert logged.all() == []
