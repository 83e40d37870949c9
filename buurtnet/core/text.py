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
