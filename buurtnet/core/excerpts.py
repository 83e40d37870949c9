"""A post named where it is not shown (a notification): its first line, as plain text.

A content warning stands in for the text behind it, and a post a moderator marked sensitive
shows no text at all, as feeds fold both away.
"""

from buurtnet.core.text import clean_line
from buurtnet.models import Post

EXCERPT_LENGTH = 100
ELLIPSIS = "…"


def first_line(text: str, max_length: int = EXCERPT_LENGTH) -> str:
    """The first line with text on it, cleaned; a longer one is cut after a whole word (if one
    ends in its second half) and marked with an ellipsis."""
    line = next((clean_line(line, len(line)) for line in text.splitlines() if line.strip()), "")
    if len(line) <= max_length:
        return line
    cut = line[: max_length - len(ELLIPSIS) + 1]  # a space just after the last word counts
    at_word, space, _rest = cut.rpartition(" ")
    if not space or len(at_word) < max_length // 2:
        at_word = cut[: max_length - len(ELLIPSIS)]
    return at_word.rstrip(" ,.;:-") + ELLIPSIS


def excerpt(post: Post) -> str:
    """What may stand for a post in one line: its first line, its content warning instead, or
    nothing for a post marked sensitive without one."""
    if post.summary:
        return first_line(post.summary)
    if post.sensitive:
        return ""
    return first_line(post.source)
