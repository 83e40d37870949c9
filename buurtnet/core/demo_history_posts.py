"""A month of the demo's history in posts (`demo_history`): messages and their replies, likes,
requests for help (most of them answered) and offers, a poll, and reports that a moderator took
up and closed.

Posts, polls and reports are made through core as residents' clicks would be, then dated back.
Likes and votes, the many small acts, are written as rows at their moments with the counts kept
in step: one at a time through core (which checks what each liker may see, and tells the
author) they made the demo take half a minute, and they count the same in the figures.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import permissions, polls, posts
from buurtnet.core.demo_timeline import Neighbours, Timeline
from buurtnet.models import Account, Like, Poll, PollVote, Post, PostKind, ReportCategory
from buurtnet.moderation import reports

POLL_DAYS = 7
EARLY = 20  # the last day a poll or a run of adverts starts: it ends within the month
ANSWERED = 0.8  # the share of requests for help that get an answer

MESSAGES = (
    "Goedemorgen buren! Wat een mooie dag om even door het park te lopen.",
    "Weet iemand of de bibliotheekbus deze week weer komt?",
    "Vanavond om 19.00 uur wordt het oud papier opgehaald. Vergeet uw container niet!",
    "De lantaarnpaal op de hoek van de Spechtstraat doet het niet. Ik heb het gemeld.",
    "Wat fijn dat de bankjes op het plein weer geverfd zijn.",
    "Er loopt een grijze kat rond bij nummer 12. Is hij van iemand?",
    "De kinderen hebben stoepkrijttekeningen gemaakt bij de school. Echt de moeite waard!",
    "Welkom aan de nieuwe buren op de Lijsterlaan!",
    "Wie heeft er tips voor een goede fietsenmaker in de buurt?",
    "Zaterdag is de markt weer open. Tot dan!",
    "Ik heb een pan soep over. Wie wil een bakje?",
    "Let op: de Merelstraat is volgende week twee dagen afgesloten voor werk aan de riolering.",
)
REPLIES = (
    "Dank u wel voor het delen!",
    "Goed om te weten, bedankt.",
    "Dat vind ik ook!",
    "Ik kom graag even kijken.",
    "Leuk idee. Ik doe mee.",
    "Bij ons in de straat ook.",
    "Ik weet het niet, maar ik vraag het aan mijn buurvrouw.",
    "Wat goed geregeld!",
)
HELP_REQUESTS = (
    "Wie kan mij helpen met het ophangen van een lamp? Ik heb geen ladder.",
    "Kan iemand volgende week twee dagen mijn planten water geven?",
    "Ik zoek iemand die mij wil helpen met een formulier van de gemeente.",
    "Wie wil mij woensdag naar het ziekenhuis brengen? Ik betaal de benzine.",
    "Mijn fietsband is lek. Heeft iemand een pomp en een plakset?",
    "Kan iemand mij uitleggen hoe ik videobellen doe met mijn kleinkinderen?",
)
HELP_ANSWERS = (
    "Ik kan u helpen. Ik stuur u een bericht.",
    "Dat doe ik graag. Zaterdag heb ik tijd.",
    "Ik heb een ladder die u mag lenen.",
    "Ik kom morgen even langs.",
)
OFFERS = (
    "Gratis af te halen: een kinderstoel, nog in goede staat.",
    "Ik heb te veel appels uit de tuin. Pak er gerust een paar bij de voordeur.",
    "Wie wil mijn oude naaimachine hebben? Hij doet het nog prima.",
    "Ik kan op zaterdag boodschappen meenemen voor wie slecht ter been is.",
    "Een doos met kinderboeken, gratis voor wie wil.",
)
POLLS = (
    ("Waar zullen we de nieuwe plantenbakken zetten?", ("Op het plein", "Bij de school")),
    ("Welke dag past u het best voor de buurtborrel?", ("Vrijdag", "Zaterdag", "Zondag")),
    ("Zullen we een buurtbibliotheekje maken?", ("Ja, graag", "Nee, liever niet")),
    ("Welk speeltoestel wilt u in de speeltuin?", ("Een schommel", "Een klimrek")),
)
OUTCOME = "We hebben de buur gevraagd hier geen reclame meer te plaatsen."
ADVERT = "TE KOOP: goedkope zonnepanelen, alleen vandaag! Bel 06-98765432."


@dataclass(frozen=True)
class Liveliness:
    """How much happens in a neighbourhood in a month."""

    messages: int
    replies: int
    likes: int
    help_requests: int
    offers: int


async def month_of_posts(
    session: AsyncSession,
    timeline: Timeline,
    neighbours: Neighbours,
    month: date,
    liveliness: Liveliness,
) -> list[Post]:
    """The month's posts that start a conversation, with their replies and likes."""
    rng = timeline.rng
    started = [
        await write(session, timeline, neighbours, month, rng.choice(MESSAGES), PostKind.MESSAGE)
        for _ in range(liveliness.messages)
    ]
    started += [
        await write(session, timeline, neighbours, month, rng.choice(OFFERS), PostKind.OFFER)
        for _ in range(liveliness.offers)
    ]
    for _ in range(liveliness.help_requests):
        kind = PostKind.HELP_REQUEST
        request = await write(session, timeline, neighbours, month, rng.choice(HELP_REQUESTS), kind)
        started.append(request)
        if rng.random() < ANSWERED:
            await reply(session, timeline, neighbours, request, rng.choice(HELP_ANSWERS))
    for _ in range(liveliness.replies):
        await reply(session, timeline, neighbours, rng.choice(started), rng.choice(REPLIES))
    liked = Counter(rng.choice(started).id for _ in range(liveliness.likes))
    for post in started:
        add_likes(session, timeline, neighbours, post, liked[post.id])
    return started


