"""Joining a neighbourhood: the neighbours are told once ("Nieuw in de buurt: Jan"), and the
newcomer gets a welcome page for a photo, a line about themselves and the street or complex
they live in.

The neighbours are told when an account becomes an active member: at sign-up with an invite
code (`registration`) or when a moderator approves a sign-up (`moderation/approvals`), each of
which happens once per account. Not in `accounts.add_account`: the command line, the demo and
tests create accounts there, sometimes by the dozen, and nobody moved in.
"""

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import accounts, neighbourhoods, notifications, outbound, places
from buurtnet.models import Account, AccountStatus, NotificationKind, utcnow


async def announce_newcomer(session: AsyncSession, newcomer: Account) -> None:
    """Tell the other active members of the newcomer's neighbourhood, if the newcomer is an
    active member of one (people who block or mute them are not told: `notify_many`)."""
    if newcomer.neighbourhood_id is None or newcomer.status != AccountStatus.ACTIVE:
        return
    await session.flush()
    assert newcomer.id is not None
    members = await neighbourhoods.member_ids(session, newcomer.neighbourhood_id)
    await notifications.notify_many(session, members, newcomer.id, NotificationKind.NEW_NEIGHBOUR)


async def save_welcome(
    session: AsyncSession,
    account: Account,
    *,
    bio: str,
    place: str,
    avatar_key: str | None = None,
) -> Account:
    """Save what the newcomer filled in (a new photo when `avatar_key` is given; an empty
    place is "not said"), and that the welcome is done; `InvalidInput` when a value is wrong.
    A neighbourhood that lists no places shows no choice: the place chosen before is kept."""
    neighbourhood = await accounts.home_neighbourhood(session, account)
    listing = neighbourhood.places if neighbourhood else ""
    chosen = places.checked_choice(listing, place) if places.listed(listing) else None
    cleaned_bio = accounts.checked_bio(bio)
    stored = await _welcomed(session, account)
    if chosen is not None:
        stored.place = chosen
    if avatar_key is not None:
        stored = await accounts.set_avatar(session, stored, avatar_key)
    if cleaned_bio != stored.bio:
        stored.bio = cleaned_bio
        await outbound.profile_updated(session, stored)
    return stored


async def skip_welcome(session: AsyncSession, account: Account) -> Account:
    """The newcomer would rather not now: the home page stops offering the welcome."""
    return await _welcomed(session, account)


async def _welcomed(session: AsyncSession, account: Account) -> Account:
    stored = await session.get(Account, account.id)
    assert stored is not None
    stored.welcomed_at = stored.welcomed_at or utcnow()
    return stored


def place_shown_to(person: Account, viewer: Account | None) -> str:
    """A resident's street or complex, for their neighbours only (and themselves): on a page
    anyone can open, it would tell strangers where they live."""
    if not person.place or viewer is None or viewer.domain is not None:
        return ""
    same_neighbourhood = person.neighbourhood_id is not None and (
        viewer.neighbourhood_id == person.neighbourhood_id
    )
    return person.place if viewer.id == person.id or same_neighbourhood else ""
