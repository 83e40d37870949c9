"""Signing keys of our own actors, made when first needed and loaded once per process.

A resident, a neighbourhood and the instance each sign with their own RSA-2048 key, as Mastodon
expects. Generating one takes tens of milliseconds, so it happens in a thread and only when a key is
first asked for (an actor document is served, or a delivery signed), never when an account is made.
Two processes that ask at once both generate one; the database keeps the first.
"""

from dataclasses import dataclass, field

from anyio import to_thread

from buurtnet.db import Database, insert_new
from buurtnet.federation import signatures
from buurtnet.models import KeyPair

INSTANCE = "instance"


def account_owner(account_id: int) -> str:
    return f"account:{account_id}"


def neighbourhood_owner(neighbourhood_id: int) -> str:
    return f"neighbourhood:{neighbourhood_id}"


async def key_pair_of(database: Database, owner: str) -> KeyPair:
    """The owner's key pair, made now if it has none yet: outside any transaction, so that no
    writer waits while the key is generated."""
    async with database.reading() as session:
        stored = await session.get(KeyPair, owner)
    if stored is not None:
        return stored
    private_pem, public_pem = await to_thread.run_sync(signatures.generate_key_pair)
    row = {"owner": owner, "private_key_pem": private_pem, "public_key_pem": public_pem}
    async with database.transaction() as session:
        await insert_new(session, KeyPair, [row], unique=["owner"])
        made = await session.get(KeyPair, owner, populate_existing=True)
    assert made is not None
    return made


@dataclass
class KeyRing:
    """Keys by owner, kept once read: parsing a private PEM costs more than signing with it,
    and actor documents (which carry the public one) are fetched often. Keys never change."""

    database: Database
    _loaded: dict[str, signatures.PrivateKey] = field(default_factory=dict)
    _public: dict[str, str] = field(default_factory=dict)

    async def private_key(self, owner: str) -> signatures.PrivateKey:
        if (loaded := self._loaded.get(owner)) is not None:
            return loaded
        pair = await key_pair_of(self.database, owner)
        loaded = signatures.load_private_key(pair.private_key_pem)
        self._loaded[owner] = loaded
        return loaded

    async def public_key_pem(self, owner: str) -> str:
        if (known := self._public.get(owner)) is None:
            known = self._public[owner] = (await key_pair_of(self.database, owner)).public_key_pem
        return known
