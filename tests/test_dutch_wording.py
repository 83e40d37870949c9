"""The Dutch of the interface speaks with one voice (docs/language.md): the polite "u", never
"je", "jij" or "jouw"; one word for a limit ("maximaal"), one for a field that may stay empty
("(niet verplicht)"); Dutch words for likes; and no jargon of the federated web ("fediverse",
"ActivityPub"): residents read "andere servers" or "andere sociale netwerken, zoals Mastodon".

Each rule is checked on every translation and on the default texts of the admin's pages."""

import re
from pathlib import Path

import pytest

from buurtnet.web.site_pages import DEFAULT_DIR
from tests.test_i18n import dutch_catalog

# Whole words only: "jeugd", "jeu de boules" and "Jeroen" are fine.
INFORMAL = re.compile(r"\b(je|jij|jou|jouw|jouwe|jullie|jezelf)\b", re.IGNORECASE)
RULES = {
    "the polite form: u, uw, uzelf": INFORMAL,
    "one word for a limit: maximaal": re.compile(r"\b(hoogstens|hooguit)\b", re.IGNORECASE),
    "a field that may stay empty: (niet verplicht)": re.compile(r"mag leeg blijven", re.IGNORECASE),
    "likes in Dutch: leuk, leuk gevonden": re.compile(r"\blikes?\b", re.IGNORECASE),
    "plain words for other servers": re.compile(r"fediverse|activitypub", re.IGNORECASE),
}


def dutch_texts() -> dict[str, str]:
    """Every Dutch text, by where it comes from: a msgid, or a default page."""
    texts = {}
    for message in dutch_catalog():
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        texts[key] = " | ".join(strings)
    for page in sorted(Path(DEFAULT_DIR).glob("*.nl.md")):
        texts[page.name] = page.read_text(encoding="utf-8")
    return texts


@pytest.mark.parametrize("rule", RULES)
def test_the_dutch_speaks_with_one_voice(rule: str) -> None:
    pattern = RULES[rule]
    broken = {where: text for where, text in dutch_texts().items() if pattern.search(text)}
    assert broken == {}, f"{rule}: change these translations"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Volgt jou", "the polite form: u, uw, uzelf"),
        ("Heb je hulp nodig?", "the polite form: u, uw, uzelf"),
        ("Hooguit 200 tekens.", "one word for a limit: maximaal"),
        ("Foto (mag leeg blijven)", "a field that may stay empty: (niet verplicht)"),
        ("gaan uw likes weg", "likes in Dutch: leuk, leuk gevonden"),
        ("Andere software van de fediverse", "plain words for other servers"),
    ],
)
def test_each_rule_finds_its_slip(text: str, rule: str) -> None:
    assert RULES[rule].search(text)


def test_the_rules_leave_good_dutch_alone() -> None:
    good = "Volgt u? De jeugd van Jeroen speelt jeu de boules. Maximaal 200 tekens."
    assert not any(pattern.search(good) for pattern in RULES.values())
