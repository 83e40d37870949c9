"""What one of our own URLs names: a resident, a neighbourhood or a post.

The reverse of `Uris`, for ids that other servers send back to us (the object of a Follow, the post
a reply answers). Pure: the caller looks the name or number up.
"""

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from buurtnet.db import parse_row_id
from buurtnet.federation.uris import Uris

PERSON = re.compile(r"/(?:users/|@)(?P<name>[^/]+)")
NEIGHBOURHOOD = re.compile(r"/n/(?P<slug>[^/]+)")
POST = re.compile(r"/(?:users/[^/]+/statuses|posts)/(?P<id>[0-9]+)")
# What our usernames and slugs may hold: any other name (a NUL, a slash) is nobody's.
NAME = re.compile(r"[\w.-]+")


@dataclass(frozen=True)
class LocalId:
    kind: str  # "person", "neighbourhood" or "post"
    name: str  # a username, a slug, or a post's number


def local_id(uris: Uris, url: str) -> LocalId | None:
    """The local thing a URL of ours names, or None for anyone else's URL (or a malformed one)."""
    if not url.startswith(uris.base_url + "/"):
        return None
    path = urlsplit(url).path
    for kind, pattern, group in (
        ("post", POST, "id"),
        ("person", PERSON, "name"),
        ("neighbourhood", NEIGHBOURHOOD, "slug"),
    ):
        if (match := pattern.fullmatch(path)) is not None:
            name = unquote(match.group(group))
            return LocalId(kind, name) if NAME.fullmatch(name) else None
    return None


def local_post_id(uris: Uris, url: str) -> int | None:
    """The number of a post of ours; None for another URL, or a number no post of ours has."""
    found = local_id(uris, url)
    return parse_row_id(found.name) if found is not None and found.kind == "post" else None
