"""The weekly digest of a neighbourhood: who joined, who asks for help and who offers it, what
was talked about most, and the activities coming up; for each resident only what they may see.

Once a week, from Friday 16:00 on the instance's calendar (`send_moment`), a worker's periodic
task (`mail/digest_mail`) takes the residents whose digest is due (`take_due`) in batches. The
news of a neighbourhood is read once per batch, as candidates (`digest_news`): what its page
lists, published, of the past week. Which of them each resident of the batch may see is then
asked in one statement per batch, with the one visibility policy (`visibility.visible_to_viewer`,
run on the pairs of residents and candidates; plus, as on the neighbourhood's page, the people
they muted and limited authors they do not follow). One's own posts are not news to oneself.

Sent once: the batch's rows are locked (`SKIP LOCKED` on PostgreSQL; SQLite has one writer at a
time), and `digest_sent_at` is set by an UPDATE that repeats the condition of being due, in the
transaction in which the caller queues the mails. Two workers, or a restart, cannot send a
digest twice. A digest with nothing in it is not sent, but counts as this week's.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import feeds, local_times, mail_choices, names, visibility
from buurtnet.core.digest_news import SHOWN, Item, News, Week, neighbourhood_news
from buurtnet.models import Account, Neighbourhood, Post, utcnow

SEND_WEEKDAY = 4  # Friday (Monday is 0): the weekend's plans can still be made
SEND_TIME = time(16, 0)
WEEK = timedelta(days=7)
BATCH = 500  # residents a turn


@dataclass(frozen=True)
class Digest:
    recipient: Account
    neighbourhood: Neighbourhood
    news: News  # as this recipient may see it

    @property
    def is_empty(self) -> bool:
        return self.news.is_empty


def send_moment(now: datetime, zone: ZoneInfo) -> datetime:
    """The latest Friday 16:00 on the instance's calendar at or before `now` (UTC)."""
    today = local_times.local_day(now, zone)
    friday = today - timedelta(days=(today.weekday() - SEND_WEEKDAY) % 7)
    moment = local_times.to_utc(friday, SEND_TIME, zone)  # never in a skipped hour (02:00-03:00)
    if moment > now:
        moment = local_times.to_utc(friday - WEEK, SEND_TIME, zone)
    return moment


async def take_due(
    session: AsyncSession, zone: ZoneInfo, now: datetime | None = None
) -> list[Digest]:
    """This week's digests for a batch of residents whose digest is due, each marked as sent.
    An empty list: nobody is due (any more) this week."""
    now = now or utcnow()
    moment = send_moment(now, zone)
    due = and_(
        or_(col(Account.digest_sent_at).is_(None), col(Account.digest_sent_at) < moment),
        col(Account.created_at) < moment,  # a newcomer's first digest is next week's
    )
    return await _take(session, due, Week(moment - WEEK, moment), now=now)


async def take_first(
    session: AsyncSession, usernames: Collection[str], now: datetime | None = None
) -> list[Digest]:
    """The first digests of these residents, now, with the past seven days: for the demo, whose
    people should find one in the mail folder at once. Nothing for who had one already."""
    now = now or utcnow()
    keys = sorted(names.name_key(username) for username in usernames)
    due = and_(col(Account.digest_sent_at).is_(None), col(Account.username_key).in_(keys))
    return await _take(session, due, Week(now - WEEK, now), now=now)


async def _take(
    session: AsyncSession, due: ColumnElement[bool], week: Week, *, now: datetime
) -> list[Digest]:
    by_place: dict[int, list[Account]] = defaultdict(list)
    for resident in await _claim(session, due, now):
        assert resident.neighbourhood_id is not None
        by_place[resident.neighbourhood_id].append(resident)
    digests = []
    for place_id, residents in sorted(by_place.items()):
        place = await session.get(Neighbourhood, place_id)
        assert place is not None
        news = await neighbourhood_news(session, place_id, week, now=now)
        digests += await _as_seen(session, place, news, residents)
    return digests


