"""A demo neighbourhood with a few people in every role, to try buurtnet on a laptop."""

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import accounts, invites, neighbourhoods, site
from buurtnet.core.errors import NotFound
from buurtnet.models import Account, AccountStatus, Neighbourhood, RegistrationMode, Role

DEMO_SLUG = "vogelwijk"
DEMO_PASSWORD = "welkom-in-de-buurt"  # printed on purpose: only for a demo on one's own machine
DEMO_PEOPLE = (
    ("anna", "Anna de Vries", Role.RESIDENT),
    ("bram", "Bram Jansen", Role.RESIDENT),
    ("fatima", "Fatima El Amrani", Role.RESIDENT),
    ("mila", "Mila (moderator)", Role.MODERATOR),
    ("dirk", "Dirk (buurtregisseur)", Role.DIRECTOR),
    ("beheerder", "Beheerder", Role.ADMIN),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: Role


async def create_demo(session: AsyncSession) -> tuple[Neighbourhood, list[DemoLogin]]:
    """Create the demo (or find it when it exists) and return its logins."""
    try:
        neighbourhood = await neighbourhoods.get_by_slug(session, DEMO_SLUG)
    except NotFound:
        neighbourhood = await neighbourhoods.create_neighbourhood(
            session,
            DEMO_SLUG,
            "Vogelwijk",
            "Een voorbeeldbuurt om Buurtnet te proberen. Hier wonen Anna, Bram en Fatima.",
        )
        await _add_people(session, neighbourhood)
        await site.set_registration_mode(session, RegistrationMode.INVITE)
    logins = [DemoLogin(username, DEMO_PASSWORD, role) for username, _, role in DEMO_PEOPLE]
    return neighbourhood, logins


async def _add_people(session: AsyncSession, neighbourhood: Neighbourhood) -> None:
    created: dict[str, Account] = {}
    for username, display_name, role in DEMO_PEOPLE:
        created[username] = await accounts.create_account(
            session,
            accounts.NewAccount(
                username=username,
                email=f"{username}@example.org",
                password=DEMO_PASSWORD,
                display_name=display_name,
                role=role,
                neighbourhood_id=neighbourhood.id,
            ),
        )
    # Someone who waits for a moderator, so that Mila has a sign-up to look at.
    await accounts.create_account(
        session,
        accounts.NewAccount(
            username="sanne",
            email="sanne@example.org",
            password=DEMO_PASSWORD,
            display_name="Sanne Bakker",
            status=AccountStatus.PENDING,
            neighbourhood_id=neighbourhood.id,
        ),
    )
    await session.flush()
    await invites.create_invite(session, neighbourhood, created["dirk"])
