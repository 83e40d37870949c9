"""The letters about the account itself: confirm an address, a change told to the old address,
and a link for a new password. They have no topic (`letters`): nobody can switch them off, and
they go to an address whether or not it is confirmed, since confirming is what they are for.

Each is queued in the caller's transaction, with the link it carries (`outbox`).
"""

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet import paths
from buurtnet.core import email_addresses, password_reset
from buurtnet.core.email_addresses import ChangeOutcome, Confirmation
from buurtnet.core.password_reset import ResetLink
from buurtnet.mail import outbox
from buurtnet.mail.letters import Letters
from buurtnet.models import Account

CONFIRM_DAYS = email_addresses.CONFIRM_LIFETIME.days
RESET_HOURS = int(password_reset.RESET_LIFETIME.total_seconds() // 3600)


async def confirm_new_account(session: AsyncSession, letters: Letters, account: Account) -> None:
    """The confirmation mail of a sign-up, with the account it confirms."""
    await session.flush()  # the new account's id
    queue_confirmation(session, letters, await email_addresses.start_confirmation(session, account))


def queue_confirmation(session: AsyncSession, letters: Letters, confirmation: Confirmation) -> None:
    letter = letters.write(
        "confirm_address",
        confirmation.account,
        to=confirmation.email,
        link=paths.confirm_address(confirmation.token),
        days=CONFIRM_DAYS,
        is_change=confirmation.is_change,
    )
    outbox.queue(session, letter)


def queue_change(session: AsyncSession, letters: Letters, change: ChangeOutcome) -> None:
    """The link to the new address; and to the old one, when it is the resident's (confirmed),
    word that the address is being changed, so someone who borrowed the session is noticed."""
    confirmation = change.confirmation
    assert confirmation is not None
    queue_confirmation(session, letters, confirmation)
    if change.old_email_confirmed:
        letter = letters.write(
            "address_changing", confirmation.account, new_email=confirmation.email
        )
        outbox.queue(session, letter)


def queue_reset(
    session: AsyncSession, letters: Letters, link: ResetLink, *, by_admin: bool = False
) -> None:
    letter = letters.write(
        "password_reset",
        link.account,
        link=paths.password_reset(link.token),
        hours=RESET_HOURS,
        by_admin=by_admin,
    )
    outbox.queue(session, letter)
