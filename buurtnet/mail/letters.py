"""Mails as residents read them: a plain-text and an HTML part, rendered in the account's language.

Each letter is a pair of templates in `templates/`: `NAME.txt`, which also sets the `subject`, and
`NAME.html`. Both extend a base that signs off and, for everything that is not about the account's
security, offers the unsubscribe link (`topic`).
"""

from dataclasses import dataclass
from email.utils import make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel.support import NullTranslations

from buurtnet.config import Settings
from buurtnet.core.accounts import SUPPORTED_LOCALES
from buurtnet.mail.unsubscribe import Topic, unsubscribe_path
from buurtnet.models import Account
from buurtnet.web.i18n import DEFAULT_LOCALE
from buurtnet.web.templating import make_environments

TEMPLATE_DIR = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Letter:
    """One e-mail, ready to queue; `unsubscribe_url` adds RFC 8058 one-click unsubscribing."""

    to: str
    subject: str
    text: str
    html: str
    message_id: str
    unsubscribe_url: str | None = None


class Letters:
    """Writes letters; made once per process, like the web's template environments."""

    def __init__(self, settings: Settings, translations: dict[str, NullTranslations]) -> None:
        self.settings = settings
        self.environments = make_environments(
            translations, settings.time_zone, template_dir=TEMPLATE_DIR
        )

    def write(
        self,
        name: str,
        recipient: Account,
        *,
        to: str | None = None,
        topic: Topic | None = None,
        **context: Any,
    ) -> Letter:
        """Letter `name` to `recipient` (at `to`, else their address); a `topic` makes it one
        they can stop with one click. Links in `context` are paths: the base URL is added here."""
        address = to or recipient.email
        assert address and recipient.id is not None, "letters go to local accounts with an address"
        unsubscribe_url = (
            self.url(unsubscribe_path(self.settings.secret_key, recipient.id, topic))
            if topic is not None
            else None
        )
        locale = locale_of(recipient)
        values = {
            "recipient": recipient,
            "locale": locale,
            "instance_name": self.settings.instance_name,
            "base_url": self.settings.base_url,
            "url": self.url,
            "unsubscribe_url": unsubscribe_url,
            **context,
        }
        environment = self.environments[locale]
        text = environment.get_template(f"{name}.txt").make_module(values)
        return Letter(
            to=address,
            subject=" ".join(str(getattr(text, "subject", "")).split()),  # no header injection
            text=str(text).strip() + "\n",
            html=environment.get_template(f"{name}.html").render(values),
            message_id=make_msgid(domain=urlsplit(self.settings.base_url).hostname),
            unsubscribe_url=unsubscribe_url,
        )

    def url(self, path: str) -> str:
        return self.settings.base_url + path


def locale_of(account: Account) -> str:
    """The account's chosen language; mail has no browser to ask, so else the default."""
    return account.locale if account.locale in SUPPORTED_LOCALES else DEFAULT_LOCALE
