"""The one line that stands for a post where it is named but not shown (core/excerpts)."""

import pytest

from buurtnet.core.excerpts import EXCERPT_LENGTH, excerpt, first_line
from buurtnet.models import Post


def a_post(source: str, *, summary: str = "", sensitive: bool = False) -> Post:
    return Post(author_id=1, source=source, content_html="", summary=summary, sensitive=sensitive)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("Wie leent mij een ladder?", "Wie leent mij een ladder?"),
        ("\n\n  Eerste regel  \nTweede regel", "Eerste regel"),
        ("Veel   ruimte\ttussen", "Veel ruimte tussen"),
        ("Stil\u202eomgekeerd\u200b", "Stilomgekeerd"),  # no text reversed or hidden
        ("", ""),
        ("  \n \n", ""),
    ],
)
def test_the_first_line_with_text_on_it(text: str, line: str) -> None:
    assert first_line(text) == line


def test_a_long_line_is_cut_after_a_whole_word() -> None:
    text = "Wie helpt er zaterdag mee " * 10
    line = first_line(text)
    assert len(line) <= EXCERPT_LENGTH
    assert line.endswith("zaterdag…") or line.endswith("mee…") or line.endswith("helpt…")
    assert text.startswith(line[:-1])


def test_a_line_without_spaces_is_cut_where_it_must() -> None:
    line = first_line("x" * 300)
    assert line == "x" * (EXCERPT_LENGTH - 1) + "…"


def test_a_line_of_exactly_the_length_is_kept_whole() -> None:
    assert first_line("y" * EXCERPT_LENGTH) == "y" * EXCERPT_LENGTH


def test_a_content_warning_stands_in_for_the_text() -> None:
    post = a_post("Wat er gebeurde in de flat", summary="Nare ervaring")
    assert excerpt(post) == "Nare ervaring"


def test_a_post_marked_sensitive_shows_no_text() -> None:
    assert excerpt(a_post("Iets schokkends", sensitive=True)) == ""
    assert excerpt(a_post("Iets schokkends")) == "Iets schokkends"
