"""Every public URL of the instance, built from its base URL in this one place.

ActivityPub ids follow Mastodon's shape, which other servers and people recognise:
`/users/<username>` for a person, `/users/<username>/statuses/<id>` for a post, and the pages
people open in a browser at `/@<username>` and `/posts/<id>`. Ids never change once
published, so the username is used exactly as it was registered.
"""

from dataclasses import dataclass
from urllib.parse import quote

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@dataclass(frozen=True)
class Uris:
    base_url: str  # the public origin, without a trailing slash

    @classmethod
    def for_base(cls, base_url: str) -> "Uris":
        return cls(base_url.rstrip("/"))

    def actor(self, username: str) -> str:
        return f"{self.base_url}/users/{quote(username)}"

    def key(self, username: str) -> str:
        return self.actor(username) + "#main-key"

    def inbox(self, username: str) -> str:
        return self.actor(username) + "/inbox"

    def outbox(self, username: str) -> str:
        return self.actor(username) + "/outbox"

    def followers(self, username: str) -> str:
        return self.actor(username) + "/followers"

    def following(self, username: str) -> str:
        return self.actor(username) + "/following"

    def liked(self, username: str) -> str:
        return self.actor(username) + "/liked"

    def shared_inbox(self) -> str:
        return f"{self.base_url}/inbox"

    def profile_page(self, username: str) -> str:
        return f"{self.base_url}/@{quote(username)}"

    def post(self, author_username: str, post_id: int) -> str:
        return f"{self.actor(author_username)}/statuses/{post_id}"

    def post_activity(self, author_username: str, post_id: int) -> str:
        """The id of the Create activity that published a post."""
        return self.post(author_username, post_id) + "/activity"

    def post_page(self, post_id: int) -> str:
        return f"{self.base_url}/posts/{post_id}"

    def neighbourhood(self, slug: str) -> str:
        return f"{self.base_url}/n/{quote(slug)}"

    def hashtag(self, name: str) -> str:
        return f"{self.base_url}/tags/{quote(name)}"

    def media(self, key: str) -> str:
        return f"{self.base_url}/media/{quote(key)}"

    def activity(self, owner_id: str, kind: str, local_id: str) -> str:
        """An activity that is never fetched (a follow, like, share, block, edit): a fragment of
        its actor's (or object's) id, as Mastodon makes them, e.g. `…/users/anna#likes/42-…`."""
        return f"{owner_id}#{kind}/{quote(local_id)}"
