"""People and groups on other servers, stored as accounts as their servers describe them.

An actor is stored the first time we meet it (it signs something, a resident looks it up) and
brought up to date whenever it is fetched again. Its id (`actor_uri`) is what identifies it; the
`name@domain` key is unique too, so an actor whose id changed takes over its old row.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import idna
from sqlalchemy import exists, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import account_deletion, accounts
from buurtnet.core.text import clean_line
from buurtnet.models import (
    Account,
    AccountStatus,
    BlockSeverity,
    DomainBlock,
    RemoteDomain,
    utcnow,
)

FRESH_FOR = timedelta(days=1)  # fetch an actor again when it is older than this
DEFAULT_PORTS = {"http": 80, "https": 443}
SEVERITIES = (BlockSeverity.NOOP, BlockSeverity.SILENCE, BlockSeverity.SUSPEND)  # weak to strong


@dataclass(frozen=True)
class RemoteProfile:
    """What another server says about one of its actors, already checked and sanitised."""

    actor_uri: str
    domain: str  # host, with the port when it is not the default
    actor_type: str
    username: str
    display_name: str
    bio: str  # plain text
    inbox_url: str
    shared_inbox_url: str | None
    followers_url: str | None
    profile_url: str | None
    avatar_url: str | None
    key_id: str | None
    public_key_pem: str | None


def fold_host(host: str) -> str:
    """A host name as one server is named however it is written: in lower case, without a
    trailing dot, and in its ASCII form (IDNA: `bücher.example` is `xn--bcher-kva.example`)."""
    host = host.rstrip(".").lower()
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        return host  # an address, or a name IDNA does not take (`a_b`): as it is written


def domain_of(url: str) -> str:
    """How accounts, suspensions and failures name a server: the host folded (`fold_host`),
    without user info, with its port only when that is not the scheme's default."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else fold_host(host)  # an IPv6 address in brackets
    try:
        port = parts.port
    except ValueError:
        port = None
    return host if port in (None, DEFAULT_PORTS.get(parts.scheme.lower())) else f"{host}:{port}"


def suspension_names(domain: str) -> list[str]:
    """Every name whose suspension covers a server: its own (with and without a port) and each
    domain above it, as Mastodon's domain blocks cover subdomains."""
    host = domain[: domain.index("]") + 1] if domain.startswith("[") else domain.partition(":")[0]
    labels = host.split(".") if not host.startswith("[") else [host]
    parents = [".".join(labels[index:]) for index in range(len(labels) - 1)] or [host]
    return sorted({domain, *parents})


def remote_key(username: str, domain: str) -> str:
    return f"{username.lower()}@{domain.lower()}"


def is_fresh(account: Account) -> bool:
    return account.fetched_at is not None and utcnow() - account.fetched_at < FRESH_FOR


async def by_actor_uri(session: AsyncSession, actor_uri: str) -> Account | None:
    found = await session.exec(select(Account).where(col(Account.actor_uri) == actor_uri))
    return found.first()


async def store_remote_account(session: AsyncSession, profile: RemoteProfile) -> Account:
    """Insert or bring up to date the account of a remote actor; deleted ones stay deleted."""
    key = remote_key(profile.username, profile.domain)
    found = await session.exec(
        select(Account)
        .where(or_(col(Account.actor_uri) == profile.actor_uri, col(Account.username_key) == key))
        .with_for_update()
    )
    rows = list(found.all())
    account = next((row for row in rows if row.actor_uri == profile.actor_uri), None)
    for stale in rows:
        if stale is not account:  # the name now belongs to another id: free it
            stale.username_key = f"{stale.username_key}#{stale.id}"
            stale.actor_uri = stale.actor_uri and f"{stale.actor_uri}#moved"
    if rows and account is None:
        await session.flush()
    if account is None:
        account = Account(username=profile.username, username_key=key)
        # Someone first met on a blocked server starts under the block, as its people here do.
        apply_block(account, strongest_severity(await blocks_on(session, profile.domain)))
        session.add(account)
    if account.status == AccountStatus.DELETED:
        return account
    account.username = profile.username
    account.username_key = key
    account.domain = profile.domain.lower()
    account.actor_uri = profile.actor_uri
    account.actor_type = profile.actor_type
    account.display_name = clean_line(profile.display_name, accounts.DISPLAY_NAME_LENGTH)
    account.bio = profile.bio[: accounts.BIO_LENGTH]
    account.inbox_url = profile.inbox_url
    account.shared_inbox_url = profile.shared_inbox_url
    account.followers_url = profile.followers_url
    account.profile_url = profile.profile_url
    account.avatar_url = profile.avatar_url
    if profile.key_id is not None and profile.key_id != account.key_id:
        await _release_key_id(session, profile.key_id, account)
    account.key_id = profile.key_id
    account.public_key_pem = profile.public_key_pem
    account.fetched_at = utcnow()
    await session.flush()
    return account


