"""Checked activities into the database: the inbox's writes, those that arrive together in one
transaction (`GroupCommit`), so that a busy inbox pays for one commit per batch, not per activity.

The inbox checked each signature before, possibly with a key kept in memory; the transaction
confirms what may have changed since, from the database itself: that the signer still holds
that key, and that neither its server nor the key's is suspended. Then each activity's id is
recorded (one sent twice is processed once) and its post stored at once, or the job that hands
it to its handler queued.
"""

import functools
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Insert, bindparam, delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet import job_queue
from buurtnet.core import remote_accounts, remote_relations
from buurtnet.core.errors import NotAllowed, NotFound
from buurtnet.core.remote_accounts import domain_of, suspension_names_of
from buurtnet.db import insert_new, is_postgresql
from buurtnet.federation import delivery, incoming_posts
from buurtnet.federation.as2.parse_objects import RemoteObject
from buurtnet.federation.context import Federation
from buurtnet.federation.incoming_posts import Unwelcome
from buurtnet.federation.known_keys import KnownKey
from buurtnet.federation.verify import Refusal
from buurtnet.models import (
    Account,
    AccountStatus,
    DeferredActivity,
    ReceivedActivity,
    RemoteDomain,
    utcnow,
)

log = logging.getLogger(__name__)

PROCESS_JOB = "inbox.process"
# Servers retry a delivery for days (Mastodon about 2.5, we about 7): a fortnight covers them.
RECEIVED_ACTIVITIES_KEPT = timedelta(days=14)
DEFERRED_ACTIVITIES_KEPT = timedelta(days=30)
_SIGNERS = select(Account).where(col(Account.id).in_(bindparam("ids", expanding=True)))
_DOMAINS = select(RemoteDomain).where(
    col(RemoteDomain.domain).in_(bindparam("domains", expanding=True))
)


@dataclass(frozen=True)
class Arrival:
    """A checked activity, on its way into the database."""

    federation: Federation
    document: dict[str, Any]
    activity_id: str
    signer: KnownKey
    note: RemoteObject | None  # its post, when it needs nothing from the network
    handled: bool = True  # False: a type we do not handle yet, kept for later

    @functools.cached_property
    def suspension_names(self) -> set[str]:
        """The names whose suspension refuses it: of the actor's server, and of the key's."""
        return suspension_names_of(domain_of(self.signer.actor_uri), domain_of(self.signer.key_id))


async def take_in(arrivals: Sequence[Arrival]) -> list[Refusal | None]:
    """The arrivals of one app, in one transaction; for each, None or why it was refused."""
    return await _take_in(arrivals, store_at_once=True)


async def take_in_alone(arrival: Arrival) -> Refusal | None:
    """After its batch failed: in a transaction of its own, and by a job, which retries."""
    return (await _take_in([arrival], store_at_once=False))[0]


async def _take_in(arrivals: Sequence[Arrival], *, store_at_once: bool) -> list[Refusal | None]:
    async with arrivals[0].federation.database.transaction() as session:
        signers, domains = await _signers_and_domains(session, arrivals)
        suspended = await remote_accounts.suspended_names(
            session, {name for arrival in arrivals for name in arrival.suspension_names}
        )
        refusals = [_refusal(arrival, signers, suspended) for arrival in arrivals]
        taken = [
            arrival for arrival, refusal in zip(arrivals, refusals, strict=True) if refusal is None
        ]
        new = await _not_seen_before(session, [arrival for arrival in taken if arrival.handled])
        await _hand_on(session, new, signers, store_at_once=store_at_once)
        await _keep_for_later(session, [arrival for arrival in taken if not arrival.handled])
        await _answering_again(session, taken, domains)
    for arrival, refusal in zip(arrivals, refusals, strict=True):
        if refusal is not None and refusal.status == 401:
            arrival.federation.known_keys.forget(arrival.signer.key_id)
    return refusals


async def _signers_and_domains(
    session: AsyncSession, arrivals: Sequence[Arrival]
) -> tuple[dict[int | None, Account], dict[str, RemoteDomain]]:
    """The senders' accounts, and what we know of their servers, as they are now."""
    ids = sorted({arrival.signer.account_id for arrival in arrivals})
    names = sorted({name for arrival in arrivals for name in arrival.suspension_names})
    signers = await session.exec(_SIGNERS, params={"ids": ids})
    domains = await session.exec(_DOMAINS, params={"domains": names})
    return (
        {account.id: account for account in signers.all()},
        {record.domain: record for record in domains.all()},
    )


