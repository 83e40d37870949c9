"""Actors from other servers: a Person, Group, Service, Application or Organization document in,
a `RemoteActor` out.

An actor names the URLs we will deliver to and the key its activities are signed with, so those
must be on the actor's own origin: otherwise one server could point our deliveries, or our trust,
at another.
"""

import re
from dataclasses import dataclass
from typing import Any

from buurtnet.federation.as2.parse_values import (
    MAX_NAME,
    MAX_SUMMARY,
    MAX_TAGS,
    MAX_USERNAME,
    ParseError,
    first,
    id_of,
    items,
    lenient,
    link_of,
    required_id,
    same_origin,
    string,
    type_of,
)
from buurtnet.sanitise import sanitise

USERNAME = re.compile(r"[\w.-]+")
ACTOR_TYPES = frozenset({"Person", "Group", "Service", "Application", "Organization"})
MAX_KEY_PEM = 10_000  # an RSA key of 16384 bits is about 2,900 characters


@dataclass(frozen=True)
class RemoteActor:
    """What we keep of another server's actor. `summary` is sanitised HTML; the key fields are
    None when the actor publishes no key of its own."""

    id: str
    type: str
    preferred_username: str
    name: str | None
    summary: str
    url: str | None  # the profile page for people
    inbox: str
    followers: str | None
    shared_inbox: str | None
    public_key_id: str | None
    public_key_pem: str | None
    icon_url: str | None


def as2_to_actor(doc: Any) -> RemoteActor:
    """An actor document, refused unless its inbox, collections and key are on its own origin."""
    if not isinstance(doc, dict):
        raise ParseError("an actor must be a JSON object")
    actor_id = required_id(doc)
    kind = type_of(doc)
    if kind not in ACTOR_TYPES:
        raise ParseError(f"{kind} is not a kind of actor")
    username = string(doc, "preferredUsername", MAX_USERNAME, required=True)
    if not username or not username.strip():
        raise ParseError("preferredUsername is empty")
    if not USERNAME.fullmatch(username):
        # It goes into our links (`/@name@host`): nothing that could leave its path segment.
        raise ParseError("preferredUsername may hold only letters, digits, '_', '.' and '-'")
    inbox = _own(actor_id, id_of(doc.get("inbox"), "inbox"), "inbox")
    if inbox is None:
        raise ParseError("inbox is missing")
    endpoints = doc.get("endpoints")
    if endpoints is not None and not isinstance(endpoints, dict):
        raise ParseError("endpoints must be an object")
    shared_inbox = id_of((endpoints or {}).get("sharedInbox"), "sharedInbox")
    key = _own_key(actor_id, doc.get("publicKey"))
    summary = lenient(lambda: string(doc, "summary", MAX_SUMMARY), None)
    icon = first(doc.get("icon"))
    return RemoteActor(
        id=actor_id,
        type=kind,
        preferred_username=username,
        name=lenient(lambda: string(doc, "name", MAX_NAME), None) or None,
        summary=sanitise(summary) if summary else "",
        url=lenient(lambda: link_of(doc.get("url"), "url"), None),
        inbox=inbox,
        followers=_own(actor_id, id_of(doc.get("followers"), "followers"), "followers"),
        shared_inbox=_own(actor_id, shared_inbox, "sharedInbox"),
        public_key_id=key[0] if key else None,
        public_key_pem=key[1] if key else None,
        icon_url=lenient(lambda: _icon(icon), None),
    )


def _icon(icon: Any) -> str | None:
    return link_of(icon.get("url"), "icon") if isinstance(icon, dict) else None


def _own(actor_id: str, url: str | None, field: str) -> str | None:
    if url is not None and not same_origin(url, actor_id):
        raise ParseError(f"{field} is not on the actor's server")
    return url


def _own_key(actor_id: str, value: Any) -> tuple[str, str] | None:
    """The id and PEM of the first key the actor owns. `publicKey` may list several (Fedify);
    keys owned by someone else are passed over, and a key claimed by the actor must be on its
    origin, whether its id is a `#main-key` fragment or a path (GoToSocial)."""
    for key in items(value, "publicKey", MAX_TAGS):
        if not isinstance(key, dict) or id_of(key.get("owner"), "publicKey owner") != actor_id:
            continue
        key_id = _own(actor_id, id_of(key.get("id"), "publicKey id"), "publicKey id")
        pem = string(key, "publicKeyPem", MAX_KEY_PEM)
        if key_id is None or not pem:
            raise ParseError("publicKey needs an id and a publicKeyPem")
        return key_id, pem
    if value is not None:
        raise ParseError("publicKey is not owned by the actor")
    return None
