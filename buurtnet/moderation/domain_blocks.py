"""Blocks of whole servers, as an admin sets them; what each one does is decided here, once.

A block of `example.org` covers its subdomains and the server on any port: core's one rule,
`remote_accounts.covers`. Several blocks on one server add up to the strongest of them.

- suspend: nothing is taken in (the inbox refuses it, `federation/arrivals`), nothing is sent
  (`remote_accounts.shut_domains`), the follows between its people and ours end, and its people
  are suspended here, so that their posts vanish from every feed (`visible_to`).
- silence: its people are limited (`Account.limited`): their posts reach their followers only.
- noop: nothing but the flags. Reject media: their photos are not fetched (`rejects_media`);
  reject reports: their `Flag`s are not taken in (`rejects_reports`). A suspension implies both.

People first met on a blocked server later start under its block (`store_remote_account`).
Easing or removing a block gives its people back what the block took, but not what a moderator
took from one of them: an account keeps its own suspension (or limit) while the audit log holds
a SUSPEND (or LIMIT) on it with no LIFT after it. Follows that a suspension ended stay ended.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace

from sqlalchemy import delete, exists, or_
from sqlalchemy.orm import Mapped
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import remote_accounts
from buurtnet.core.errors import InvalidInput
from buurtnet.core.remote_accounts import covers, domain_of, suspension_names_of
from buurtnet.core.text import clean_text
from buurtnet.db import insert_new
from buurtnet.models import (
    Account,
    ActionKind,
    BlockSeverity,
    DomainBlock,
    Follow,
    FollowRequest,
    ModerationAction,
    NeighbourhoodFollower,
    utcnow,
)
from buurtnet.moderation import audit

COMMENT_LENGTH = 1000
DOMAIN_LENGTH = 255
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
SERVER_NAME = re.compile(rf"(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9a-f:.]+\])(?::[0-9]{{1,5}})?")
SUSPEND = BlockSeverity.SUSPEND


@dataclass(frozen=True)
class BlockTerms:
    """What an admin decides about a server. A private comment of None keeps the one stored (a
    block list from elsewhere carries none)."""

    domain: str
    severity: str = BlockSeverity.SUSPEND
    reject_media: bool = False
    reject_reports: bool = False
    private_comment: str | None = ""
    public_comment: str = ""
    obfuscate: bool = False


def clean_domain(domain: str) -> str:
    """The server's name as accounts carry it, however it was typed (a URL, a trailing dot, a
    handle, `*.` in front as some block lists write it)."""
    text = domain.strip().removeprefix("*.")
    return domain_of(text if "://" in text else f"https://{text}")


def checked(terms: BlockTerms) -> tuple[BlockTerms, dict[str, str]]:
    """The terms cleaned, and what is wrong with them (field -> message code)."""
    domain = clean_domain(terms.domain) if terms.domain.strip() else ""
    public = clean_text(terms.public_comment, COMMENT_LENGTH + 1)
    private = terms.private_comment
    private = None if private is None else clean_text(private, COMMENT_LENGTH + 1)
    errors: dict[str, str] = {}
    if len(domain) > DOMAIN_LENGTH or not SERVER_NAME.fullmatch(domain):
        errors["domain"] = "block_domain_invalid"
    if terms.severity not in set(BlockSeverity):
        errors["severity"] = "block_severity_invalid"
    if len(public) > COMMENT_LENGTH:
        errors["public_comment"] = "block_comment_too_long"
    if private is not None and len(private) > COMMENT_LENGTH:
        errors["private_comment"] = "block_comment_too_long"
    cleaned = replace(terms, domain=domain, public_comment=public, private_comment=private)
    return cleaned, errors


async def set_block(session: AsyncSession, admin: Account | None, terms: BlockTerms) -> None:
    """Block a server, or change its block (None as admin: the command line)."""
    await set_blocks(session, admin, [terms])


async def set_blocks(
    session: AsyncSession, admin: Account | None, wanted: Sequence[BlockTerms]
) -> int:
    """Set several blocks at once (a block list), each checked first: all or none. Each block
    that is new or changed goes into the audit log; how many that were."""
    cleaned: dict[str, BlockTerms] = {}
    for terms in wanted:
        terms, errors = checked(terms)
        if errors:
            raise InvalidInput(errors)
        cleaned[terms.domain] = terms  # a server named twice: the last one counts
    changed = await _store(session, list(cleaned.values()))
    for block in changed:
        await audit.record(
            session,
            ActionKind.BLOCK_DOMAIN,
            admin,
            target_domain=block.domain,
            reason=block.private_comment,
        )
    await _apply(session, [block.domain for block in changed])
    return len(changed)


async def remove_block(
    session: AsyncSession, admin: Account | None, domain: str, reason: str = ""
) -> bool:
    """Lift a server's block; False when it had none."""
    stored = await session.get(DomainBlock, clean_domain(domain), with_for_update=True)
    if stored is None:
        return False
    await session.delete(stored)
    await session.flush()
    await audit.record(
        session,
        ActionKind.UNBLOCK_DOMAIN,
        admin,
        target_domain=stored.domain,
        reason=clean_text(reason, COMMENT_LENGTH),
    )
    await _apply(session, [stored.domain])
    return True


async def suspend(session: AsyncSession, domain: str, admin: Account | None = None) -> None:
    """Suspend a server, its other terms as they were (the command line's `domain suspend`)."""
    found = await block_of(session, domain)
    terms = BlockTerms(domain) if found is None else _terms_of(found)
    await set_block(session, admin, replace(terms, severity=BlockSeverity.SUSPEND))


