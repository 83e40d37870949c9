"""Which language a page is in, and the translation catalogs.

Message ids are English; Dutch is the default language and comes from `locale/nl`. The language
follows the account's setting, else the language cookie of a visitor, else `Accept-Language`.
"""

from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from buurtnet.core.accounts import SUPPORTED_LOCALES

DEFAULT_LOCALE = "nl"
SOURCE_LOCALE = "en"  # the language of the message ids: needs no catalog
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"


def parse_accept_language(header: str) -> list[str]:
    """Primary language tags from an Accept-Language header, most wanted first."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = tag.strip().lower().split("-")[0]
        if language and quality > 0:
            weighted.append((-quality, position, language))
    return [language for _, _, language in sorted(weighted)]


def choose_locale(
    account_locale: str | None, cookie_locale: str | None, accept_language: str
) -> str:
    for chosen in (account_locale, cookie_locale):
        if chosen in SUPPORTED_LOCALES:
            return chosen
    for language in parse_accept_language(accept_language):
        if language in SUPPORTED_LOCALES:
            return language
    return DEFAULT_LOCALE


def load_translations(locale: str, locale_dir: Path = LOCALE_DIR) -> NullTranslations:
    """The compiled catalog when it is up to date (as in the image), else the .po compiled now."""
    if locale == SOURCE_LOCALE:
        return NullTranslations()
    messages = locale_dir / locale / "LC_MESSAGES"
    po_file, mo_file = messages / f"{DOMAIN}.po", messages / f"{DOMAIN}.mo"
    if mo_file.exists() and mo_file.stat().st_mtime >= po_file.stat().st_mtime:
        with mo_file.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=locale, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def load_all_translations() -> dict[str, NullTranslations]:
    return {locale: load_translations(locale) for locale in SUPPORTED_LOCALES}
