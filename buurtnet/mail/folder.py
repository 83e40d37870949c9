"""Mail written to a folder instead of sent: the demo and development, where an admin reads it.

One `.eml` file per message, written under a temporary name and then renamed, so a reader never
sees half a message. Names begin with the UTC time, so sorting them sorts the mail.
"""

import asyncio
import os
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

MESSAGE_NAME = re.compile(r"\d{8}-\d{6}-\d{6}-[0-9a-f]{16}\.eml")  # UTC time, random part
SHOWN = 200  # the newest messages the admin page lists
KEPT = 2000  # older messages are removed: the folder is for looking, not an archive


@dataclass(frozen=True)
class StoredMail:
    name: str
    to: str
    subject: str
    date: str


@dataclass(frozen=True)
class MailFolder:
    path: Path

    async def send(self, message: EmailMessage, *, recipients: Sequence[str] = ()) -> None:
        """`recipients` is for the `Transport` protocol only: the folder keeps the message as is."""
        await asyncio.to_thread(self._write, message)

    def _write(self, message: EmailMessage) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
        name = f"{stamp}-{secrets.token_hex(8)}.eml"
        partial = self.path / f".{name}.partial"
        partial.write_bytes(message.as_bytes())
        os.replace(partial, self.path / name)
        for old in sorted(self.path.glob("*.eml"), reverse=True)[KEPT:]:
            old.unlink(missing_ok=True)

    def newest(self, limit: int = SHOWN) -> list[StoredMail]:
        """The newest messages, newest first, as the admin page lists them."""
        if not self.path.is_dir():
            return []
        names = sorted((p.name for p in self.path.glob("*.eml")), reverse=True)[:limit]
        listed = []
        for name in names:
            message = self._parse(name)
            listed.append(
                StoredMail(
                    name=name,
                    to=str(message["To"] or ""),
                    subject=str(message["Subject"] or ""),
                    date=str(message["Date"] or ""),
                )
            )
        return listed

    def read(self, name: str) -> EmailMessage | None:
        """One message by its file name; None for a name that is not a message of this folder."""
        if not is_message_name(name) or not (self.path / name).is_file():
            return None
        return self._parse(name)

    def _parse(self, name: str) -> EmailMessage:
        with (self.path / name).open("rb") as handle:
            parsed = BytesParser(policy=policy.default).parse(handle)
        assert isinstance(parsed, EmailMessage)
        return parsed


def is_message_name(name: str) -> bool:
    """Only names this folder makes: no path, no dot files, nothing from elsewhere on disk."""
    return MESSAGE_NAME.fullmatch(name) is not None
