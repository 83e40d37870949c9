"""Sending a message: over SMTP when `BUURTNET_SMTP_URL` is set, else into the mail folder.

SMTP errors are sorted into two kinds. A server that is away, busy or says "try later" (4xx) is
raised as it is, so the job is tried again later; a refusal of the recipient or the message
(5xx) is final (`PermanentFailure`): trying again cannot help, nor can it for an address the
server cannot take at all (SMTPUTF8 it does not offer). Neither error carries the address or the
server's text into the job table or the log, only the reply code.

The envelope is given, never read from the headers: the recipient is the letter's one address and
the sender the bare address of `BUURTNET_MAIL_FROM`, so no header can add a recipient.
"""

from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Protocol

import aiosmtplib

from buurtnet.config import Settings, SmtpSecurity, SmtpServer
from buurtnet.job_queue import PermanentFailure
from buurtnet.mail.folder import MailFolder

SMTP_TIMEOUT = 60.0  # seconds per step; the job's own time limit stops the whole attempt


class Transport(Protocol):
    async def send(self, message: EmailMessage, *, recipients: Sequence[str]) -> None: ...


class SmtpUnavailable(Exception):
    """The server could not take the message now; the job is retried."""


class SmtpTransport:
    def __init__(self, server: SmtpServer, sender: str) -> None:
        self.server = server
        self.sender = sender  # a bare address, for MAIL FROM

    async def send(self, message: EmailMessage, *, recipients: Sequence[str]) -> None:
        server = self.server
        try:
            await aiosmtplib.send(
                message,
                sender=self.sender,
                recipients=list(recipients),
                hostname=server.host,
                port=server.port,
                username=server.username,
                password=server.password,
                use_tls=server.security == SmtpSecurity.TLS,
                start_tls=True if server.security == SmtpSecurity.STARTTLS else None,
                timeout=SMTP_TIMEOUT,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            codes = sorted({refused.code for refused in error.recipients})
            if all(code >= 500 for code in codes):
                raise PermanentFailure(f"SMTP refused the recipient ({codes})") from None
            raise SmtpUnavailable(f"SMTP deferred the recipient ({codes})") from None
        except (aiosmtplib.SMTPDataError, aiosmtplib.SMTPSenderRefused) as error:
            if error.code >= 500:
                raise PermanentFailure(f"SMTP refused the message ({error.code})") from None
            raise SmtpUnavailable(f"SMTP deferred the message ({error.code})") from None
        except aiosmtplib.SMTPNotSupported:
            raise PermanentFailure("SMTP server cannot take this address") from None
        except aiosmtplib.SMTPResponseException as error:
            raise SmtpUnavailable(f"SMTP said {error.code}") from None
        except (aiosmtplib.SMTPException, OSError) as error:
            raise SmtpUnavailable(f"SMTP server unreachable ({type(error).__name__})") from None


def transport_for(settings: Settings) -> Transport:
    if settings.smtp is None:
        return MailFolder(settings.mail_folder)
    return SmtpTransport(settings.smtp, parseaddr(settings.sender)[1])
