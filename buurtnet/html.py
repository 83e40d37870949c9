"""Plain text in, safe HTML out; and sanitising of HTML that other servers send.

A post is typed as plain text and rendered to HTML once, on save. Everything the person typed is
escaped; only the links, mentions and hashtags we recognise become markup. HTML from other servers
goes through the same allow-list (modelled on Mastodon's `app/lib/sanitize_config.rb`), which is
also the last guard on what `render_text` produces.
"""

import functools
import html
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

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
# Elements whose content is code or invisible, not text: dropped whole rather than unwrapped.
DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "template", "iframe", "frame", "frameset", "object", "embed", "applet"}
    | {"noscript", "noembed", "noframes", "xmp", "textarea", "title", "select", "svg", "math"}
)
ALLOWED_CLASS = re.compile(r"(?:(?:h|p|u|dt|e)-[\w-]*|mention|hashtag|ellipsis|invisible)")
# How a browser sees a scheme: it ignores whitespace and control characters inside the URL.
URL_NOISE = re.compile(r"[`\x00-\x20\x7f-\xa0\s]+")
URL_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")

URL = re.compile(r"(?<![\w@/.])https?://[^\s<>\"`]+", re.IGNORECASE)
TRAILING_PUNCTUATION = ".,:;!?'\"*\u2026\u2018\u2019\u201c\u201d\u00ab\u00bb"
CLOSING_BRACKETS = {")": "(", "]": "[", "}": "{"}
DOMAIN = r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})"
MENTION = re.compile(
    rf"(?<![\w@/.+-])@(?P<name>\w+(?:[.-]\w+)*)(?:@(?P<host>{DOMAIN}))?(?![\w@]|[.-]\w)",
    re.IGNORECASE,
)
MAX_USERNAME_LENGTH = 30
MAX_TAG = 100
HASHTAG = re.compile(r"(?<![\w&/#])#(?P<name>\w{1,100})(?!\w)")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
SHOWN_URL_LENGTH = 30
MAX_TAGS = 2000
TAG = re.compile(r"<[^>]*>?")
WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class MentionRef:
    """A mention as typed: `@name` (local) or `@name@host`."""

    username: str
    host: str | None

    @property
    def key(self) -> str:
        """Lower-case `name` or `name@host`: the same person however the case was typed."""
        return f"{self.username}@{self.host}".lower() if self.host else self.username.lower()


def clean_source(source: str) -> str:
    """NFC, `\\n` line ends and no control characters: what we store and render from."""
    source = unicodedata.normalize("NFC", source.replace("\r\n", "\n").replace("\r", "\n"))
    return CONTROL_CHARACTERS.sub("", source)


def find_mentions(source: str) -> list[MentionRef]:
    """Mentions in the order typed, each person once; not those in URLs or e-mail addresses."""
    found: dict[str, MentionRef] = {}
    for kind, value, _ in _tokens(clean_source(source)):
        if isinstance(value, MentionRef) and kind == "mention":
            found.setdefault(value.key, value)
    return list(found.values())


def find_hashtags(source: str) -> list[str]:
    """Hashtag names (case-folded, without '#') in the order typed, each once."""
    found: dict[str, None] = {}
    for kind, value, _ in _tokens(clean_source(source)):
        # Case folding can lengthen a name ("ß" becomes "ss"): longer than stored, it is no tag.
        if kind == "hashtag" and isinstance(value, str) and len(value.casefold()) <= MAX_TAG:
            found.setdefault(value.casefold())
    return list(found)


def render_text(
    source: str,
    *,
    mention_href: Callable[[MentionRef], str | None],
    hashtag_href: Callable[[str], str],
) -> str:
    """Plain text to HTML paragraphs with links, mentions of known people and hashtags."""
    hrefs: dict[str, str | None] = {}

    def mention_link(mention: MentionRef) -> str | None:
        if mention.key not in hrefs:
            hrefs[mention.key] = mention_href(mention)
        return hrefs[mention.key]

    paragraphs = BLANK_LINE.split(clean_source(source).strip())
    rendered = [
        "<p>" + _render_paragraph(text, mention_link, hashtag_href) + "</p>"
        for text in paragraphs
        if text.strip()
    ]
    # The final guard; without the tag limit, as the tags are ours and their number grows with
    # the (limited) length of the post.
    return _clean("".join(rendered), allow_relative_links=True)


def sanitise(html_text: str, *, allow_relative_links: bool = False) -> str:
    """Only the allow-listed tags, attributes, classes and link schemes survive.

    Relative links are dropped by default, as Mastodon does: in a remote post they would point
    at our own server. HTML with more than MAX_TAGS tags is shown as plain text instead, because
    html5lib slows down with the square of the nesting depth: a cheap attack from another server.
    """
    if html_text.count("<") > MAX_TAGS:
        return "<p>" + html.escape(plain_text(html_text), quote=False) + "</p>"
    return _clean(html_text, allow_relative_links)


def plain_text(html_text: str) -> str:
    """HTML as one line of plain text: for search, and for what is never markup (a content
    warning, a bio from elsewhere)."""
    return WHITESPACE.sub(" ", html.unescape(TAG.sub(" ", html_text))).strip()