async def _claim(session: AsyncSession, due: ColumnElement[bool], now: datetime) -> list[Account]:
    """A batch of residents who want a digest and are `due`, marked as sent `now`."""
    wanted = and_(
        mail_choices.may_get_news_by_mail(),
        col(Account.weekly_digest),
        col(Account.neighbourhood_id).is_not(None),
        due,
    )
    query = (
        select(col(Account.id))
        .where(wanted)
        .order_by(col(Account.neighbourhood_id), col(Account.id))
        .limit(BATCH)
        .with_for_update(of=Account, skip_locked=True)
    )
    ids = [account_id for account_id in (await session.exec(query)).all() if account_id]
    if not ids:
        return []
    # The condition again, in the UPDATE: only who is still due is marked, and gets a digest.
    claim = (
        update(Account)
        .where(col(Account.id).in_(ids), wanted)
        .values(digest_sent_at=now)
        .returning(col(Account.id))
        .execution_options(synchronize_session=False)
    )
    claimed = list((await session.exec(claim)).scalars().all())
    return list((await session.exec(select(Account).where(col(Account.id).in_(claimed)))).all())


async def _as_seen(
    session: AsyncSession, place: Neighbourhood, news: News, residents: Sequence[Account]
) -> list[Digest]:
    """Each resident's digest: the candidates they may see, in two statements for them all."""
    ids = [resident.id for resident in residents if resident.id is not None]
    seen = await _seen_posts(session, ids, news.post_ids())
    met = await _seen_newcomers(session, ids, [n.id for n in news.newcomers if n.id])
    digests = []
    for resident in residents:
        posts, people = seen.get(resident.id or 0, set()), met.get(resident.id or 0, set())
        shown: set[int] = set()  # a post in one part is not repeated in a later one
        digest_news = News(
            newcomers=[person for person in news.newcomers if person.id in people][:SHOWN],
            help_asked=_first(news.help_asked, posts, shown),
            help_offered=_first(news.help_offered, posts, shown),
            most_replied=_first(news.most_replied, posts, shown),
            activities=[item for item in news.activities if item.post.id in posts][:SHOWN],
        )
        digests.append(Digest(resident, place, digest_news))
    return digests


def _first(items: Iterable[Item], seen: set[int], shown: set[int]) -> list[Item]:
    chosen = [item for item in items if item.post.id in seen and item.post.id not in shown]
    chosen = chosen[:SHOWN]
    shown.update(item.post.id for item in chosen if item.post.id is not None)
    return chosen


async def _seen_posts(
    session: AsyncSession, resident_ids: list[int], post_ids: list[int]
) -> dict[int, set[int]]:
    """Which of the posts each resident may see, and would find on the neighbourhood's page."""
    if not post_ids:
        return {}
    viewer, home = col(Account.id), col(Account.neighbourhood_id)
    query = select(viewer, col(Post.id)).where(
        viewer.in_(resident_ids),
        col(Post.id).in_(post_ids),
        col(Post.author_id) != viewer,
        visibility.visible_to_viewer(viewer, home),
        visibility.not_muted_by_id(viewer),
        feeds.listed_in_neighbourhood(viewer),
    )
    return _pairs((await session.exec(query)).all())


async def _seen_newcomers(
    session: AsyncSession, resident_ids: list[int], newcomer_ids: list[int]
) -> dict[int, set[int]]:
    """Which newcomers each resident hears of: not themselves, nor anyone they block or mute or
    who blocks them (as `notifications.notify_many` tells of newcomers)."""
    if not newcomer_ids:
        return {}
    newcomer = aliased(Account)
    viewer, other = col(Account.id), col(newcomer.id)
    query = select(viewer, other).where(
        viewer.in_(resident_ids),
        other.in_(newcomer_ids),
        other != viewer,
        ~visibility.blocks_either_way(viewer, other),
        visibility.not_muted_by_id(viewer, other),
    )
    return _pairs((await session.exec(query)).all())


def _pairs(rows: Iterable[tuple[int | None, int | None]]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for first, second in rows:
        if first is not None and second is not None:
            found[first].add(second)
    return found
