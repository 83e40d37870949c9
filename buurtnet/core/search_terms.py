"""What a search for posts looks for: the words of what someone typed, never its syntax.

Both full-text engines have a query language (FTS5: `"`, `*`, `NEAR`, `AND`, `:`, `^`, `-`,
parentheses; PostgreSQL's tsquery: `&`, `|`, `!`, `<->`, `:*`, quotes). Whatever is typed is
taken apart into words of letters and digits here, and each word goes to the engine quoted, as a
word to find: `fiets" OR NEAR(` is the words "fiets", "or" and "near". All words must occur; the
last may be the beginning of a longer word ("fie" finds "fiets"), when it is long enough for that
not to match half the site.
"""

import re
import unicodedata
from dataclasses import dataclass

from buurtnet.core.search import MAX_QUERY_LENGTH  # what is read of the one search field

MAX_WORDS = 8  # more would only slow the query down; a search box needs a few
MAX_WORD_LENGTH = 40  # longer is no word; PostgreSQL leaves out words over 2,047 bytes
MIN_PREFIX_LENGTH = 3  # "fi" would match too much to be useful
# Letters and digits in any script; the underscore, which `\w` includes, separates words in
# both engines' tokenisers (`p_reply` is `p` and `reply`).
WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Terms:
    words: tuple[str, ...]  # lower case, at most MAX_WORDS, each at most MAX_WORD_LENGTH
    prefix: bool  # the last word may begin a longer one
    shortened: bool = False  # words were left out (too many, or after MAX_QUERY_LENGTH)


def terms_of(query: str) -> Terms:
    """The words to search for; none when the query holds no letter or digit."""
    text = unicodedata.normalize("NFC", query).lower()
    found = WORD.findall(text[:MAX_QUERY_LENGTH])
    shortened = len(found) > MAX_WORDS or bool(WORD.search(text[MAX_QUERY_LENGTH:]))
    words = tuple(dict.fromkeys(word[:MAX_WORD_LENGTH] for word in found[:MAX_WORDS]))
    prefix = bool(words) and len(words[-1]) >= MIN_PREFIX_LENGTH
    return Terms(words, prefix, shortened)


def fts5_match(terms: Terms) -> str:
    """An FTS5 MATCH expression: each word a quoted string (which FTS5 reads as text, never as
    an operator), the last one with `*` to match as a prefix; all must occur."""
    quoted = [f'"{word}"' for word in terms.words]  # words hold no `"`: see WORD
    if terms.prefix:
        quoted[-1] += "*"
    return " ".join(quoted)


def tsquery_words(terms: Terms) -> list[str]:
    """One tsquery text per word, for `to_tsquery`: the word quoted, the last with `:*` to match
    as a prefix. PostgreSQL stems each one as it stems the posts (`fietsen` to `fiets`)."""
    quoted = [f"'{word}'" for word in terms.words]  # words hold no `'` or `\\`: see WORD
    if terms.prefix:
        quoted[-1] += ":*"
    return quoted
