"""The paths of our own pages, built in this one place: every name in them is percent-encoded, so
that no name (a username from another server, a hashtag) can leave its segment of the path.

Pages link with these relative paths; `federation.uris` puts the base URL in front of the same
paths for what leaves the instance.
"""

from urllib.parse import quote


def profile(handle: str) -> str:
    """A person's page: `name` here, `name@domain` elsewhere (the `@` may stay as it is)."""
    return "/@" + quote(handle, safe="@")


def relation(handle: str, action: str) -> str:
    """A form on a person's page: follow, mute, block and their undoing."""
    return f"{profile(handle)}/{quote(action, safe='')}"


def hashtag(name: str) -> str:
    return "/tags/" + quote(name, safe="")


def post(post_id: int) -> str:
    return f"/posts/{post_id}"


def neighbourhood(slug: str) -> str:
    return "/n/" + quote(slug, safe="")