async def _release_key_id(session: AsyncSession, key_id: str, keeper: Account) -> None:
    """A key id is unique: an older row that claimed it gives it up."""
    found = await session.exec(select(Account).where(col(Account.key_id) == key_id))
    for other in found.all():
        if other is not keeper:
            other.key_id = None
            other.public_key_pem = None
    await session.flush()


async def fetch_attempted(session: AsyncSession, account: Account) -> None:
    """An actor we tried to fetch again, and could not: the attempt counts as a fetch for when
    to try again, or every forged request would make us wait on its server."""
    await session.exec(
        update(Account).where(col(Account.id) == account.id).values(fetched_at=utcnow())
    )


async def remove_remote_account(session: AsyncSession, account: Account) -> None:
    """The actor was deleted on its server: its posts, reactions and relations go here too."""
    assert account.domain is not None
    await account_deletion.delete_account(session, account)
    account.key_id = None
    account.public_key_pem = None


def suspension_names_of(*domains: str) -> set[str]:
    """Every name whose suspension covers any of these servers."""
    return {name for domain in domains for name in suspension_names(domain)}


def covers(suspended: str, domain: str) -> bool:
    """Whether a suspension of `suspended` covers the server `domain`: the one rule, that
    everything about suspensions (refusing, not delivering, ending follows) applies."""
    return suspended in suspension_names(domain)


async def shut_domains(session: AsyncSession, domains: Iterable[str]) -> set[str]:
    """Those of these servers that get nothing from us: suspended (by their own name or one
    above them), or unavailable (failing for a day, until they answer again)."""
    wanted = set(domains)
    names = sorted(suspension_names_of(*wanted))
    suspended = await suspended_names(session, names)
    unavailable = await session.exec(
        select(RemoteDomain.domain).where(
            col(RemoteDomain.domain).in_(sorted(wanted)), col(RemoteDomain.unavailable)
        )
    )
    shut = set(unavailable.all())
    return {
        domain
        for domain in wanted
        if domain in shut or any(covers(name, domain) for name in suspended)
    }


async def suspended_names(session: AsyncSession, names: Iterable[str]) -> set[str]:
    """Those of these names that an admin suspended (`moderation/domain_blocks`)."""
    found = await session.exec(
        select(DomainBlock.domain).where(
            col(DomainBlock.domain).in_(sorted(set(names))),
            col(DomainBlock.severity) == BlockSeverity.SUSPEND,
        )
    )
    return set(found.all())


async def domains_covered(session: AsyncSession, blocked: Iterable[str]) -> list[str]:
    """The servers we know people on that a block of any of these names covers (`covers`)."""
    names = set(blocked)
    known = await session.exec(
        select(Account.domain).where(col(Account.domain).is_not(None)).distinct()
    )
    return [domain for domain in known.all() if domain and names & suspension_names_of(domain)]


async def domain_is_suspended(session: AsyncSession, *domains: str) -> bool:
    """Whether any of these servers is suspended (by its own name or one above it)."""
    names = sorted(suspension_names_of(*domains))
    found = await session.exec(
        select(
            exists().where(
                col(DomainBlock.domain).in_(names),
                col(DomainBlock.severity) == BlockSeverity.SUSPEND,
            )
        )
    )
    return bool(found.one())


async def blocks_on(session: AsyncSession, *domains: str) -> list[DomainBlock]:
    """The admins' blocks of whole servers that cover any of these servers (`covers`)."""
    names = sorted(suspension_names_of(*domains))
    found = await session.exec(select(DomainBlock).where(col(DomainBlock.domain).in_(names)))
    return list(found.all())


def strongest_severity(blocks: Iterable[DomainBlock]) -> BlockSeverity | None:
    """What several blocks on one server add up to: the strongest of them (None: no block)."""
    severities = [BlockSeverity(block.severity) for block in blocks]
    return max(severities, key=SEVERITIES.index, default=None)


def apply_block(
    account: Account,
    severity: BlockSeverity | None,
    *,
    own_suspension: bool = False,
    own_limit: bool = False,
) -> None:
    """What a block of its server does to an account elsewhere: `suspend` suspends it (its posts
    vanish from every feed, `visible_to`), `silence` limits it; with a weaker block, or none, it
    is free again, unless a moderator suspended or limited it on its own (the caller says so)."""
    if account.status in (AccountStatus.ACTIVE, AccountStatus.SUSPENDED):
        suspended = severity == BlockSeverity.SUSPEND or own_suspension
        account.status = AccountStatus.SUSPENDED if suspended else AccountStatus.ACTIVE
        if not suspended:
            account.suspended_until = None
    account.limited = severity == BlockSeverity.SILENCE or own_limit