def _clean(html_text: str, allow_relative_links: bool) -> str:
    return str(_cleaner(allow_relative_links).clean(html_text))


@functools.cache
def _cleaner(allow_relative_links: bool) -> bleach.Cleaner:
    """Made once: building a cleaner (and its parser) costs about as much as cleaning a post.
    Used from the event loop's thread only; a cleaner is not for two threads at once."""

    def allow_list_filter(source: Any) -> _AllowListFilter:
        return _AllowListFilter(source, allow_relative_links)

    return bleach.Cleaner(
        # The dropped elements must reach the parser as elements, or their content is parsed as
        # text; the filter then removes them with everything inside.
        tags=ALLOWED_TAGS | DROPPED_WITH_CONTENT,
        attributes=_attribute_allowed,
        protocols=LINK_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[allow_list_filter],
    )


def _attribute_allowed(tag: str, name: str, value: str) -> bool:
    return name in ALLOWED_ATTRIBUTES.get(tag, ())


def _link_allowed(href: str, allow_relative: bool) -> bool:
    normalised = URL_NOISE.sub("", html.unescape(href)).lower()
    scheme = URL_SCHEME.match(normalised)
    if scheme:
        return scheme.group(1) in LINK_PROTOCOLS
    return allow_relative and href.startswith("/")


class _AllowListFilter(Filter):
    """What bleach alone does not do: drop code with its content, filter classes token by token,
    unwrap links without an allowed target and give every link the same `rel`."""

    def __init__(self, source: Any, allow_relative_links: bool) -> None:
        super().__init__(source)
        self.allow_relative_links = allow_relative_links

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
                keep = bool(href) and _link_allowed(href, self.allow_relative_links)
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


def _tokens(text: str) -> Iterator[tuple[str, str | MentionRef, str]]:
    """Split text into (kind, value, typed text): 'text', 'url', 'mention' or 'hashtag'."""
    position = 0
    for match in URL.finditer(text):
        url = _trim_url(match.group())
        if not urlsplit(url).netloc:
            continue
        yield from _words(text[position : match.start()])
        yield "url", url, url
        position = match.start() + len(url)
    yield from _words(text[position:])


def _words(text: str) -> Iterator[tuple[str, str | MentionRef, str]]:
    matches = [m for m in MENTION.finditer(text) if len(m["name"]) <= MAX_USERNAME_LENGTH]
    matches += [m for m in HASHTAG.finditer(text) if not m["name"].isdigit()]
    position = 0
    for match in sorted(matches, key=lambda m: m.start()):
        if match.start() < position:
            continue
        if match.start() > position:
            yield "text", text[position : match.start()], text[position : match.start()]
        if match.re is MENTION:
            yield "mention", MentionRef(match["name"], match["host"]), match.group()
        else:
            yield "hashtag", match["name"], match.group()
        position = match.end()
    if position < len(text):
        yield "text", text[position:], text[position:]


def _trim_url(url: str) -> str:
    """Drop trailing punctuation and closing brackets that were not opened inside the URL."""
    while url:
        last = url[-1]
        if last in TRAILING_PUNCTUATION or (
            last in CLOSING_BRACKETS and url.count(CLOSING_BRACKETS[last]) < url.count(last)
        ):
            url = url[:-1]
        else:
            break
    return url


def _render_paragraph(
    text: str,
    mention_href: Callable[[MentionRef], str | None],
    hashtag_href: Callable[[str], str],
) -> str:
    parts: list[str] = []
    for kind, value, typed in _tokens(text.strip("\n")):
        if kind == "url" and isinstance(value, str):
            parts.append(_url_link(value))
        elif kind == "mention" and isinstance(value, MentionRef):
            href = mention_href(value)
            parts.append(_mention_link(value, href) if href else _escape(typed))
        elif kind == "hashtag" and isinstance(value, str):
            href = _attribute(hashtag_href(value.casefold()))
            name = _escape(value)
            parts.append(
                f'<a href="{href}" class="mention hashtag" rel="tag">#<span>{name}</span></a>'
            )
        else:
            parts.append(_escape(typed))
    return "".join(parts)


def _url_link(url: str) -> str:
    """Mastodon's way of showing a long URL: scheme hidden, the rest cut with an ellipsis."""
    prefix = re.match(r"https?://(?:www\.)?", url, re.IGNORECASE)
    hidden = prefix.group() if prefix else ""
    shown, rest = url[len(hidden) :][:SHOWN_URL_LENGTH], url[len(hidden) + SHOWN_URL_LENGTH :]
    shown_class = "ellipsis" if rest else ""
    return (
        f'<a href="{_attribute(url)}" rel="{LINK_REL}">'
        f'<span class="invisible">{_escape(hidden)}</span>'
        f'<span class="{shown_class}">{_escape(shown)}</span>'
        f'<span class="invisible">{_escape(rest)}</span></a>'
    )


def _mention_link(mention: MentionRef, href: str) -> str:
    shown = f"{mention.username}@{mention.host}" if mention.host else mention.username
    return (
        f'<span class="h-card"><a href="{_attribute(href)}" class="u-url mention">'
        f"@<span>{_escape(shown)}</span></a></span>"
    )


def _escape(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br>")


def _attribute(value: str) -> str:
    return html.escape(value, quote=True)
