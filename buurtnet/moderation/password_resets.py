"""An admin sends a resident a link to set a new password, when the resident asks (by phone, at
the counter) and cannot use the form themselves. The link goes to the account's own address,
never to the admin, so the admin learns no password and cannot log in as the resident; the audit
log keeps who sent it to whom."""

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import login, mail_tokens, password_reset, permissions
from buurtnet.core.errors import InvalidInput, NotAllowed
from buurtnet.core.permissions import Roles
from buurtnet.models import Account, ActionKind
from buurtnet.moderation import audit

USERNAME_LENGTH = 254  # a username, or an e-mail address


async def send_reset_link(
    session: AsyncSession, admin: Account, roles: Roles, username: str
) -> password_reset.ResetLink:
    """A reset link for the local account with this username (or address), in the audit log."""
    if not permissions.is_admin(roles):
        raise NotAllowed
    name = username.strip().removeprefix("@")
    if not name:
        raise InvalidInput.single("username", "role_username_missing")
    account = await login.find_by_login_name(session, name[:USERNAME_LENGTH])
    if account is None or not mail_tokens.may_use_links(account):
        raise InvalidInput.single("username", "reset_person_unknown")
    link = await password_reset.link_for(session, account)
    await audit.record(session, ActionKind.SEND_PASSWORD_RESET, admin, target_account_id=account.id)
    return link
