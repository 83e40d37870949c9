"""Word filters: words and phrases that the moderators of a neighbourhood chose, and a post
there that uses one is held for review (`Post.moderation == "held"`) instead of published. Its
author sees it, waiting for a moderator; nobody else does until a moderator lets it through
(`actions.approve_held`, which publishes it with `posts.publish_held`). An edit that would bring
a filtered word into a published post is refused instead; a held post stays held when edited.

Only what is written for the neighbourhood or for everyone is filtered: a message to one's
followers or to named people is a private conversation that moderators do not read in advance
(it can be reported like any other).

Matching compares whole words, ignoring case, accents, punctuation and invisible characters,
so "Idioot!" and "idioot" match the filter "idioot", but "idioten" does not.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import permissions
from buurtnet.core.errors import InvalidInput, NotAllowed, NotFound
from buurtnet.core.permissions import Roles
from buurtnet.core.text import INVISIBLE_CHARACTERS
from buurtnet.db import insert_new
from buurtnet.models import (
    Account,
    ActionKind,
    ModerationState,
    Neighbourhood,
    Post,
    Visibility,
    WordFilter,
    utcnow,
)
from buurtnet.moderation import audit

PHRASE_LENGTH = 100  # the column's length
MAX_PHRASES = 500  # per neighbourhood: each post is compared with all of them
FILTERED = (Visibility.PUBLIC, Visibility.UNLISTED, Visibility.NEIGHBOURHOOD)
WORD = re.compile(r"[^\W_]+")  # letters and digits of any script; `_` separates, as punctuation
NEEDS_REVIEW = "text_needs_review"


def words(text: str) -> list[str]:
    """The words of a text as filters compare them: lower case, without accents, punctuation
    or invisible characters ("Café-bezoek!" -> ["cafe", "bezoek"])."""
    visible = INVISIBLE_CHARACTERS.sub("", text)
    decomposed = unicodedata.normalize("NFKD", visible.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.category(ch).startswith("M"))
    return WORD.findall(unicodedata.normalize("NFKC", bare))


def normalise(phrase: str) -> str:
    """A phrase as it is stored and compared: its words, one space apart."""
    return " ".join(words(phrase))


def first_match(text: str, phrases: Iterable[str]) -> str | None:
    """The first phrase whose words occur in the text one after another, whole; or None."""
    padded = f" {normalise(text)} "
    for phrase in phrases:
        wanted = normalise(phrase)
        if wanted and f" {wanted} " in padded:
            return phrase
    return None


def matches(text: str, phrases: Iterable[str]) -> bool:
    return first_match(text, phrases) is not None


async def phrases_of(session: AsyncSession, neighbourhood_id: int) -> list[str]:
    found = await session.exec(
        select(WordFilter.phrase).where(col(WordFilter.neighbourhood_id) == neighbourhood_id)
    )
    return list(found.all())


async def filter_used(session: AsyncSession, post: Post, texts: Sequence[str]) -> str | None:
    """The phrase of its neighbourhood's filters that the post's texts use, if the post is one
    that is filtered at all; else None."""
    if post.neighbourhood_id is None or post.visibility not in FILTERED:
        return None
    phrases = await phrases_of(session, post.neighbourhood_id)
    return next(filter(None, (first_match(text, phrases) for text in texts)), None)


async def hold_if_filtered(session: AsyncSession, post: Post, texts: Sequence[str]) -> bool:
    """Hold a new post (flushed, not yet published) whose texts use a filter of its
    neighbourhood: it waits for a moderator, and the audit log says which phrase held it."""
    found = await filter_used(session, post, texts)
    if found is None:
        return False
    post.moderation = ModerationState.HELD
    post.moderated_at = utcnow()
    await audit.record(
        session,
        ActionKind.HOLD_POST,
        None,
        target_post_id=post.id,
        target_account_id=post.author_id,
        neighbourhood_id=post.neighbourhood_id,
        reason=found,  # the phrase that held it
    )
    return True


async def refuse_if_filtered(session: AsyncSession, post: Post, texts: Sequence[str]) -> None:
    """An edit of a published post into one that uses a filter is refused (InvalidInput on the
    text): holding it now would mean taking back what servers elsewhere already have."""
    if await filter_used(session, post, texts) is not None:
        raise InvalidInput.single("source", NEEDS_REVIEW)


@dataclass(frozen=True)
class NeighbourhoodFilters:
    neighbourhood: Neighbourhood
    filters: list[WordFilter]


async def filters_for(session: AsyncSession, roles: Roles) -> list[NeighbourhoodFilters]:
    """The filters of every neighbourhood these roles moderate, by neighbourhood name."""
    places = await session.exec(
        select(Neighbourhood)
        .where(permissions.moderated(roles, col(Neighbourhood.id)))
        .order_by(col(Neighbourhood.name))
    )
    shown = {place.id: NeighbourhoodFilters(place, []) for place in places.all()}
    rows = await session.exec(
        select(WordFilter)
        .where(col(WordFilter.neighbourhood_id).in_([key for key in shown if key is not None]))
        .order_by(col(WordFilter.phrase))
    )
    for row in rows.all():
        shown[row.neighbourhood_id].filters.append(row)
    return list(shown.values())


async def add_phrase(
    session: AsyncSession, moderator: Account, roles: Roles, neighbourhood_id: int, phrase: str
) -> str:
    """A moderator of the neighbourhood adds a word or phrase; it is stored as compared."""
    if not permissions.can_moderate(roles, neighbourhood_id):
        raise NotAllowed
    if await session.get(Neighbourhood, neighbourhood_id) is None:
        raise NotFound(neighbourhood_id)
    stored = normalise(phrase[: PHRASE_LENGTH * 4])
    if not stored:
        raise InvalidInput.single("phrase", "word_filter_empty")
    if len(stored) > PHRASE_LENGTH:
        raise InvalidInput.single("phrase", "word_filter_too_long")
    if len(await phrases_of(session, neighbourhood_id)) >= MAX_PHRASES:
        raise InvalidInput.single("phrase", "word_filter_too_many")
    row = {"neighbourhood_id": neighbourhood_id, "phrase": stored, "created_at": utcnow()}
    if not await insert_new(session, WordFilter, [row], unique=["neighbourhood_id", "phrase"]):
        raise InvalidInput.single("phrase", "word_filter_exists")
    await _log(session, ActionKind.ADD_WORD_FILTER, moderator, neighbourhood_id, stored)
    return stored


async def remove_phrase(
    session: AsyncSession, moderator: Account, roles: Roles, filter_id: int
) -> WordFilter:
    """A moderator of its neighbourhood removes a filter; posts it held stay held."""
    found = await session.get(WordFilter, filter_id)
    if found is None:
        raise NotFound(filter_id)
    if not permissions.can_moderate(roles, found.neighbourhood_id):
        raise NotAllowed
    await session.exec(delete(WordFilter).where(col(WordFilter.id) == filter_id))
    await _log(
        session, ActionKind.REMOVE_WORD_FILTER, moderator, found.neighbourhood_id, found.phrase
    )
    return found


async def _log(
    session: AsyncSession,
    kind: ActionKind,
    moderator: Account,
    neighbourhood_id: int,
    phrase: str,
) -> None:
    await audit.record(session, kind, moderator, neighbourhood_id=neighbourhood_id, reason=phrase)
