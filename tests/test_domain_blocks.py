"""Blocks of whole servers: what each severity does to the server's people (now, later, and when
the block is lifted), the audit log, the flags, and the inbox and the pages afterwards."""

from typing import Any

import httpx
import pytest
from sqlmodel import col, select
from starlette.applications import Starlette

from buurtnet.core import remote_accounts
from buurtnet.core.errors import InvalidInput
from buurtnet.core.remote_accounts import RemoteProfile
from buurtnet.db import Database
from buurtnet.federation.uris import Uris
from buurtnet.models import (
    Account,
    AccountStatus,
    ActionKind,
    BlockSeverity,
    Follow,
    FollowRequest,
    ModerationAction,
    Neighbourhood,
    NeighbourhoodFollower,
    Post,
    Role,
    Visibility,
)
from buurtnet.moderation import domain_blocks
from buurtnet.moderation.domain_blocks import BlockTerms
from tests.conftest import BASE_URL, add_follow, log_in, make_account, write_post
from tests.kit.as2 import create, follow_of, note
from tests.kit.federation import account_of, deliver, meet, run_queue
from tests.kit.network import FakeNetwork
from tests.kit.remote import BOB
from tests.test_remote_media import PHOTO_URL, image, png

SILENCE, SUSPEND, NOOP = BlockSeverity.SILENCE, BlockSeverity.SUSPEND, BlockSeverity.NOOP
URIS = Uris.for_base(BASE_URL)


async def someone_on(database: Database, domain: str, name: str = "iemand") -> Account:
    async with database.transaction() as session:
        person = Account(username=name, username_key=f"{name}@{domain}", domain=domain)
        session.add(person)
    return person


async def state_of(database: Database, *people: Account) -> list[tuple[str, bool]]:
    async with database.reading() as session:
        found = [await session.get(Account, person.id) for person in people]
    return [(person.status, person.limited) for person in found if person is not None]


async def set_block(database: Database, admin: Account | None, domain: str, **terms: Any) -> None:
    async with database.transaction() as session:
        await domain_blocks.set_block(session, admin, BlockTerms(domain, **terms))


async def remove_block(database: Database, domain: str) -> bool:
    async with database.transaction() as session:
        return await domain_blocks.remove_block(session, None, domain)


async def audit_log(database: Database) -> list[tuple[str, str | None, int | None, str]]:
    async with database.reading() as session:
        found = await session.exec(select(ModerationAction).order_by(col(ModerationAction.id)))
        return [
            (action.kind, action.target_domain, action.moderator_id, action.reason)
            for action in found.all()
        ]


async def test_each_block_and_each_change_goes_into_the_audit_log(database: Database) -> None:
    admin = await make_account(database, "beheer", role=Role.ADMIN)
    await set_block(database, admin, "Spam.Example", private_comment="Spamgolf in november")
    await set_block(database, admin, "spam.example", private_comment="Spamgolf in november")
    await set_block(database, admin, "spam.example", severity=SILENCE, private_comment="Rustiger")
    assert await remove_block(database, "https://spam.example/")
    assert not await remove_block(database, "spam.example")
    assert await audit_log(database) == [
        (ActionKind.BLOCK_DOMAIN, "spam.example", admin.id, "Spamgolf in november"),
        # the same block set again changes nothing, and adds nothing to the log
        (ActionKind.BLOCK_DOMAIN, "spam.example", admin.id, "Rustiger"),
        (ActionKind.UNBLOCK_DOMAIN, "spam.example", None, ""),
    ]


@pytest.mark.parametrize(
    ("terms", "errors"),
    [
        (BlockTerms("geen server"), {"domain": "block_domain_invalid"}),
        (BlockTerms("  "), {"domain": "block_domain_invalid"}),
        (BlockTerms("a" * 300 + ".example"), {"domain": "block_domain_invalid"}),
        (BlockTerms("ok.example", severity="ban"), {"severity": "block_severity_invalid"}),
        (
            BlockTerms("ok.example", public_comment="x" * 1001, private_comment="y" * 1001),
            {
                "public_comment": "block_comment_too_long",
                "private_comment": "block_comment_too_long",
            },
        ),
    ],
)
async def test_bad_terms_are_refused_and_nothing_is_written(
    database: Database, terms: BlockTerms, errors: dict[str, str]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        async with database.transaction() as session:
            await domain_blocks.set_block(session, None, terms)
    assert refused.value.errors == errors
    async with database.reading() as session:
        assert await domain_blocks.all_blocks(session) == []


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("https://Social.Example/users/bob", "social.example"),
        ("*.social.example", "social.example"),
        ("bob@social.example", "social.example"),
        ("social.example:8443", "social.example:8443"),
        ("bücher.example", "xn--bcher-kva.example"),
    ],
)
async def test_a_server_is_blocked_by_its_one_name(
    database: Database, typed: str, stored: str
) -> None:
    await set_block(database, None, typed)
    async with database.reading() as session:
        assert [block.domain for block in await domain_blocks.all_blocks(session)] == [stored]


