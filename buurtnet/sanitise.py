"""The allow-list that every piece of HTML we show or send passes: HTML from other servers, and
our own rendering of what people typed (`typed_text`) as a last guard.

Modelled on Mastodon's `app/lib/sanitize_config.rb`: a few tags for text, links to a few schemes,
classes of microformats and mentions only; code, styles and frames go with their content.
"""

import functools
import html
import re
from collections.abc import Iterator
from typing import Any

import bleach
from bleach.html5lib_shim import Filter

ALLOWED_TAGS = frozenset(
    {"p", "span", "br", "a", "del", "pre", "code", "em", "strong", "b", "i", "u", "blockquote"}
    | {"ul", "ol", "li"}
)
ALLOWED_ATTRIBUTES = {
    "a": frozenset({"href", "rel", "class", "title"}),
    "span": frozenset({"class"}),
}
LINK_PROTOCOLS = frozenset(
    {"http", "https", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "xmpp", "magnet", "gemini"}
)
LINK_REL = "nofollow noopener noreferrer"
# An admin's page (privacy statement, house rules, contact) has headings too, and links to write
# or call; never images, which would load from elsewhere.
PAGE_TAGS = ALLOWED_TAGS | {"h2", "h3", "h4", "h5", "h6", "hr"}
PAGE_LINK_PROTOCOLS = LINK_PROTOCOLS | {"mailto", "tel"}
# Elements whose content is code or invisible, not text: dropped whole rather than unwrapped.
DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "template", "iframe", "frame", "frameset", "object", "embed", "applet"}
    | {"noscript", "noembed", "noframes", "xmp", "textarea", "title", "select", "svg", "math"}
)
ALLOWED_CLASS = re.compile(r"(?:(?:h|p|u|dt|e)-[\w-]*|mention|hashtag|ellipsis|invisible)")
# How a browser sees a scheme: it ignores whitespace and control characters inside the URL.
URL_NOISE = re.compile(r"[`\x00-\x20\x7f-\xa0\s]+")
URL_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")

MAX_TAGS = 2000
TAG = re.compile(r"<[^>]*>?")
WHITESPACE = re.compile(r"\s+")


def sanitise(html_text: str) -> str:
    """Only the allow-listed tags, attributes, classes and link schemes survive.

    Relative links are dropped, as Mastodon drops them: in a remote post they would point at
    our own server. HTML with more than MAX_TAGS tags is shown as plain text instead, because
    html5lib slows down with the square of the nesting depth: a cheap attack from another server.
    """
    if html_text.count("<") > MAX_TAGS:
        return "<p>" + html.escape(plain_text(html_text), quote=False) + "</p>"
    return _clean(html_text, relative_base=None)


def guard(html_text: str) -> str:
    """Our own rendering through the allow-list once more, its links to our pages kept as they
    are (relative); without the tag limit, as the tags are ours and their number grows only with
    the (limited) length of a post."""
    return _clean(html_text, relative_base="")


def page(html_text: str) -> str:
    """An admin's page rendered from Markdown (`page_markdown`): the allow-list with headings and
    `mailto:` and `tel:` links; links to our own pages kept, as in `guard`."""
    return _clean(html_text, relative_base="", for_page=True)


def absolute_links(html_text: str, base_url: str) -> str:
    """Our HTML as it leaves the instance: a relative link (`/@anna`, `/tags/opruimen`) would
    point at the receiving server's own pages, so each becomes absolute on `base_url`."""
    if 'href="/' not in html_text:
        return html_text
    return _clean(html_text, relative_base=base_url)


def plain_text(html_text: str) -> str:
    """HTML as one line of plain text: for search, and for what is never markup (a content
    warning, a bio from elsewhere)."""
    return WHITESPACE.sub(" ", html.unescape(TAG.sub(" ", html_text))).strip()


