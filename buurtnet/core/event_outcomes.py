"""What came of an activity, as its organiser records it once it has ended: how many came, for a
clean-up the bags of litter collected, a photo and a short note. Kept on the `Event` row as
figures for the neighbourhood, and shown on the activity's page.

The organiser may record it again (to correct it); a new photo replaces the old one, whose
files are removed by a job once the change has committed.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet import typed_text
from buurtnet.core import event_access, media
from buurtnet.core.errors import InvalidInput
from buurtnet.core.event_input import WHOLE_NUMBER
from buurtnet.core.media import StoredImage
from buurtnet.models import Account, Event, EventCategory, utcnow

MAX_ATTENDANCE = 10_000
MAX_LITTER_BAGS = 1_000
NOTE_LENGTH = 2000
TOO_EARLY = "outcome_too_early"
NOTE_TOO_LONG = "outcome_note_too_long"


@dataclass(frozen=True)
class OutcomeForm:
    """The fields as typed."""

    attendance: str = ""
    litter_bags: str = ""
    note: str = ""


@dataclass(frozen=True)
class Outcome:
    attendance: int | None
    litter_bags: int | None
    note: str


def read(form: OutcomeForm) -> Outcome:
    """The checked outcome, or `InvalidInput` naming each field that is wrong."""
    errors: dict[str, str] = {}
    attendance = _whole_number(form.attendance, "attendance", errors)
    litter_bags = _whole_number(form.litter_bags, "litter_bags", errors)
    outcome = _cleaned(Outcome(attendance, litter_bags, form.note))
    errors |= _problems(outcome)
    if errors:
        raise InvalidInput(errors)
    return outcome


async def record_outcome(
    session: AsyncSession,
    organiser: Account,
    post_id: int,
    outcome: Outcome,
    photo: StoredImage | None = None,
    *,
    now: datetime | None = None,
) -> Event:
    """Store the outcome of an activity that has ended (bags of litter only for a clean-up)."""
    now = now or utcnow()
    await event_access.own_event(session, organiser, post_id)
    event = await event_access.lock(session, post_id)
    _check_time(event, now)
    outcome = _checked(outcome)
    event.attendance = outcome.attendance
    is_clean_up = event.category == EventCategory.CLEAN_UP
    event.litter_bags = outcome.litter_bags if is_clean_up else None
    event.outcome_note = outcome.note
    if photo is not None:
        old = [key for key in (event.outcome_image_key, event.outcome_thumbnail_key) if key]
        media.enqueue_removal(session, old)
        event.outcome_image_key, event.outcome_thumbnail_key = photo.keys
        event.outcome_alt_text = photo.alt_text
    event.outcome_at = now
    session.add(event)
    return event


async def check_may_record(
    session: AsyncSession, organiser: Account, post_id: int, *, now: datetime | None = None
) -> None:
    """Whether the outcome may be recorded now, before its photo is processed: NotAllowed for
    anyone but the organiser, `InvalidInput` before the end or for a cancelled activity."""
    _post, event = await event_access.own_event(session, organiser, post_id)
    _check_time(event, now or utcnow())


def _check_time(event: Event, now: datetime) -> None:
    if event.cancelled_at is not None:
        raise InvalidInput.single("form", event_access.CANCELLED)
    if not event_access.has_ended(event, now):
        raise InvalidInput.single("form", TOO_EARLY)


def _checked(outcome: Outcome) -> Outcome:
    """The outcome cleaned and held to the bounds again: whoever made it (the form, the demo),
    nothing outside them is written."""
    outcome = _cleaned(outcome)
    if problems := _problems(outcome):
        raise InvalidInput(problems)
    return outcome


def _cleaned(outcome: Outcome) -> Outcome:
    return replace(outcome, note=typed_text.clean_source(outcome.note).strip())


def _problems(outcome: Outcome) -> dict[str, str]:
    """What is wrong with a cleaned outcome: a message code by field."""
    problems: dict[str, str] = {}
    if outcome.attendance is not None and not 0 <= outcome.attendance <= MAX_ATTENDANCE:
        problems["attendance"] = "attendance_invalid"
    if outcome.litter_bags is not None and not 0 <= outcome.litter_bags <= MAX_LITTER_BAGS:
        problems["litter_bags"] = "litter_bags_invalid"
    if len(outcome.note) > NOTE_LENGTH:
        problems["note"] = NOTE_TOO_LONG
    return problems


def _whole_number(text: str, name: str, errors: dict[str, str]) -> int | None:
    """A count as typed (None when left empty); not one is an error of its field."""
    text = text.strip()
    if not text:
        return None
    if not WHOLE_NUMBER.fullmatch(text):
        errors[name] = f"{name}_invalid"
        return None
    return int(text)
