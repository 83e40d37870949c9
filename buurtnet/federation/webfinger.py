"""WebFinger (RFC 7033) and host-meta: how other servers find our actors from `@name@host`.

`acct:name@host` names a resident or a neighbourhood: usernames and neighbourhood slugs share one
namespace (`core.names` refuses a name the other already has), so at most one of them answers. A
clash from before that rule would make the resident win, as the person was there to be found by
that handle first. `acct:buurtnet@host` is the instance actor. An actor's URL (`/users/x`, the
profile page `/@x`, `/n/slug`, `/actor`) works as the resource too, as Mastodon asks for both.
"""

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import quoteattr

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core.errors import NotFound
from buurtnet.federation import actors
from buurtnet.federation.as2 import objects
from buurtnet.federation.negotiation import ACTIVITY_JSON
from buurtnet.federation.uris import Uris

JRD = "application/jrd+json"
PROFILE_PAGE = "http://webfinger.net/rel/profile-page"
MAX_RESOURCE_LENGTH = 500


class ActorKind(StrEnum):
    PERSON = "person"
    NEIGHBOURHOOD = "neighbourhood"
    INSTANCE = "instance"
    ANY = "any"  # an `acct:` name: a resident or else a neighbourhood


@dataclass(frozen=True)
class Wanted:
    """Which of our actors a resource names, before we know whether it exists."""

    kind: ActorKind
    name: str


class BadResource(ValueError):
    """A resource that is no `acct:` handle or URL at all: a 400 with this reason."""


def parse_resource(resource: str | None, uris: Uris, host: str) -> Wanted:
    """What the resource asks for; NotFound when it names another server or no actor of ours."""
    if not resource:
        raise BadResource("the resource parameter is missing")
    if len(resource) > MAX_RESOURCE_LENGTH:
        raise BadResource("the resource is too long")
    if resource.startswith(("http://", "https://")):
        return _parse_url(resource, uris)
    handle = resource.removeprefix("acct:").removeprefix("@")
    name, at, domain = handle.rpartition("@")
    if not (at and name and domain) or any(mark in name for mark in "@/:") or "/" in domain:
        raise BadResource("use acct:name@host or the URL of an actor")
    if domain.lower() != host.lower():
        raise NotFound(resource)
    if name.lower() == actors.INSTANCE_USERNAME:
        return Wanted(ActorKind.INSTANCE, name)
    return Wanted(ActorKind.ANY, name)


def _parse_url(resource: str, uris: Uris) -> Wanted:
    parts = urlsplit(resource)
    if f"{parts.scheme}://{parts.netloc}".lower() != uris.base_url.lower():
        raise NotFound(resource)
    path = unquote(parts.path)
    if path == "/actor":
        return Wanted(ActorKind.INSTANCE, actors.INSTANCE_USERNAME)
    for prefix, kind in (
        ("/users/", ActorKind.PERSON),
        ("/@", ActorKind.PERSON),
        ("/n/", ActorKind.NEIGHBOURHOOD),
    ):
        name = path.removeprefix(prefix)
        if path.startswith(prefix) and name and "/" not in name:
            return Wanted(kind, name)
    raise NotFound(resource)


async def find(session: AsyncSession, wanted: Wanted, uris: Uris, host: str) -> objects.JsonObject:
    """The JRD of the actor asked for; NotFound (also for deleted and pending accounts)."""
    if wanted.kind == ActorKind.INSTANCE:
        return instance_jrd(uris, host)
    if wanted.kind in (ActorKind.PERSON, ActorKind.ANY):
        try:
            account = await actors.local_account(session, wanted.name)
        except (NotFound, actors.AccountGone):
            if wanted.kind == ActorKind.PERSON:
                raise NotFound(wanted.name) from None
        else:  # the person wins over a neighbourhood of the same name
            return person_jrd(account.username, uris, host)
    neighbourhood = await actors.neighbourhood_by_slug(session, wanted.name)
    return neighbourhood_jrd(neighbourhood.slug, uris, host)


def jrd(subject: str, actor_id: str, page: str) -> objects.JsonObject:
    return {
        "subject": subject,
        "aliases": list(dict.fromkeys([page, actor_id])),
        "links": [
            {"rel": PROFILE_PAGE, "type": "text/html", "href": page},
            {"rel": "self", "type": ACTIVITY_JSON, "href": actor_id},
        ],
    }


def person_jrd(username: str, uris: Uris, host: str) -> objects.JsonObject:
    return jrd(f"acct:{username}@{host}", uris.actor(username), uris.profile_page(username))


def neighbourhood_jrd(slug: str, uris: Uris, host: str) -> objects.JsonObject:
    actor_id = uris.neighbourhood(slug)
    return jrd(f"acct:{slug}@{host}", actor_id, actor_id)


def instance_jrd(uris: Uris, host: str) -> objects.JsonObject:
    subject = f"acct:{actors.INSTANCE_USERNAME}@{host}"
    return jrd(subject, uris.instance_actor(), uris.base_url)


def host_meta_xml(uris: Uris) -> str:
    """The XRD that points to WebFinger, for servers that look there first (Mastodon's fallback)."""
    template = quoteattr(uris.webfinger_template())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" template={template}/>\n'
        "</XRD>\n"
    )


def host_meta_json(uris: Uris) -> objects.JsonObject:
    return {"links": [{"rel": "lrdd", "type": JRD, "template": uris.webfinger_template()}]}