async def _hand_on(
    session: AsyncSession,
    arrivals: list[Arrival],
    signers: dict[int | None, Account],
    *,
    store_at_once: bool,
) -> None:
    """Store the posts that need nothing from the network; queue a job for every other one."""
    posts = store_at_once and any(arrival.note is not None for arrival in arrivals)
    ids = [arrival.signer.account_id for arrival in arrivals]
    followed = await remote_relations.followed_here(session, ids) if posts else set()
    payloads = []
    for arrival in arrivals:
        signer = signers[arrival.signer.account_id]
        stored = False
        if arrival.note is not None and store_at_once:
            is_followed = signer.id in followed
            stored = await _store_at_once(
                session, arrival.federation, arrival.note, signer, is_followed
            )
        if not stored:
            payloads.append({"activity": arrival.document, "signer_id": signer.id})
    await job_queue.enqueue_at_once(session, PROCESS_JOB, payloads)


async def _answering_again(
    session: AsyncSession, arrivals: list[Arrival], domains: dict[str, RemoteDomain]
) -> None:
    """Servers that deliveries failed to, but that send us something, may get deliveries again."""
    answering = {domain_of(arrival.activity_id) for arrival in arrivals}
    await delivery.mark_answering(
        session, [name for name in answering if name in domains and domains[name].failures]
    )


def _refusal(
    arrival: Arrival, signers: dict[int | None, Account], suspended: set[str]
) -> Refusal | None:
    if suspended & arrival.suspension_names:
        return Refusal(403, "this server does not federate with yours")
    signer = signers.get(arrival.signer.account_id)
    if not arrival.signer.held_by(signer):
        return Refusal(401, "signature refused: the key is no longer the signer's; try again")
    if signer is not None and signer.status == AccountStatus.SUSPENDED:
        return Refusal(403, "this account is suspended here")
    return None


async def _not_seen_before(session: AsyncSession, arrivals: list[Arrival]) -> list[Arrival]:
    """Record the activities' ids, in one INSERT; those not recorded before, each once (one
    sent twice is processed once)."""
    if not arrivals:
        return []
    rows = [{"uri": arrival.activity_id, "at": utcnow()} for arrival in arrivals]
    connection = await session.connection()  # Core, not the ORM
    added = await connection.execute(_record_statement(await is_postgresql(session)), rows)
    new = set(added.scalars())
    first_of_each: dict[str, Arrival] = {}
    for arrival in arrivals:
        if arrival.activity_id in new:
            first_of_each.setdefault(arrival.activity_id, arrival)
    return list(first_of_each.values())


async def _keep_for_later(session: AsyncSession, arrivals: list[Arrival]) -> None:
    """Activities of a type we do not handle: kept as they came (once each), not marked as done,
    so that a later version can take them in."""
    if not arrivals:
        return
    rows = [
        {
            "uri": arrival.activity_id,
            "type": str(arrival.document.get("type"))[:100],
            "actor_uri": arrival.signer.actor_uri,
            "document": json.dumps(arrival.document),
            "received_at": utcnow(),
        }
        for arrival in arrivals
    ]
    await insert_new(session, DeferredActivity, rows, unique=["uri"])


async def forget_old(session: AsyncSession) -> None:
    """The ids of activities received long enough ago that nobody sends them again, and the
    activities kept for later that are older than a later version would look at."""
    now = utcnow()
    received = col(ReceivedActivity.received_at) < now - RECEIVED_ACTIVITIES_KEPT
    await session.exec(delete(ReceivedActivity).where(received))
    kept = col(DeferredActivity.received_at) < now - DEFERRED_ACTIVITIES_KEPT
    await session.exec(delete(DeferredActivity).where(kept))


async def _store_at_once(
    session: AsyncSession,
    federation: Federation,
    found: RemoteObject,
    signer: Account,
    followed: bool,
) -> bool:
    """As `handlers.handle_create` would: what is refused is dropped, and its id kept. False
    when it needs the network after all (it answers a post we do not have): a job does it."""
    try:
        await incoming_posts.store_note_in(session, federation, found, signer, followed=followed)
    except incoming_posts.ParentUnknown:
        return False
    except (Unwelcome, NotAllowed, NotFound) as error:
        log.info("dropped the post %s: %s", found.id, type(error).__name__)
    return True


@functools.cache
def _record_statement(postgresql: bool) -> Insert:
    """The activity's id, unless it is there already; built once per database."""
    insert = postgresql_insert if postgresql else sqlite_insert
    values: dict[str, Any] = {"uri": bindparam("uri"), "received_at": bindparam("at")}
    statement = insert(ReceivedActivity).values(values)
    return statement.on_conflict_do_nothing(index_elements=["uri"]).returning(
        col(ReceivedActivity.uri)
    )