async def test_silence_limits_the_people_of_the_server_and_its_subdomains_only(
    database: Database,
) -> None:
    here = await someone_on(database, "loud.example", "a")
    below = await someone_on(database, "media.loud.example:8443", "b")
    elsewhere = await someone_on(database, "quiet.example", "c")
    await set_block(database, None, "loud.example", severity=SILENCE)
    assert await state_of(database, here, below, elsewhere) == [
        (AccountStatus.ACTIVE, True),
        (AccountStatus.ACTIVE, True),
        (AccountStatus.ACTIVE, False),
    ]
    await set_block(database, None, "loud.example", severity=NOOP, reject_media=True)
    assert await state_of(database, here, below) == [(AccountStatus.ACTIVE, False)] * 2


async def test_suspend_suspends_the_people_and_lifting_it_frees_only_those_it_suspended(
    database: Database,
) -> None:
    plain, judged, forgiven, limited = [
        await someone_on(database, "bad.example", name) for name in ("a", "b", "c", "d")
    ]
    async with database.transaction() as session:
        for person, kinds in (
            (judged, [ActionKind.SUSPEND]),
            (forgiven, [ActionKind.SUSPEND, ActionKind.LIFT]),
            (limited, [ActionKind.LIMIT]),
        ):
            for kind in kinds:  # what a moderator did to this one person before
                session.add(ModerationAction(kind=kind, target_account_id=person.id))
        for person in (judged, limited):
            stored = await session.get(Account, person.id)
            assert stored is not None
            stored.status = AccountStatus.SUSPENDED if person is judged else stored.status
            stored.limited = person is limited
    await set_block(database, None, "bad.example", severity=SUSPEND)
    assert await state_of(database, plain, judged, forgiven, limited) == [
        (AccountStatus.SUSPENDED, False),
        (AccountStatus.SUSPENDED, False),
        (AccountStatus.SUSPENDED, False),
        (AccountStatus.SUSPENDED, True),
    ]
    assert await remove_block(database, "bad.example")
    assert await state_of(database, plain, judged, forgiven, limited) == [
        (AccountStatus.ACTIVE, False),
        (AccountStatus.SUSPENDED, False),  # a moderator's own suspension stands
        (AccountStatus.ACTIVE, False),
        (AccountStatus.ACTIVE, True),  # and a moderator's own limit
    ]


async def test_the_strongest_block_on_a_server_counts(database: Database) -> None:
    person = await someone_on(database, "www.bad.example")
    await set_block(database, None, "bad.example", severity=SUSPEND)
    await set_block(database, None, "www.bad.example", severity=SILENCE)
    assert await state_of(database, person) == [(AccountStatus.SUSPENDED, False)]
    assert await remove_block(database, "www.bad.example")
    assert await state_of(database, person) == [(AccountStatus.SUSPENDED, False)]
    assert await remove_block(database, "bad.example")
    assert await state_of(database, person) == [(AccountStatus.ACTIVE, False)]


def profile_on(domain: str, name: str) -> RemoteProfile:
    actor = f"https://{domain}/users/{name}"
    return RemoteProfile(
        actor_uri=actor,
        domain=domain,
        actor_type="Person",
        username=name,
        display_name=name,
        bio="",
        inbox_url=f"{actor}/inbox",
        shared_inbox_url=None,
        followers_url=None,
        profile_url=None,
        avatar_url=None,
        key_id=None,
        public_key_pem=None,
    )


async def test_someone_first_met_later_starts_under_the_block(database: Database) -> None:
    await set_block(database, None, "loud.example", severity=SILENCE)
    await set_block(database, None, "bad.example", severity=SUSPEND)
    async with database.transaction() as session:
        met = [
            await remote_accounts.store_remote_account(session, profile_on(domain, "nieuw"))
            for domain in ("social.loud.example", "bad.example", "ok.example")
        ]
    assert await state_of(database, *met) == [
        (AccountStatus.ACTIVE, True),
        (AccountStatus.SUSPENDED, False),
        (AccountStatus.ACTIVE, False),
    ]


