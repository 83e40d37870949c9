"""Care signals (zorgsignalen): a resident's private concern about a neighbour, read by the
neighbourhood's director and by nobody else.

Every function that reads a signal takes the reader's `Roles` and looks only in the
neighbourhoods they direct; someone who directs none (an admin, a moderator) is refused before any
query touches the table. Nothing here writes jobs, notifications or audit entries: a signal never
leaves the director's pages, and only its counts (`care_counts`) may, under the disclosure rule.
How long signals are kept, and their deletion, is `care_retention`.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.core import ratelimit
from buurtnet.core.errors import InvalidInput, NotAllowed, NotFound
from buurtnet.core.permissions import Roles, can_direct
from buurtnet.models import (
    Account,
    AccountStatus,
    CareConcern,
    CareOutcome,
    CareSignal,
    CareSignalNote,
    Duty,
    Neighbourhood,
    RoleGrant,
    utcnow,
)

ABOUT_LENGTH = 200
TEXT_LENGTH = 2000
NOTE_LENGTH = 2000
# A few a day is plenty for a real worry, and too few to bury the director in them.
DAILY_SIGNALS = 3
CLOSED_SHOWN = 100  # the director's list: every open signal, and the newest closed ones


def is_director(roles: Roles) -> bool:
    """Who sees the care signal pages: directors of any neighbourhood (admins are not)."""
    return bool(roles.directs)


@dataclass(frozen=True)
class CareDraft:
    """What a resident filled in; checked by `raise_signal`."""

    concern: str
    about: str
    text: str
    may_contact: bool = False


async def directors_of(session: AsyncSession, neighbourhood_id: int) -> list[Account]:
    """Who will read a signal raised in this neighbourhood: named on the resident's screen. A
    director who left or was suspended reads nothing, so does not count."""
    query = (
        select(Account)
        .join(RoleGrant, col(RoleGrant.account_id) == Account.id)
        .where(
            col(RoleGrant.neighbourhood_id) == neighbourhood_id,
            col(RoleGrant.duty) == Duty.DIRECTOR,
            col(Account.status) == AccountStatus.ACTIVE,
        )
        .order_by(col(Account.username))
    )
    return list((await session.exec(query)).all())


def signal_budget(account_id: int) -> ratelimit.Budget:
    return ratelimit.Budget(
        ratelimit.rate_key("care_signal", str(account_id)), DAILY_SIGNALS, timedelta(days=1)
    )


async def raise_signal(session: AsyncSession, account: Account, draft: CareDraft) -> CareSignal:
    """Store a resident's signal for the director of their own neighbourhood (never another).

    Refused when the neighbourhood has no director to read it, and after a few a day."""
    if account.id is None or account.is_remote or account.neighbourhood_id is None:
        raise NotAllowed
    errors = _draft_errors(draft)
    if errors:
        raise InvalidInput(errors)
    if not await directors_of(session, account.neighbourhood_id):
        raise InvalidInput.single("form", "care_no_director")
    if not await ratelimit.spend(session, [signal_budget(account.id)]):
        raise InvalidInput.single("form", "care_too_many")
    signal = CareSignal(
        neighbourhood_id=account.neighbourhood_id,
        raised_by_id=account.id,
        concern=draft.concern,
        about=draft.about.strip(),
        text=draft.text.strip(),
        may_contact=draft.may_contact,
        created_at=utcnow(),
    )
    session.add(signal)
    await session.flush()
    return signal


def _draft_errors(draft: CareDraft) -> dict[str, str]:
    errors = {}
    if draft.concern not in set(CareConcern):
        errors["concern"] = "care_concern_missing"
    if not draft.about.strip():
        errors["about"] = "care_about_missing"
    elif len(draft.about.strip()) > ABOUT_LENGTH:
        errors["about"] = "care_about_too_long"
    if not draft.text.strip():
        errors["text"] = "care_text_missing"
    elif len(draft.text.strip()) > TEXT_LENGTH:
        errors["text"] = "care_text_too_long"
    return errors


@dataclass(frozen=True)
class ListedSignal:
    signal: CareSignal
    neighbourhood: Neighbourhood

    @property
    def is_open(self) -> bool:
        return self.signal.closed_at is None


async def signals_for_director(session: AsyncSession, roles: Roles) -> list[ListedSignal]:
    """The signals of the neighbourhoods this person directs: every open one (oldest first,
    as they have waited longest), then the most recently closed."""
    if not is_director(roles):
        raise NotAllowed
    mine = (
        select(CareSignal, Neighbourhood)
        .join(Neighbourhood, col(Neighbourhood.id) == CareSignal.neighbourhood_id)
        .where(col(CareSignal.neighbourhood_id).in_(sorted(roles.directs)))
    )
    still_open = mine.where(col(CareSignal.closed_at).is_(None)).order_by(
        col(CareSignal.created_at), col(CareSignal.id)
    )
    closed = (
        mine.where(col(CareSignal.closed_at).is_not(None))
        .order_by(col(CareSignal.closed_at).desc(), col(CareSignal.id).desc())
        .limit(CLOSED_SHOWN)
    )
    rows = [*(await session.exec(still_open)).all(), *(await session.exec(closed)).all()]
    return [ListedSignal(signal, neighbourhood) for signal, neighbourhood in rows]


@dataclass(frozen=True)
class NoteShown:
    note: CareSignalNote
    author: Account | None  # None once the account is gone


@dataclass(frozen=True)
class SignalDetail:
    signal: CareSignal
    neighbourhood: Neighbourhood
    raised_by: Account | None  # None once the resident deleted their account
    notes: list[NoteShown]  # oldest first


async def signal_for_director(session: AsyncSession, roles: Roles, signal_id: int) -> SignalDetail:
    """One signal with its follow-up, for its neighbourhood's director; NotFound for anyone
    else, admins included, so that nobody learns whether the number exists."""
    signal = await _directed_signal(session, roles, signal_id)
    neighbourhood = await session.get(Neighbourhood, signal.neighbourhood_id)
    assert neighbourhood is not None
    raised_by = None
    if signal.raised_by_id is not None:
        raised_by = await session.get(Account, signal.raised_by_id)
    notes = await session.exec(
        select(CareSignalNote, Account)
        .outerjoin(Account, col(Account.id) == CareSignalNote.author_id)
        .where(col(CareSignalNote.signal_id) == signal_id)
        .order_by(col(CareSignalNote.created_at), col(CareSignalNote.id))
    )
    shown = [NoteShown(note, author) for note, author in notes.all()]
    return SignalDetail(signal, neighbourhood, raised_by, shown)


async def follow_up(
    session: AsyncSession,
    roles: Roles,
    author: Account,
    signal_id: int,
    outcome: str,
    text: str,
    *,
    closes: bool = False,
) -> CareSignalNote:
    """Write down what the director did; with `closes`, as the last step. A closed signal is
    deleted with the others of its age when the retention period is over."""
    signal = await _directed_signal(session, roles, signal_id, for_update=True)
    note = _note(session, signal, author, outcome, text)
    if closes:
        signal.closed_at = note.created_at
    return note


def _note(
    session: AsyncSession, signal: CareSignal, author: Account, outcome: str, text: str
) -> CareSignalNote:
    errors = {}
    if signal.closed_at is not None:
        errors["form"] = "care_closed"
    if outcome not in set(CareOutcome):
        errors["outcome"] = "care_outcome_missing"
    elif outcome == CareOutcome.OTHER and not text.strip():
        errors["text"] = "care_note_missing"
    if len(text.strip()) > NOTE_LENGTH:
        errors["text"] = "care_note_too_long"
    if errors:
        raise InvalidInput(errors)
    assert signal.id is not None
    note = CareSignalNote(
        signal_id=signal.id,
        author_id=author.id,
        outcome=outcome,
        text=text.strip(),
        created_at=utcnow(),
    )
    session.add(note)
    return note


async def _directed_signal(
    session: AsyncSession, roles: Roles, signal_id: int, *, for_update: bool = False
) -> CareSignal:
    if not is_director(roles):
        raise NotFound(signal_id)  # without a query: admins and moderators never read one
    query = select(CareSignal).where(
        col(CareSignal.id) == signal_id,
        col(CareSignal.neighbourhood_id).in_(sorted(roles.directs)),
    )
    signal = (await session.exec(query.with_for_update() if for_update else query)).first()
    if signal is None or not can_direct(roles, signal.neighbourhood_id):
        raise NotFound(signal_id)
    return signal
