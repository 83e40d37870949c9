"""A street for the tests of news by mail (notifications, the weekly digest): Anna and Bram of
Vogelwijk, the app, and a real SMTP server that catches what the worker sends.

A test module asks for it with a fixture of its own, after sending mail to the catcher:

    @pytest.fixture
    def settings(settings: Settings, smtp_server: SmtpCatcher) -> Settings:
        return with_smtp(settings, smtp_server)

    @pytest.fixture
    def street(request: pytest.FixtureRequest) -> Street:
        return Street.of(request)
"""

from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

import pytest
from starlette.applications import Starlette

from buurtnet.db import Database
from buurtnet.mail.letters import Letters
from buurtnet.models import Account, utcnow
from buurtnet.web.services import Services
from tests.mail_kit import SmtpCatcher, text_of


@dataclass(frozen=True)
class Street:
    app: Starlette
    database: Database
    smtp: SmtpCatcher
    anna: Account
    bram: Account

    @classmethod
    def of(cls, request: pytest.FixtureRequest) -> "Street":
        """From the test's fixtures: `app`, `database`, `smtp_server`, `resident`, `neighbour`."""
        names = ("app", "database", "smtp_server", "resident", "neighbour")
        return cls(*(request.getfixturevalue(name) for name in names))

    @property
    def letters(self) -> Letters:
        found: Services = self.app.state.services
        return found.letters

    async def confirm(self, *people: Account, long_ago: bool = False) -> None:
        """Their addresses confirmed; `long_ago`: and residents for a month already."""
        async with self.database.transaction() as session:
            for person in people:
                stored = await session.get(Account, person.id)
                assert stored is not None
                stored.email_confirmed_at = utcnow()
                if long_ago:
                    stored.created_at = utcnow() - timedelta(days=30)

    async def stored(self, account: Account) -> Account:
        """The account as the database has it now."""
        async with self.database.reading() as session:
            found = await session.get(Account, account.id)
            assert found is not None
            return found


def plain(message: EmailMessage) -> str:
    """The plain-text part, with the line ends as Python writes them."""
    return text_of(message).replace("\r\n", "\n")
