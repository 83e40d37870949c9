"""A `Flag` (a report) from another server, as Mastodon, GoToSocial and Misskey send it: its
`object` names the reported person and some of their posts, as one URL or a list of them, and
its `content` is the comment of whoever reported, in plain text.

`as2_to_activity` has read the activity already (ids checked, the comment made plain text); this
adds what a report needs: something named, not too much of it, a comment of bounded length.
"""

from dataclasses import dataclass

from buurtnet.federation.as2.parse import Activity
from buurtnet.federation.as2.parse_values import ParseError

# Mastodon names the person and the posts reported; Mobilizon adds events and comments. Twenty
# is more than any of them sends, and bounds what one Flag makes us look up.
MAX_FLAG_OBJECTS = 20
MAX_FLAG_COMMENT = 2000  # what a report's comment holds


@dataclass(frozen=True)
class RemoteFlag:
    id: str
    actor: str
    objects: tuple[str, ...]  # each once, in the order sent
    comment: str  # plain text, perhaps empty


def as2_to_flag(activity: Activity) -> RemoteFlag:
    """The report a Flag makes, or ParseError with the reason."""
    if activity.type != "Flag":
        raise ParseError(f"{activity.type} is not a Flag")
    objects = tuple(dict.fromkeys(activity.objects))
    if not objects:
        raise ParseError("a Flag must name what it reports")
    if len(objects) > MAX_FLAG_OBJECTS:
        raise ParseError(f"a Flag names at most {MAX_FLAG_OBJECTS} objects")
    comment = (activity.content or "")[:MAX_FLAG_COMMENT]
    return RemoteFlag(activity.id, activity.actor, objects, comment)
