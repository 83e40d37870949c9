"""Dutch first, English complete: every message in the code has a Dutch translation."""

from pathlib import Path

import httpx
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from buurtnet.web import i18n

ROOT = Path(__file__).parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
METHODS = [
    ("buurtnet/**.py", "python"),
    ("buurtnet/web/templates/**.html", "jinja2"),
    ("buurtnet/mail/templates/**.html", "jinja2"),
    ("buurtnet/mail/templates/**.txt", "jinja2"),
]
JINJA = {"extensions": "jinja2.ext.i18n"}


def messages_in_code() -> set[str]:
    found = set()
    for _, _, message, _, _ in extract_from_dir(
        ROOT,
        method_map=METHODS,
        options_map={pattern: JINJA for pattern, method in METHODS if method == "jinja2"},
        keywords=KEYWORDS,
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def dutch_catalog():  # type: ignore[no-untyped-def]
    path = i18n.LOCALE_DIR / "nl" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return read_po(handle, locale="nl")


def test_every_message_has_a_dutch_translation() -> None:
    catalog = dutch_catalog()
    translated = {
        message.id[0] if isinstance(message.id, tuple) else message.id
        for message in catalog
        if message.id
        and message.string
        and not message.fuzzy
        and all(message.string if isinstance(message.string, tuple) else [message.string])
    }
    code = messages_in_code()
    assert len(code) > 50  # the extraction itself found the messages
    assert sorted(code - translated) == []


def test_translations_keep_their_placeholders() -> None:
    problems = [(message.id, errors) for message, errors in dutch_catalog().check() if errors]
    assert problems == []


def test_accept_language_order_and_weights() -> None:
    assert i18n.parse_accept_language("en-GB,en;q=0.9,nl;q=0.8") == ["en", "en", "nl"]
    assert i18n.parse_accept_language("de;q=0.5, nl;q=0.7") == ["nl", "de"]
    assert i18n.parse_accept_language("en;q=0, nl") == ["nl"]
    assert i18n.parse_accept_language("fr;q=bogus") == []


def test_choice_of_language() -> None:
    assert i18n.choose_locale(None, None, "") == "nl"
    assert i18n.choose_locale(None, None, "de, en;q=0.5") == "en"
    assert i18n.choose_locale(None, "en", "nl") == "en"
    assert i18n.choose_locale("nl", "en", "en") == "nl"
    assert i18n.choose_locale("xx", None, "fr") == "nl"


async def test_default_page_is_dutch(client: httpx.AsyncClient) -> None:
    page = await client.get("/login")
    assert '<html lang="nl">' in page.text
    assert "Inloggen" in page.text


async def test_accept_language_en_gives_english(client: httpx.AsyncClient) -> None:
    page = await client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="en">' in page.text
    assert "Log in" in page.text
    assert "Inloggen" not in page.text


def test_the_catalog_holds_no_messages_the_code_no_longer_uses() -> None:
    in_catalog = {
        message.id[0] if isinstance(message.id, tuple) else message.id
        for message in dutch_catalog()
        if message.id
    }
    assert sorted(in_catalog - messages_in_code()) == []
