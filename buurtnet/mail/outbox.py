"""Queueing a letter with the change that causes it, and the worker's job that sends it.

A letter is queued in the caller's transaction (the job queue's outbox), so a reset link exists
only if its token does, and a mail is never sent for a change that was rolled back. The worker
sends it; a server that is away leaves it queued and retried for about a week (`job_queue`),
never in a request, never lost. The queued job holds the whole letter, links included, until it
is sent.
"""

from dataclasses import asdict

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet import job_queue
from buurtnet.config import Settings
from buurtnet.job_queue import Payload, Registry
from buurtnet.mail.letters import Letter
from buurtnet.mail.message import build_message
from buurtnet.mail.transport import Transport, transport_for

SEND_MAIL = "mail.send"


def queue(session: AsyncSession, letter: Letter) -> None:
    job_queue.enqueue(session, SEND_MAIL, asdict(letter))


def register(registry: Registry, settings: Settings, transport: Transport | None = None) -> None:
    chosen = transport or transport_for(settings)

    async def send(payload: Payload) -> None:
        try:
            letter = Letter(**payload)
        except TypeError as error:
            raise job_queue.PermanentFailure("not a letter") from error
        message = build_message(
            letter, sender=settings.sender, instance_name=settings.instance_name
        )
        await chosen.send(message, recipients=[letter.to])

    registry.register(SEND_MAIL, send, private=True)  # its links must not outlive it
