"""Finding actors on other servers: by id, by signing key, and by `@name@host`.

Every fetch goes through the one guarded HTTP client and is signed as the instance actor, since
servers in secure mode (Mastodon's authorized fetch, GoToSocial) answer only signed requests.
What comes back is parsed and checked before it is stored: the fetched document's id must be the
URL asked for (the client checks), and a key must be claimed by the actor that owns it.
"""

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from buurtnet.core import remote_accounts
from buurtnet.core.remote_accounts import RemoteProfile, domain_of
from buurtnet.federation import signatures
from buurtnet.federation.as2 import parse_actor, parse_values
from buurtnet.federation.as2.parse import ParseError
from buurtnet.federation.context import Federation
from buurtnet.federation.fetch import FetchError
from buurtnet.federation.keys import INSTANCE
from buurtnet.federation.negotiation import ACTIVITY_JSON, LD_JSON
from buurtnet.models import Account
from buurtnet.sanitise import plain_text


class ActorUnavailable(Exception):
    """An actor (or key) that cannot be fetched, or that fails our checks; the message says why."""


def without_fragment(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(fragment=""))


def profile_of(actor: parse_actor.RemoteActor) -> RemoteProfile:
    return RemoteProfile(
        actor_uri=actor.id,
        domain=domain_of(actor.id),
        actor_type=actor.type,
        username=actor.preferred_username,
        display_name=actor.name or "",
        bio=plain_text(actor.summary),
        inbox_url=actor.inbox,
        shared_inbox_url=actor.shared_inbox,
        followers_url=actor.followers,
        profile_url=actor.url,
        avatar_url=actor.icon_url,
        key_id=actor.public_key_id,
        public_key_pem=actor.public_key_pem,
    )


async def instance_auth(federation: Federation) -> signatures.SignatureAuth:
    key = await federation.keys.private_key(INSTANCE)
    return signatures.SignatureAuth(federation.uris.instance_key(), key)


async def fetch_document(federation: Federation, url: str) -> dict[str, object]:
    """A document from its own origin, as the instance actor asked for it; never from a
    suspended server, and never one that claims to be ours."""
    await _refuse_suspended(federation, url)
    if parse_values.same_origin(url, federation.uris.base_url):
        raise ActorUnavailable(f"{url} is our own")
    try:
        document = await federation.client.get_activity_json(
            url, auth=await instance_auth(federation)
        )
    except FetchError as error:
        raise ActorUnavailable(str(error)) from error
    claimed = document.get("id")
    # The client fetched it again from the origin of its id: that must not be ours either.
    if not isinstance(claimed, str) or parse_values.same_origin(claimed, federation.uris.base_url):
        raise ActorUnavailable(f"{url} served a document of ours")
    await _refuse_suspended(federation, claimed)
    return document


async def _refuse_suspended(federation: Federation, url: str) -> None:
    async with federation.database.reading() as session:
        if await remote_accounts.domain_is_suspended(session, domain_of(url)):
            raise ActorUnavailable(f"{domain_of(url)} is suspended here")


async def fetch_actor(federation: Federation, actor_uri: str) -> Account:
    """Fetch an actor afresh and store it."""
    return await _stored(federation, await fetch_document(federation, actor_uri), actor_uri)


async def _stored(federation: Federation, document: dict[str, Any], fetched_as: str) -> Account:
    """The actor a fetched document describes, stored (or updated) here."""
    try:
        actor = parse_actor.as2_to_actor(document)
    except ParseError as error:
        raise ActorUnavailable(f"{fetched_as}: {error}") from error
    async with federation.database.transaction() as session:
        return await remote_accounts.store_remote_account(session, profile_of(actor))


async def actor_by_uri(federation: Federation, actor_uri: str, *, refresh: bool = False) -> Account:
    """The stored actor if it is fresh enough, else fetched."""
    if not refresh:
        async with federation.database.reading() as session:
            stored = await remote_accounts.by_actor_uri(session, actor_uri)
        if stored is not None and remote_accounts.is_fresh(stored):
            return stored
    return await fetch_actor(federation, actor_uri)


async def actor_by_key_id(federation: Federation, key_id: str) -> Account:
    """The actor that holds a key, fetched by the key's URL when we do not know it.

    The key's URL gives either the actor itself (Mastodon's `…#main-key`) or a key document with
    an `owner` (GoToSocial's `…/main-key`); either way the actor must name this key as its own.
    """
    document = await fetch_document(federation, without_fragment(key_id))
    owner = document.get("owner")
    if "publicKeyPem" in document and isinstance(owner, str):
        if not parse_values.same_origin(owner, key_id):  # checked before anything more is fetched
            raise ActorUnavailable(f"{key_id} names an owner on another server")
        account = await fetch_actor(federation, owner)
    else:
        account = await _stored(federation, document, key_id)
    if account.key_id != key_id or not account.public_key_pem:
        raise ActorUnavailable(f"{key_id} is not claimed by its owner")
    return account


async def actor_by_handle(federation: Federation, handle: str) -> Account:
    """`@name@host` (or `name@host`) through WebFinger, as Mastodon looks people up."""
    name, _, host = handle.strip().removeprefix("@").partition("@")
    if not name or not host or "/" in host:
        raise ActorUnavailable(f"{handle!r} is not a name@host address")
    scheme = "http" if federation.settings.allow_private_networks else "https"
    url = f"{scheme}://{host}/.well-known/webfinger?resource=acct:{name}@{host}"
    try:
        answer = await federation.client.get_json(url)
    except FetchError as error:
        raise ActorUnavailable(str(error)) from error
    links = answer.get("links")
    for link in links if isinstance(links, list) else []:
        if (
            isinstance(link, dict)
            and link.get("rel") == "self"
            and isinstance(link.get("href"), str)
            and str(link.get("type", "")).startswith((ACTIVITY_JSON, LD_JSON))
        ):
            found = await actor_by_uri(federation, link["href"])
            # A server may only answer for its own people, or for those who name it as theirs.
            asked = remote_accounts.remote_key(name, host)
            if domain_of(link["href"]) != host.lower() and found.username_key != asked:
                raise ActorUnavailable(f"{handle!r} points to someone else")
            return found
    raise ActorUnavailable(f"{handle!r} has no ActivityPub actor")