def _clean(html_text: str, relative_base: str | None, *, for_page: bool = False) -> str:
    """Through the allow-list (an admin's page's, `for_page`); relative links dropped
    (`relative_base` None) or kept, after the base URL given."""
    return str(_cleaner(relative_base, for_page).clean(html_text))


@functools.cache
def _cleaner(relative_base: str | None, for_page: bool) -> bleach.Cleaner:
    """Made once: building a cleaner (and its parser) costs about as much as cleaning a post.
    Used from the event loop's thread only; a cleaner is not for two threads at once."""
    protocols = PAGE_LINK_PROTOCOLS if for_page else LINK_PROTOCOLS

    def allow_list_filter(source: Any) -> _AllowListFilter:
        return _AllowListFilter(source, relative_base, protocols)

    return bleach.Cleaner(
        # The dropped elements must reach the parser as elements, or their content is parsed as
        # text; the filter then removes them with everything inside.
        tags=(PAGE_TAGS if for_page else ALLOWED_TAGS) | DROPPED_WITH_CONTENT,
        attributes=_attribute_allowed,
        protocols=protocols,
        strip=True,
        strip_comments=True,
        filters=[allow_list_filter],
    )


def _attribute_allowed(tag: str, name: str, value: str) -> bool:
    return name in ALLOWED_ATTRIBUTES.get(tag, ())


def _link_allowed(href: str, relative_base: str | None, protocols: frozenset[str]) -> bool:
    normalised = URL_NOISE.sub("", html.unescape(href)).lower()
    scheme = URL_SCHEME.match(normalised)
    if scheme:
        return scheme.group(1) in protocols
    return relative_base is not None and _is_relative(href)


def _is_relative(href: str) -> bool:
    """A path on our own server; `//host` is another server's, without a scheme."""
    return href.startswith("/") and not href.startswith("//")


class _AllowListFilter(Filter):
    """What bleach alone does not do: drop code with its content, filter classes token by token,
    unwrap links without an allowed target and give every link the same `rel`."""

    def __init__(self, source: Any, relative_base: str | None, protocols: frozenset[str]) -> None:
        super().__init__(source)
        self.relative_base = relative_base
        self.protocols = protocols

    def __iter__(self) -> Iterator[dict[str, Any]]:
        dropping = 0
        links_kept: list[bool] = []
        for token in super().__iter__():
            kind, name = token["type"], token.get("name")
            if name in DROPPED_WITH_CONTENT and kind in ("StartTag", "EndTag", "EmptyTag"):
                dropping += {"StartTag": 1, "EndTag": -1}.get(kind, 0)
                continue
            if dropping:
                continue
            if name == "a" and kind == "StartTag":
                href = token["data"].get((None, "href"))
                keep = bool(href) and _link_allowed(href, self.relative_base, self.protocols)
                links_kept.append(keep)
                if keep:
                    yield self._link(token)
            elif name == "a" and kind == "EndTag":
                if links_kept and links_kept.pop():
                    yield token
            elif kind in ("StartTag", "EmptyTag") and token.get("data"):
                yield self._with_allowed_classes(token)
            else:
                yield token

    def _link(self, token: dict[str, Any]) -> dict[str, Any]:
        token = self._with_allowed_classes(token)
        # rel="tag" marks a hashtag link for microformats; it is the one value we keep.
        tag = "tag " if "tag" in token["data"].get((None, "rel"), "").split() else ""
        token["data"][(None, "rel")] = tag + LINK_REL
        href = token["data"][(None, "href")]
        if self.relative_base and _is_relative(href):
            token["data"][(None, "href")] = self.relative_base + href
        return token

    @staticmethod
    def _with_allowed_classes(token: dict[str, Any]) -> dict[str, Any]:
        attributes = dict(token["data"])
        if (None, "class") in attributes:
            kept = [c for c in attributes[(None, "class")].split() if ALLOWED_CLASS.fullmatch(c)]
            attributes[(None, "class")] = " ".join(kept)
            if not kept:
                del attributes[(None, "class")]
        return {**token, "data": attributes}