async def all_blocks(session: AsyncSession) -> list[DomainBlock]:
    found = await session.exec(select(DomainBlock).order_by(col(DomainBlock.domain)))
    return list(found.all())


async def block_of(session: AsyncSession, domain: str) -> DomainBlock | None:
    """The block set on this very name (not one above it that covers it too)."""
    return await session.get(DomainBlock, clean_domain(domain))


async def rejects_media(session: AsyncSession, *domains: str) -> bool:
    """Whether photos from any of these servers stay where they are (not fetched)."""
    return await _any_block(session, domains, col(DomainBlock.reject_media))


async def rejects_reports(session: AsyncSession, domain: str) -> bool:
    """Whether reports (`Flag`s) from this server are not taken in."""
    return await _any_block(session, [domain], col(DomainBlock.reject_reports))


async def _any_block(session: AsyncSession, domains: Iterable[str], flag: Mapped[bool]) -> bool:
    """Whether a block covering any of these servers has the flag, or suspends."""
    names = sorted(suspension_names_of(*domains))
    suspended = col(DomainBlock.severity) == SUSPEND
    found = await session.exec(
        select(exists().where(col(DomainBlock.domain).in_(names), or_(flag, suspended)))
    )
    return bool(found.one())


def _terms_of(block: DomainBlock) -> BlockTerms:
    return BlockTerms(
        domain=block.domain,
        severity=block.severity,
        reject_media=block.reject_media,
        reject_reports=block.reject_reports,
        private_comment=block.private_comment,
        public_comment=block.public_comment,
        obfuscate=block.obfuscate,
    )


async def _store(session: AsyncSession, wanted: list[BlockTerms]) -> list[DomainBlock]:
    """Write the blocks; those that are new or changed. A block that another request adds at
    the same moment is not added twice: the database decides (`insert_new`)."""
    before: set[str] = set()
    stored: dict[str, DomainBlock] = {}
    for part in _parts([terms.domain for terms in wanted]):
        named = col(DomainBlock.domain).in_(part)
        before.update((await session.exec(select(DomainBlock.domain).where(named))).all())
        rows = [{"domain": domain} for domain in part if domain not in before]
        await insert_new(session, DomainBlock, rows, unique=["domain"])
        found = await session.exec(
            select(DomainBlock)
            .where(named)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        stored.update((block.domain, block) for block in found.all())
    changed = []
    for terms in wanted:
        block = stored[terms.domain]
        if terms.private_comment is None:
            terms = replace(terms, private_comment=block.private_comment)
        if block.domain in before and terms == _terms_of(block):
            continue
        for name, value in asdict(terms).items():
            setattr(block, name, value)
        block.updated_at = utcnow()
        changed.append(block)
    await session.flush()
    return changed


def _parts(domains: list[str], size: int = 500) -> list[list[str]]:
    """A long list in parts, so that no statement passes the database's limit on parameters."""
    return [domains[index : index + size] for index in range(0, len(domains), size)]


async def _apply(session: AsyncSession, changed: Sequence[str]) -> None:
    """Bring the people of the servers that these blocks cover in line with every block now on
    their server; end the follows of those now suspended."""
    for part in _parts(await remote_accounts.domains_covered(session, changed)):
        blocks = await remote_accounts.blocks_on(session, *part)
        severity = {
            domain: remote_accounts.strongest_severity(
                block for block in blocks if covers(block.domain, domain)
            )
            for domain in part
        }
        found = await session.exec(
            select(Account).where(col(Account.domain).in_(part)).with_for_update()
        )
        people = [(person, severity[person.domain or ""]) for person in found.all()]
        suspended, limited = await _own_measures(session, [person.id for person, _ in people])
        for person, server_severity in people:
            remote_accounts.apply_block(
                person,
                server_severity,
                own_suspension=person.id in suspended,
                own_limit=person.id in limited,
            )
        shut = [person.id for person, found_severity in people if found_severity == SUSPEND]
        await _end_follows(session, shut)


async def _own_measures(
    session: AsyncSession, account_ids: list[int | None]
) -> tuple[set[int], set[int]]:
    """The accounts a moderator suspended, and those a moderator limited, on their own: a
    SUSPEND (LIMIT) in the audit log with no LIFT after it (a LIFT ends both)."""
    found = await session.exec(
        select(ModerationAction.target_account_id, ModerationAction.kind)
        .where(
            col(ModerationAction.target_account_id).in_(account_ids),
            col(ModerationAction.kind).in_([ActionKind.SUSPEND, ActionKind.LIMIT, ActionKind.LIFT]),
        )
        .order_by(col(ModerationAction.id))
    )
    suspended: set[int] = set()
    limited: set[int] = set()
    for account_id, kind in found.all():
        assert account_id is not None
        if kind == ActionKind.LIFT:
            suspended.discard(account_id)
            limited.discard(account_id)
        else:
            (suspended if kind == ActionKind.SUSPEND else limited).add(account_id)
    return suspended, limited


async def _end_follows(session: AsyncSession, people: list[int | None]) -> None:
    """Nothing keeps flowing either way: follows, requests and neighbourhood follows end."""
    if not people:
        return
    for table in (Follow, FollowRequest):
        await session.exec(
            delete(table).where(
                or_(col(table.follower_id).in_(people), col(table.followed_id).in_(people))
            )
        )
    await session.exec(
        delete(NeighbourhoodFollower).where(col(NeighbourhoodFollower.account_id).in_(people))
    )