async def test_suspending_ends_every_follow_with_that_server(
    database: Database, resident: Account, neighbourhood: Neighbourhood
) -> None:
    spam = await someone_on(database, "spam.example", "x")
    other = await someone_on(database, "ok.example", "y")
    assert spam.id and other.id and resident.id and neighbourhood.id
    async with database.transaction() as session:
        session.add_all(
            [
                Follow(follower_id=spam.id, followed_id=resident.id),
                Follow(follower_id=other.id, followed_id=resident.id),
                FollowRequest(follower_id=resident.id, followed_id=spam.id, uri="urn:x"),
                NeighbourhoodFollower(
                    neighbourhood_id=neighbourhood.id, account_id=spam.id, uri="u"
                ),
            ]
        )
    await set_block(database, None, "SPAM.example", severity=SILENCE)
    async with database.reading() as session:
        assert len((await session.exec(select(Follow))).all()) == 2  # a limit ends nothing
    async with database.transaction() as session:
        await domain_blocks.suspend(session, "spam.example")
    async with database.reading() as session:
        follows = (await session.exec(select(Follow.follower_id))).all()
        requests = (await session.exec(select(FollowRequest))).all()
        group = (await session.exec(select(NeighbourhoodFollower))).all()
        [block] = await domain_blocks.all_blocks(session)
    assert follows == [other.id]
    assert requests == [] and group == []
    assert (block.domain, block.severity) == ("spam.example", SUSPEND)


async def test_the_flags_are_decided_once_and_a_suspension_implies_them(
    database: Database,
) -> None:
    await set_block(database, None, "pics.example", severity=NOOP, reject_media=True)
    await set_block(database, None, "flags.example", severity=SILENCE, reject_reports=True)
    await set_block(database, None, "bad.example", severity=SUSPEND)
    async with database.reading() as session:
        media = [
            await domain_blocks.rejects_media(session, domain)
            for domain in ("cdn.pics.example", "flags.example", "bad.example:8443", "ok.example")
        ]
        reports = [
            await domain_blocks.rejects_reports(session, domain)
            for domain in ("pics.example", "www.flags.example", "bad.example", "ok.example")
        ]
        either = await domain_blocks.rejects_media(session, "ok.example", "pics.example")
    assert media == [True, False, True, False]
    assert reports == [False, True, True, False]
    assert either


async def test_photos_from_a_server_whose_media_is_rejected_are_not_fetched(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    await meet(client, BOB)
    await add_follow(database, resident, await account_of(database, BOB))
    network.images[PHOTO_URL] = png()
    await set_block(database, None, "social.example", severity=NOOP, reject_media=True)
    item = note(BOB, 7, attachment=[image(PHOTO_URL)])
    assert (await deliver(client, BOB, create(BOB, item))).status_code == 202
    await run_queue(app)
    assert PHOTO_URL not in network.fetched
    async with database.reading() as session:
        post = (await session.exec(select(Post).where(Post.uri == item["id"]))).one()
    assert PHOTO_URL in post.content_html  # a link instead, as for a photo that cannot be had


async def test_after_a_suspension_the_server_is_refused_and_its_posts_are_gone(
    app: Starlette,
    client: httpx.AsyncClient,
    database: Database,
    resident: Account,
    network: FakeNetwork,
) -> None:
    mine = await write_post(database, resident, "Wie helpt zaterdag?", visibility=Visibility.PUBLIC)
    assert mine.id is not None
    await meet(client, BOB)
    await add_follow(database, resident, await account_of(database, BOB))
    tagged = {"tag": [{"type": "Hashtag", "name": "#tuin"}]}
    post = note(BOB, 1, content="<p>Bollen planten #tuin</p>") | tagged
    reply = note(BOB, 2, content="<p>Ik help mee!</p>", inReplyTo=URIS.post("anna", mine.id))
    for item in (post, reply):
        assert (await deliver(client, BOB, create(BOB, item))).status_code == 202
    await run_queue(app)
    async with database.reading() as session:
        theirs = (await session.exec(select(Post).where(Post.uri == post["id"]))).one()
    await log_in(client, "anna")
    shown = {
        "/": "Bollen planten",
        "/tags/tuin": "Bollen planten",
        f"/posts/{theirs.id}": "Bollen planten",
        f"/posts/{mine.id}": "Ik help mee!",
    }
    for page, text in shown.items():
        assert text in (await client.get(page)).text, page

    await set_block(database, None, "social.example", severity=SUSPEND)

    for page, text in shown.items():
        assert text not in (await client.get(page)).text, page
    assert (await client.get(f"/posts/{theirs.id}")).status_code == 404
    refused = await deliver(client, BOB, follow_of(BOB, URIS.actor("anna"), 9))
    assert refused.status_code == 403
