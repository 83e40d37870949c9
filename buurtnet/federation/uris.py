"""Every public URL of the instance, built from its base URL in this one place.

ActivityPub ids follow Mastodon's shape, which other servers and people recognise:
`/users/<username>` for a person, `/users/<username>/statuses/<id>` for a post, and the pages
people open in a browser at `/@<username>` and `/posts/<id>`. Ids never change once
published, so the username is used exactly as it was registered.
"""

from dataclasses import dataclass
from urllib.parse import quote

from buurtnet import paths
from buurtnet.models import Account, Post

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@dataclass(frozen=True)
class Uris:
    base_url: str  # the public origin, without a trailing slash

    @classmethod
    def for_base(cls, base_url: str) -> "Uris":
        return cls(base_url.rstrip("/"))

    def actor(self, username: str) -> str:
        return f"{self.base_url}/users/{quote(username, safe='')}"

    def actor_of(self, account: Account) -> str:
        """Where anyone lives: ours by username, others by the id their server gave."""
        if account.actor_uri is not None:
            return account.actor_uri
        return self.actor(account.username)

    def post_of(self, post: Post, author: Account) -> str:
        """The id of any post: ours by its author and number, others by the id they came with."""
        assert post.id is not None
        return post.uri if post.uri is not None else self.post(author.username, post.id)

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
        return self.base_url + paths.profile(username)

    def post(self, author_username: str, post_id: int) -> str:
        return f"{self.actor(author_username)}/statuses/{post_id}"

    def post_activity(self, author_username: str, post_id: int) -> str:
        """The id of the Create activity that published a post."""
        return self.post(author_username, post_id) + "/activity"

    def post_page(self, post_id: int) -> str:
        return self.base_url + paths.post(post_id)

    def neighbourhood(self, slug: str) -> str:
        """The `Group` actor's id, which is also the neighbourhood's page."""
        return self.base_url + paths.neighbourhood(slug)

    def neighbourhood_key(self, slug: str) -> str:
        return self.neighbourhood(slug) + "#main-key"

    def neighbourhood_inbox(self, slug: str) -> str:
        return self.neighbourhood(slug) + "/inbox"

    def neighbourhood_outbox(self, slug: str) -> str:
        return self.neighbourhood(slug) + "/outbox"

    def neighbourhood_followers(self, slug: str) -> str:
        return self.neighbourhood(slug) + "/followers"

    def instance_actor(self) -> str:
        """The instance's own `Application` actor, which signs key fetches and reports."""
        return f"{self.base_url}/actor"

    def instance_key(self) -> str:
        return self.instance_actor() + "#main-key"

    def instance_inbox(self) -> str:
        return self.instance_actor() + "/inbox"

    def instance_outbox(self) -> str:
        return self.instance_actor() + "/outbox"

    def collection_page(self, collection_id: str, page: int | str) -> str:
        """A page of a paged collection: `?page=1`, `?page=2`, … (or `?page=true`, the first)."""
        return f"{collection_id}?page={page}"

    def webfinger_template(self) -> str:
        """The `lrdd` template of host-meta: where WebFinger answers for any resource."""
        return f"{self.base_url}/.well-known/webfinger?resource={{uri}}"

    def nodeinfo(self, version: str) -> str:
        return f"{self.base_url}/nodeinfo/{version}"

    def hashtag(self, name: str) -> str:
        return self.base_url + paths.hashtag(name)

    def media(self, key: str) -> str:
        return f"{self.base_url}/media/{quote(key, safe='')}"

    def activity(self, owner_id: str, kind: str, local_id: str) -> str:
        """An activity that is never fetched (a follow, like, share, block, edit): a fragment of
        its actor's (or object's) id, as Mastodon makes them, e.g. `…/users/anna#likes/42-…`."""
        return f"{owner_id}#{kind}/{quote(local_id)}"
