"""Plain text as people type it, rendered to safe HTML once, on save.

Everything the person typed is escaped; only the links, mentions and hashtags we recognise
become markup, and the result passes the allow-list of `sanitise` once more, as a last guard.
"""

import html
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from buurtnet.sanitise import LINK_REL, guard

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
    return guard("".join(rendered))


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
