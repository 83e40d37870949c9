"""A demo neighbourhood with a few people in every role, to try buurtnet on a laptop: their posts,
a clean-up to come and one that is over, and a poll (`demo_activities`); and behind that half a
year of history in it and in a second, smaller neighbourhood, with the liveability figures
worked out (`demo_history`)."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import (
    accounts,
    demo_activities,
    demo_history,
    interactions,
    invites,
    neighbourhoods,
    passwords,
    posts,
    relations,
    site,
)
from buurtnet.core.errors import NotFound
from buurtnet.models import (
    Account,
    AccountStatus,
    Duty,
    Neighbourhood,
    PostKind,
    RegistrationMode,
    ReportCategory,
    Role,
    Visibility,
    utcnow,
)
from buurtnet.moderation import reports

DEMO_SLUG = "vogelwijk"
DEMO_PASSWORD = "welkom-in-de-buurt"  # printed on purpose: only for a demo on one's own machine
DEMO_TIME_ZONE = "Europe/Amsterdam"  # the clock the demo's activities are planned on
# Name, display name, instance role, and duty in the demo neighbourhood.
DEMO_PEOPLE: tuple[tuple[str, str, Role, Duty | None], ...] = (
    ("anna", "Anna de Vries", Role.RESIDENT, None),
    ("bram", "Bram Jansen", Role.RESIDENT, None),
    ("fatima", "Fatima El Amrani", Role.RESIDENT, None),
    ("mila", "Mila (moderator)", Role.RESIDENT, Duty.MODERATOR),
    ("kees", "Kees (moderator)", Role.RESIDENT, Duty.MODERATOR),
    ("dirk", "Dirk (buurtregisseur)", Role.RESIDENT, Duty.DIRECTOR),
    ("beheerder", "Beheerder", Role.ADMIN, None),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str  # what the person does: resident, moderator, director or admin
    neighbourhood: str = DEMO_SLUG  # the slug of where they live


async def create_demo(
    session: AsyncSession,
    *,
    time_zone: str = DEMO_TIME_ZONE,
    now: datetime | None = None,
    history: bool = True,
) -> tuple[Neighbourhood, list[DemoLogin]]:
    """Create the demo (or find it when it exists: nothing is added twice) and return its
    logins. Its activities are planned on `time_zone`'s clock, relative to `now`; its history
    lies in the months before (tests of today's part leave it out: it takes a few seconds)."""
    now, zone = now or utcnow(), ZoneInfo(time_zone)
    try:
        neighbourhood = await neighbourhoods.get_by_slug(session, DEMO_SLUG)
    except NotFound:
        neighbourhood = await neighbourhoods.create_neighbourhood(
            session,
            DEMO_SLUG,
            "Vogelwijk",
            "Een voorbeeldbuurt om Buurtnet te proberen. Hier wonen Anna, Bram en Fatima.",
        )
        # One hash for everyone: the demo's password is the same for all, and a hash takes 0.1 s.
        password_hash = await passwords.hash_password(DEMO_PASSWORD)
        people = await _add_people(session, neighbourhood, password_hash)
        if history:  # first, so that today's posts are also the newest by number
            await demo_history.add_history(session, neighbourhood, people, password_hash, now, zone)
        await _add_conversation(session, people)
        await demo_activities.add_activities(session, people, now, zone)
        await site.set_registration_mode(session, RegistrationMode.INVITE)
        if history:
            await demo_history.work_out_figures(session, now, zone)
    logins = [
        DemoLogin(username, DEMO_PASSWORD, duty or role) for username, _, role, duty in DEMO_PEOPLE
    ]
    if history:
        logins += [
            DemoLogin(username, DEMO_PASSWORD, duty or Role.RESIDENT, demo_history.SECOND_SLUG)
            for username, _, duty in demo_history.SECOND_PEOPLE
        ]
    return neighbourhood, logins


async def _add_people(
    session: AsyncSession, neighbourhood: Neighbourhood, password_hash: str
) -> dict[str, Account]:
    created: dict[str, Account] = {}
    for username, display_name, role, duty in DEMO_PEOPLE:
        created[username] = await accounts.add_account(
            session,
            accounts.NewAccount(
                username=username,
                email=f"{username}@example.org",
                password=DEMO_PASSWORD,
                display_name=display_name,
                role=role,
                neighbourhood_id=neighbourhood.id,
                duty=duty,
                email_confirmed=True,
            ),
            password_hash,
        )
    # Someone who waits for a moderator, so that Mila has a sign-up to look at.
    await accounts.add_account(
        session,
        accounts.NewAccount(
            username="sanne",
            email="sanne@example.org",
            password=DEMO_PASSWORD,
            display_name="Sanne Bakker",
            status=AccountStatus.PENDING,
            neighbourhood_id=neighbourhood.id,
            email_confirmed=True,
        ),
        password_hash,
    )
    await session.flush()
    await invites.create_invite(session, neighbourhood, created["dirk"])
    return created


async def _add_conversation(session: AsyncSession, people: dict[str, Account]) -> None:
    """A few posts, so the home page shows what neighbours do here."""
    anna, bram, fatima = people["anna"], people["bram"], people["fatima"]
    welcome = await posts.create_post(
        session,
        fatima,
        posts.Draft(
            "Hallo buren! Ik woon sinds kort in de Merelstraat. Leuk om jullie hier te zien.",
            visibility=Visibility.PUBLIC,
        ),
    )
    question = await posts.create_post(
        session,
        anna,
        posts.Draft(
            "Wie kan mij zaterdag helpen met een kast naar boven tillen? Koffie staat klaar!",
            kind=PostKind.HELP_REQUEST,
        ),
    )
    await posts.create_post(
        session,
        bram,
        posts.Draft(
            "Ik kom om 10 uur, @anna. Zal ik een steekkarretje meenemen?",
            in_reply_to_id=question.id,
        ),
    )
    await posts.create_post(
        session,
        bram,
        posts.Draft(
            "Binnenkort weer #opruimen in het park. Doet u mee? Handschoenen en zakken liggen "
            "klaar bij het buurthuis.",
        ),
    )
    await posts.create_post(
        session,
        fatima,
        posts.Draft(
            "Ik heb een kinderfiets over (6-8 jaar). Gratis op te halen.", kind=PostKind.OFFER
        ),
    )
    assert welcome.id is not None and bram.id is not None
    await interactions.like(session, anna, welcome.id)
    await relations.follow(session, anna, bram.id)
    await _add_report(session, people)


async def _add_report(session: AsyncSession, people: dict[str, Account]) -> None:
    """Something for the moderators (Mila and Kees) to look at: Fatima reports an advert."""
    advert = await posts.create_post(
        session,
        people["bram"],
        posts.Draft(
            "TE KOOP: goedkope zonnepanelen, alleen vandaag! Bel 06-12345678.",
            visibility=Visibility.PUBLIC,
        ),
    )
    assert advert.id is not None and people["bram"].id is not None
    draft = reports.ReportDraft(
        ReportCategory.SPAM, "Dit is reclame, geen bericht van een buur.", (advert.id,)
    )
    await reports.file_report(session, people["fatima"], people["bram"].id, draft)
