"""The paths of our own pages, built in this one place: every name in them is percent-encoded, so
that no name (a username from another server, a hashtag) can leave its segment of the path.

Pages link with these relative paths; `federation.uris` puts the base URL in front of the same
paths for what leaves the instance.
"""

from urllib.parse import quote, urlencode


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


def confirm_address(token: str) -> str:
    """The link in a mail that confirms an e-mail address (core/email_addresses)."""
    return "/email/confirm/" + quote(token, safe="")


def password_reset(token: str) -> str:
    """The link in a mail that sets a new password (core/password_reset)."""
    return "/password/reset/" + quote(token, safe="")


def search(query: str, show: str = "") -> str:
    """The search page for a query; `show` picks among the posts found (`post_search.Show`)."""
    return "/search?" + urlencode({"q": query} | ({"show": show} if show else {}))
