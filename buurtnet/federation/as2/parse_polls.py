"""Polls from other servers (INTEROP.md section 3): a `Question`, whose answers are Notes with a
`name` and a count (`replies.totalItems`) in `oneOf` (one choice) or `anyOf` (several), with an
`endTime`, a `votersCount` and, once it has ended, `closed`; and a vote, a Note with a `name`
that answers a Question.

Read as Mastodon reads them (its PollParser): what can be left out is; a poll whose answers
cannot be read is left off its post, which is still a post. Whether a named Note is a vote
depends on what it answers, which is for the handler to look up: here it is only a `RemoteVote`.
"""

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from buurtnet.federation.as2.parse import RemoteNote, as2_to_note
from buurtnet.federation.as2.parse_values import (
    MAX_NAME,
    MAX_SUMMARY,
    JsonObject,
    ParseError,
    lenient,
    string,
    timestamp,
    type_of,
)
from buurtnet.sanitise import plain_text

QUESTION_TYPE = "Question"
VOTE_TYPE = "Note"
MAX_ANSWERS = 20
ANSWER_LENGTH = 100  # what our column holds: a longer answer could not be voted for by its name
MAX_COUNT = 1_000_000_000


@dataclass(frozen=True)
class Answer:
    name: str  # plain text
    votes: int


@dataclass(frozen=True)
class RemotePoll:
    multiple: bool
    answers: tuple[Answer, ...]
    end_time: datetime | None
    closed: bool
    closed_at: datetime | None  # when, if `closed` says so
    voters_count: int | None


@dataclass(frozen=True)
class RemoteQuestion(RemoteNote):
    """A post with a poll."""

    poll: RemotePoll


@dataclass(frozen=True)
class RemoteVote(RemoteNote):
    """A Note with a name that answers a post: a vote, if that post has a poll."""

    choice: str


def as2_to_question(doc: Any) -> RemoteNote:
    """A Question as a post with its poll; without a readable poll, just the post."""
    note = as2_to_note(doc)
    poll = lenient(lambda: poll_of(doc), None)
    return RemoteQuestion(**_fields_of(note), poll=poll) if poll is not None else note


def as2_to_vote_or_note(doc: Any) -> RemoteNote:
    """A Note that names something and answers a post is a possible vote; anything else a post.
    The name is kept as sent (plain text, as `name` is): a vote is matched by it exactly."""
    note = as2_to_note(doc)
    if note.type != VOTE_TYPE or note.in_reply_to is None:
        return note
    choice = lenient(lambda: string(doc, "name", MAX_SUMMARY), None)
    return RemoteVote(**_fields_of(note), choice=choice) if choice and choice.strip() else note


def _fields_of(note: RemoteNote) -> dict[str, Any]:
    return {field.name: getattr(note, field.name) for field in fields(RemoteNote)}


def poll_of(doc: JsonObject) -> RemotePoll:
    """The poll of a Question; ParseError when its answers cannot be read."""
    if type_of(doc) != QUESTION_TYPE:
        raise ParseError("only a Question has a poll")
    any_of = doc.get("anyOf")
    multiple = isinstance(any_of, list)
    listed = any_of if multiple else doc.get("oneOf")
    if not isinstance(listed, list):
        raise ParseError("a Question needs oneOf or anyOf")
    if len(listed) > MAX_ANSWERS:
        raise ParseError(f"a Question has at most {MAX_ANSWERS} answers")
    answers: dict[str, Answer] = {}
    for item in listed:
        answer = _answer(item)
        if answer is not None:
            answers.setdefault(answer.name, answer)  # a name twice could not be told apart
    if not answers:
        raise ParseError("a Question needs answers")
    closed = doc.get("closed")
    return RemotePoll(
        multiple=multiple,
        answers=tuple(answers.values()),
        end_time=lenient(lambda: timestamp(doc, "endTime"), None),
        closed=closed is not None and closed is not False,
        closed_at=lenient(lambda: timestamp(doc, "closed"), None),
        voters_count=count_of(doc.get("votersCount")),
    )


def _answer(item: Any) -> Answer | None:
    """An answer: its name as sent (or its content, as Mastodon takes it) and its count."""
    if not isinstance(item, dict):
        return None
    name = string(item, "name", MAX_NAME) or plain_text(string(item, "content", MAX_SUMMARY) or "")
    if not name.strip():
        return None
    if len(name) > ANSWER_LENGTH:
        raise ParseError(f"an answer is longer than {ANSWER_LENGTH} characters")
    replies = item.get("replies")
    votes = count_of(replies.get("totalItems")) if isinstance(replies, dict) else None
    return Answer(name, votes or 0)


def count_of(value: Any) -> int | None:
    """A count we can keep (a column holds it); anything else is left out."""
    return value if type(value) is int and 0 <= value <= MAX_COUNT else None