async def write(
    session: AsyncSession,
    timeline: Timeline,
    neighbours: Neighbours,
    month: date,
    text: str,
    kind: PostKind,
) -> Post:
    when = timeline.moment(month)
    author = neighbours.one(timeline.rng, when)
    return dated(await posts.create_post(session, author, posts.Draft(text, kind=kind)), when)


async def reply(
    session: AsyncSession, timeline: Timeline, neighbours: Neighbours, parent: Post, text: str
) -> Post:
    when = timeline.later(parent.created_at, 1, 48)
    author = neighbours.one(timeline.rng, when, besides=parent.author_id)
    draft = posts.Draft(text, in_reply_to_id=parent.id)
    return dated(await posts.create_post(session, author, draft), when)


def add_likes(
    session: AsyncSession, timeline: Timeline, neighbours: Neighbours, post: Post, count: int
) -> None:
    """`count` likes of neighbours who lived there when it was posted, in the days after."""
    assert post.id is not None
    present = neighbours.some(timeline.rng, post.created_at, count + 1)
    likers = [person.id for person in present if person.id and person.id != post.author_id]
    for liker in likers[:count]:
        liked_at = timeline.later(post.created_at, 0, 72)
        session.add(Like(account_id=liker, post_id=post.id, created_at=liked_at))
    post.like_count += len(likers[:count])


def dated(post: Post, when: datetime) -> Post:
    post.created_at = when
    return post


async def poll(
    session: AsyncSession, timeline: Timeline, neighbours: Neighbours, month: date, voters: int
) -> None:
    """A poll of a week, early in the month, and the votes cast in it."""
    rng = timeline.rng
    question, options = rng.choice(POLLS)
    when = timeline.moment(month, last=EARLY)
    author = neighbours.one(rng, when)
    draft = posts.Draft(question, poll=polls.PollDraft(options, duration=timedelta(days=POLL_DAYS)))
    post = dated(await posts.create_post(session, author, draft), when)
    assert post.id is not None
    ends_at = when + timedelta(days=POLL_DAYS)
    choices = await polls.options_of(session, post.id)
    present = neighbours.some(rng, when, voters + 1)
    cast = [person.id for person in present if person.id and person.id != author.id][:voters]
    for voter in cast:
        choice = rng.choice(choices)
        assert choice.id is not None
        voted_at = min(timeline.later(when, 1, 24 * POLL_DAYS), ends_at)
        session.add(
            PollVote(option_id=choice.id, account_id=voter, post_id=post.id, created_at=voted_at)
        )
        choice.votes += 1
    found = await session.get(Poll, post.id)
    assert found is not None
    found.voters_count = len(cast)
    found.ends_at = ends_at
    found.ended_at = ends_at if ends_at < timeline.now else None  # its end handled already


async def handled_reports(
    session: AsyncSession,
    timeline: Timeline,
    neighbours: Neighbours,
    reported: list[Post],
    count: int,
    moderator: Account,
) -> None:
    """Reports of the adverts, each taken up and closed by the moderator."""
    rng = timeline.rng
    roles = await permissions.roles_of(session, moderator)
    for _ in range(count):
        post = rng.choice(reported)
        assert post.id is not None
        filed_at = timeline.later(post.created_at, 1, 72)
        reporter = neighbours.one(rng, filed_at, besides=post.author_id)
        draft = reports.ReportDraft(ReportCategory.SPAM, "Dit is reclame.", (post.id,))
        report = await reports.file_report(session, reporter, post.author_id, draft)
        assert report.id is not None
        await reports.take(session, moderator, roles, report.id)
        await reports.close(session, moderator, roles, report.id, resolved=True, outcome=OUTCOME)
        report.created_at = filed_at
        report.responded_at = timeline.later(filed_at, 1, 40)
        report.closed_at = timeline.later(report.responded_at, 0, 72)


async def adverts(
    session: AsyncSession, timeline: Timeline, neighbours: Neighbours, month: date, count: int
) -> list[Post]:
    """An account that posts adverts in a month: what the reports of that month are about."""
    when = timeline.moment(month, last=EARLY)
    seller = neighbours.one(timeline.rng, when)
    found = []
    for number in range(count):
        draft = posts.Draft(f"{ADVERT} ({number + 1})")
        found.append(dated(await posts.create_post(session, seller, draft), when))
    return found
