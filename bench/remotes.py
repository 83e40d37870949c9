"""The federation benchmarks' database: migrated, with the demo neighbourhood and, written
straight into it, accounts on other servers whose keys we already hold, so that no request of a
run has to fetch an actor or a key."""

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import col, select

from bench.fill import refuse_unless_empty
from buurtnet import schema
from buurtnet.core import demo
from buurtnet.db import Database
from buurtnet.models import Account, Follow, utcnow

RESIDENT = "anna"  # a resident of the demo neighbourhood


@dataclass(frozen=True)
class RemotePerson:
    """A person on another server, e.g. `https://remote3.example/users/p17`."""

    origin: str  # scheme and host (with port), "https://remote3.example"
    username: str

    @property
    def domain(self) -> str:
        return self.origin.partition("://")[2]

    @property
    def actor_uri(self) -> str:
        return f"{self.origin}/users/{self.username}"

    @property
    def key_id(self) -> str:
        return self.actor_uri + "#main-key"

    @property
    def shared_inbox(self) -> str:
        return self.origin + "/inbox"

    def row(self, public_key_pem: str | None) -> dict[str, object]:
        return {
            "username": self.username,
            "username_key": f"{self.username}@{self.domain}",
            "domain": self.domain,
            "actor_uri": self.actor_uri,
            "inbox_url": self.actor_uri + "/inbox",
            "shared_inbox_url": self.shared_inbox,
            "followers_url": self.actor_uri + "/followers",
            "profile_url": self.actor_uri,
            "key_id": self.key_id,
            "public_key_pem": public_key_pem,
            "fetched_at": utcnow(),
            "created_at": utcnow(),
        }


async def prepare(url: str) -> tuple[Database, Account]:
    """A migrated, empty database with the demo neighbourhood; its resident Anna."""
    database = Database(url)
    await schema.upgrade(database)
    await refuse_unless_empty(database)
    async with database.transaction() as session:
        await demo.create_demo(session)
    async with database.reading() as session:
        found = await session.exec(select(Account).where(Account.username == RESIDENT))
        resident = found.one()
    return database, resident


async def add_people(
    database: Database, people: Sequence[RemotePerson], public_key_pem: str | None = None
) -> list[int]:
    """Insert the people's accounts (all with the one key given); their ids, in order."""
    rows = [person.row(public_key_pem) for person in people]
    statement = sa.insert(Account).returning(col(Account.id), sort_by_parameter_order=True)
    async with database.engine.begin() as connection:
        found = (await connection.execute(statement, rows)).scalars().all()
    return [account_id for account_id in found if account_id is not None]


async def add_follows(database: Database, pairs: Sequence[tuple[int, int]]) -> None:
    """Follows, as (follower id, followed id)."""
    rows = [{"follower_id": a, "followed_id": b, "created_at": utcnow()} for a, b in pairs]
    async with database.engine.begin() as connection:
        await connection.execute(sa.insert(Follow), rows)
