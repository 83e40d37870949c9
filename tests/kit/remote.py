"""People on other servers: fixed key pairs, their actor documents, and requests signed as their
server signs them (draft-cavage, as Mastodon does), POST and GET alike."""

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from buurtnet.federation import signatures

ACTIVITY_JSON = "application/activity+json"
AS2_CONTEXT = ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"]


@cache
def key_pair(number: int) -> tuple[str, str]:
    """A few fixed key pairs (private, public PEM) per run: generating one costs tens of ms."""
    return signatures.generate_key_pair()


@cache
def private_key(number: int) -> signatures.PrivateKey:
    return signatures.load_private_key(key_pair(number)[0])


def sign_like_remote(
    method: str,
    url: str,
    body: bytes | None = None,
    *,
    key_id: str,
    key_number: int,
    now: datetime | None = None,
) -> dict[str, str]:
    """The headers of a request as another server signs it: a POST of an activity (`body`), or
    a GET of a document (no body)."""
    moment = now or datetime.now(UTC)
    headers = signatures.sign_request(method, url, body, key_id, private_key(key_number), moment)
    if body is None:
        return headers | {"Accept": ACTIVITY_JSON}
    return headers | {"Content-Type": ACTIVITY_JSON}


@dataclass(frozen=True)
class RemoteActor:
    """A person (or group) on a fake server, e.g. `https://social.example/users/bob`.

    Two actors with the same name and domain but another `key_number` are the same person with
    another key: a rotated key, or an impostor.
    """

    username: str
    domain: str = "social.example"
    kind: str = "Person"
    key_number: int = 0
    shared_inbox: bool = True

    @property
    def id(self) -> str:
        return f"https://{self.domain}/users/{self.username}"

    @property
    def key_id(self) -> str:
        return self.id + "#main-key"

    @property
    def inbox(self) -> str:
        return self.id + "/inbox"

    @property
    def followers(self) -> str:
        return self.id + "/followers"

    @property
    def handle(self) -> str:
        return f"{self.username}@{self.domain}"

    @property
    def private_key(self) -> signatures.PrivateKey:
        return private_key(self.key_number)

    def signed(
        self, method: str, url: str, body: bytes | None = None, *, now: datetime | None = None
    ) -> dict[str, str]:
        """Headers for a request to `url` signed with this actor's key (see `sign_like_remote`)."""
        return sign_like_remote(
            method, url, body, key_id=self.key_id, key_number=self.key_number, now=now
        )

    def document(self) -> dict[str, Any]:
        actor: dict[str, Any] = {
            "@context": AS2_CONTEXT,
            "id": self.id,
            "type": self.kind,
            "preferredUsername": self.username,
            "name": self.username.title(),
            "summary": "<p>Hallo</p>",
            "url": f"https://{self.domain}/@{self.username}",
            "inbox": self.inbox,
            "outbox": self.id + "/outbox",
            "followers": self.followers,
            "following": self.id + "/following",
            "publicKey": {
                "id": self.key_id,
                "owner": self.id,
                "publicKeyPem": key_pair(self.key_number)[1],
            },
        }
        if self.shared_inbox:
            actor["endpoints"] = {"sharedInbox": f"https://{self.domain}/inbox"}
        return actor

    def webfinger(self) -> dict[str, Any]:
        """The JRD its server answers for `acct:NAME@DOMAIN`."""
        return {
            "subject": f"acct:{self.handle}",
            "links": [{"rel": "self", "type": ACTIVITY_JSON, "href": self.id}],
        }


BOB = RemoteActor("bob")  # the person elsewhere most tests talk to
