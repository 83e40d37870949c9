"""Cleaning short texts that people type: names, titles, one-line fields."""

import re
import unicodedata

# Bidirectional overrides and isolates, zero-width characters and the BOM: they let a name look
# like another one or reverse the text around it.
INVISIBLE_CHARACTERS = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
WHITESPACE = re.compile(r"\s+")


def clean_line(text: str, max_length: int) -> str:
    """One line of visible text: normalised, without control or invisible characters."""
    text = unicodedata.normalize("NFC", text)
    text = INVISIBLE_CHARACTERS.sub("", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch in "\t\n")
    return WHITESPACE.sub(" ", text).strip()[:max_length]


def clean_text(text: str, max_length: int) -> str:
    """A few lines of visible text (a comment, a note): like `clean_line`, but the line breaks
    stay, at most one empty line in a row."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    text = INVISIBLE_CHARACTERS.sub("", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch == "\n")
    lines = [WHITESPACE.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()[:max_length]
