"""Our actors as ActivityPub documents: residents (`Person`), neighbourhoods (`Group`) and the
instance (`Application` at `/actor`), with their outboxes and follower collections.

Collections are paged as Mastodon pages them: the collection gives `totalItems` and `first`, and
`?page=<n>` (or `?page=true`, the first) gives 20 items with `next` while there are more. The
items of followers and following are shown, not only counted: follows between residents are
public on their profile pages already, and buurtnet has no setting to hide them.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import feeds, names, neighbourhoods, visibility
from buurtnet.core.errors import NotFound
from buurtnet.core.post_details import Authored
from buurtnet.federation import keys, notes
from buurtnet.federation.as2 import objects
from buurtnet.federation.context import Federation
from buurtnet.federation.uris import Uris
from buurtnet.models import (
    Account,
    AccountStatus,
    Follow,
    Neighbourhood,
    NeighbourhoodFollower,
    Post,
    Visibility,
)
from buurtnet.storage import content_type_of

PAGE_SIZE = 20
MAX_PAGE = 1_000_000  # far beyond any collection; keeps OFFSET within what databases take
# The instance actor's name: reserved (`core.names`), so no resident or neighbourhood has it,
# and free of the host's dots and port, which some servers refuse in a username.
INSTANCE_USERNAME = "buurtnet"


class AccountGone(Exception):
    """The account was deleted: its actor answers 410 Gone, so servers drop their copy."""


class BadPage(ValueError):
    """A `page` parameter that is neither `true` nor a page number."""


@dataclass(frozen=True)
class PageRef:
    number: int  # from 1
    label: str  # as asked (`true` or the number), so the page's id is the URL fetched


def parse_page(raw: str | None) -> PageRef | None:
    """None for the collection itself; BadPage for anything but `true` or 1, 2, …"""
    if raw is None:
        return None
    if raw == "true":
        return PageRef(1, raw)
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE:
        raise BadPage(raw)
    return PageRef(int(raw), raw)


async def local_account(
    session: AsyncSession, username: str, *, suspended_too: bool = False
) -> Account:
    """A resident by username (any case): NotFound unless active (or suspended, for the actor
    document that tells other servers so), AccountGone when deleted."""
    if not names.may_be_stored(username):
        raise NotFound(username)
    query = select(Account).where(
        col(Account.username_key) == names.name_key(username), col(Account.domain).is_(None)
    )
    account = (await session.exec(query)).first()
    if account is not None and account.status == AccountStatus.DELETED:
        raise AccountGone(username)
    shown = (
        (AccountStatus.ACTIVE, AccountStatus.SUSPENDED)
        if suspended_too
        else (AccountStatus.ACTIVE,)
    )
    if account is None or account.status not in shown:
        raise NotFound(username)
    return account


async def neighbourhood_by_slug(session: AsyncSession, slug: str) -> Neighbourhood:
    return await neighbourhoods.get_by_slug(session, slug)


async def person_document(federation: Federation, account: Account) -> objects.JsonObject:
    assert account.id is not None
    pem = await federation.keys.public_key_pem(keys.account_owner(account.id))
    return person_as2(account, federation.uris, pem)


def person_as2(account: Account, uris: Uris, public_key_pem: str) -> objects.JsonObject:
    """A resident as a `Person`, with the photo as its icon."""
    avatar = account.avatar_key
    return objects.actor_to_as2(
        account,
        uris,
        icon_url=uris.media(avatar) if avatar else None,
        icon_type=content_type_of(avatar) if avatar else "image/jpeg",
        public_key_pem=public_key_pem,
    )


async def group_document(
    federation: Federation, neighbourhood: Neighbourhood
) -> objects.JsonObject:
    assert neighbourhood.id is not None
    pem = await federation.keys.public_key_pem(keys.neighbourhood_owner(neighbourhood.id))
    return objects.group_to_as2(neighbourhood, federation.uris, public_key_pem=pem)


async def instance_document(federation: Federation) -> objects.JsonObject:
    pem = await federation.keys.public_key_pem(keys.INSTANCE)
    return objects.instance_actor_to_as2(
        federation.uris,
        username=INSTANCE_USERNAME,
        name=federation.settings.instance_name,
        public_key_pem=pem,
    )


@dataclass(frozen=True)
class Listing:
    """One collection: how many items it has, and a slice of them (offset, limit)."""

    count: Callable[[AsyncSession], Awaitable[int]]
    items: Callable[[AsyncSession, int, int], Awaitable[list[Any]]]


async def collection_document(
    session: AsyncSession, uris: Uris, collection_id: str, listing: Listing, page: PageRef | None
) -> objects.JsonObject:
    """The collection (`page` None) or one page of it, newest first."""
    total = await listing.count(session)
    if page is None:
        return objects.collection_summary(
            collection_id, total, uris.collection_page(collection_id, 1)
        )
    offset = (page.number - 1) * PAGE_SIZE
    items = await listing.items(session, offset, PAGE_SIZE + 1)  # one more: is there a next?
    has_next = len(items) > PAGE_SIZE
    return objects.collection_page(
        uris.collection_page(collection_id, page.label),
        collection_id,
        items[:PAGE_SIZE],
        total=total,
        next_page=uris.collection_page(collection_id, page.number + 1) if has_next else None,
        prev_page=uris.collection_page(collection_id, page.number - 1) if page.number > 1 else None,
    )


def outbox_listing(federation: Federation, account: Account, fetcher: Account | None) -> Listing:
    """A resident's posts that the fetcher may see, as the `Create`s that published them."""

    async def documents(session: AsyncSession, rows: list[Authored]) -> list[Any]:
        return await notes.creates_of(session, rows, federation.uris, federation.host)

    return _posts_listing(fetcher, documents, col(Post.author_id) == account.id)


