"""The keys that signed requests to us lately, kept in memory: who each key id belongs to.

Looking a key up in the database cost more than checking the signature itself, for every
activity. A key kept here is only a shortcut for the check, never the last word: whatever the
inbox writes, it writes after confirming in its own transaction that the signer still holds this
key (`federation.arrivals`). A key that fails its check is dropped, and looked up afresh.
"""

from collections import OrderedDict
from dataclasses import dataclass

from buurtnet.models import Account

KEYS_KEPT = 4096  # the senders of a busy day; a key is about 500 bytes


@dataclass(frozen=True)
class KnownKey:
    """A verified signer: its account here and the key it signs with."""

    key_id: str
    account_id: int
    actor_uri: str
    public_key_pem: str

    @classmethod
    def of(cls, account: Account) -> "KnownKey":
        assert account.id is not None and account.actor_uri is not None
        assert account.key_id is not None and account.public_key_pem is not None
        return cls(account.key_id, account.id, account.actor_uri, account.public_key_pem)

    def held_by(self, account: Account | None) -> bool:
        """Whether the account (as stored now) still signs with this key."""
        return (
            account is not None
            and account.key_id == self.key_id
            and account.public_key_pem == self.public_key_pem
        )


class KnownKeys:
    """The most recently used keys, by key id, at most `KEYS_KEPT` of them."""

    def __init__(self, most: int = KEYS_KEPT) -> None:
        self._most = most
        self._keys: OrderedDict[str, KnownKey] = OrderedDict()

    def get(self, key_id: str) -> KnownKey | None:
        key = self._keys.get(key_id)
        if key is not None:
            self._keys.move_to_end(key_id)
        return key

    def keep(self, key: KnownKey) -> None:
        self._keys[key.key_id] = key
        self._keys.move_to_end(key.key_id)
        while len(self._keys) > self._most:
            self._keys.popitem(last=False)

    def forget(self, key_id: str) -> None:
        self._keys.pop(key_id, None)
