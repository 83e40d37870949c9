"""A real SMTP server in the test process (aiosmtpd), and ways to read what reached it.

A test module that sends mail asks for the `smtp_server` fixture and overrides `settings`:

    @pytest.fixture
    def settings(settings: Settings, smtp_server: SmtpCatcher) -> Settings:
        return with_smtp(settings, smtp_server)

Mail is sent by the worker: `await run_queue(app)` (tests.kit.federation) after the request.
"""

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from buurtnet.config import Settings, SmtpSecurity, SmtpServer


@dataclass
class SmtpCatcher:
    """What the server received, with its envelope; `refuse_with` makes it answer DATA so."""

    port: int
    received: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    refuse_with: str | None = None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse_with:
            return self.refuse_with
        assert isinstance(envelope.content, bytes)
        parsed = BytesParser(policy=policy.default).parsebytes(envelope.content)
        assert isinstance(parsed, EmailMessage)
        self.received.append(parsed)
        self.recipients.append([str(to) for to in envelope.rcpt_tos])
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.received if message["To"] == address]

    def only_to(self, address: str) -> EmailMessage:
        found = self.to(address)
        assert len(found) == 1, [message["Subject"] for message in found]
        return found[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp_server() -> Iterator[SmtpCatcher]:
    with running_server() as catcher:
        yield catcher


@contextmanager
def running_server(**options: Any) -> Iterator[SmtpCatcher]:
    """A server with aiosmtpd's `options` (e.g. `enable_SMTPUTF8=False`, the default is on)."""
    catcher = SmtpCatcher(port=free_port())
    controller = Controller(catcher, hostname="127.0.0.1", port=catcher.port, **options)
    controller.start()
    try:
        yield catcher
    finally:
        controller.stop()


def with_smtp(settings: Settings, catcher: SmtpCatcher | None, **changes: Any) -> Settings:
    """`settings` sending through `catcher` (None: a port where no server listens)."""
    port = catcher.port if catcher else free_port()
    server = SmtpServer("127.0.0.1", port, SmtpSecurity.STARTTLS_IF_OFFERED)
    return replace(settings, smtp=server, **changes)


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert isinstance(part, EmailMessage)
    content: str = part.get_content()
    return content


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert isinstance(part, EmailMessage)
    content: str = part.get_content()
    return content