def neighbourhood_outbox_listing(
    federation: Federation, neighbourhood: Neighbourhood, fetcher: Account | None
) -> Listing:
    """What the neighbourhood's group passed on: its `Announce`s of the public posts its members
    wrote in it, as they were delivered. Neighbourhood-only posts never appear here, nor those of
    a limited author, which the group does not pass on (`audience.audience_of`)."""
    uris = federation.uris

    async def documents(session: AsyncSession, rows: list[Authored]) -> list[Any]:
        creates = await notes.creates_of(session, rows, uris, federation.host)
        return [
            notes.group_announce(neighbourhood, create, post.id or 0, uris)
            for create, (post, _author) in zip(creates, rows, strict=True)
        ]

    in_it = col(Post.neighbourhood_id) == neighbourhood.id
    public = col(Post.visibility) == Visibility.PUBLIC
    # Nobody's view of the neighbourhood: a limited author's posts are not the group's.
    return _posts_listing(fetcher, documents, in_it, public, feeds.listed_in_neighbourhood(None))


def followers_listing(
    federation: Federation, account: Account, fetcher: Account | None = None
) -> Listing:
    """Who follows a resident, here and on other servers."""
    return _accounts_listing(
        federation, Follow, col(Follow.follower_id), col(Follow.followed_id) == account.id
    )


def following_listing(
    federation: Federation, account: Account, fetcher: Account | None = None
) -> Listing:
    """Whom a resident follows (accepted follows only; requests still waiting are not shown)."""
    return _accounts_listing(
        federation, Follow, col(Follow.followed_id), col(Follow.follower_id) == account.id
    )


def neighbourhood_followers_listing(
    federation: Federation, neighbourhood: Neighbourhood, fetcher: Account | None = None
) -> Listing:
    """Who follows a neighbourhood from elsewhere, once let in."""
    return _accounts_listing(
        federation,
        NeighbourhoodFollower,
        col(NeighbourhoodFollower.account_id),
        col(NeighbourhoodFollower.neighbourhood_id) == neighbourhood.id,
        col(NeighbourhoodFollower.accepted).is_(True),
    )


def _posts_listing(
    fetcher: Account | None,
    documents: Callable[[AsyncSession, list[Authored]], Awaitable[list[Any]]],
    *where: ColumnElement[bool],
) -> Listing:
    """Our own posts that meet `where` and that the fetcher may see, newest first."""
    served = (*where, col(Post.uri).is_(None), visibility.visible_to(fetcher))

    async def count(session: AsyncSession) -> int:
        return (await session.exec(select(func.count()).select_from(Post).where(*served))).one()

    async def items(session: AsyncSession, offset: int, limit: int) -> list[Any]:
        query = (
            select(Post, Account)
            .join(Account, col(Account.id) == col(Post.author_id))
            .where(*served)
            .order_by(col(Post.id).desc())
            .offset(offset)
            .limit(limit)
        )
        return await documents(session, list((await session.exec(query)).all()))

    return Listing(count, items)


def _accounts_listing(
    federation: Federation,
    table: type[Follow] | type[NeighbourhoodFollower],
    account_column: Any,
    *where: ColumnElement[bool],
) -> Listing:
    """Actor ids of the accounts in `account_column` of the rows of `table` that match."""
    shown = (*where, col(Account.status) == AccountStatus.ACTIVE)

    async def count(session: AsyncSession) -> int:
        query = (
            select(func.count())
            .select_from(table)
            .join(Account, col(Account.id) == account_column)
            .where(*shown)
        )
        return (await session.exec(query)).one()

    async def items(session: AsyncSession, offset: int, limit: int) -> list[Any]:
        query = (
            select(Account)
            .join(table, col(Account.id) == account_column)
            .where(*shown)
            .order_by(col(table.created_at).desc(), account_column.desc())
            .offset(offset)
            .limit(limit)
        )
        accounts = (await session.exec(query)).all()
        return [federation.uris.actor_of(account) for account in accounts]

    return Listing(count, items)
