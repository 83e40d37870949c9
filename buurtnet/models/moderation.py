"""Moderation's records: who holds which duty where, reports and what they are about, the actions
taken (the audit log), appeals, blocks of whole servers, word filters, and care signals."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from buurtnet.models.common import URI_LENGTH, utcnow


class Duty(StrEnum):
    """A role held in one neighbourhood; someone may hold it in several."""

    MODERATOR = "moderator"
    DIRECTOR = "director"  # buurtregisseur: invite codes, care signals, later the figures


class RoleGrant(SQLModel, table=True):
    __tablename__ = "role_grant"

    account_id: int = Field(foreign_key="account.id", primary_key=True, ondelete="CASCADE")
    neighbourhood_id: int = Field(
        foreign_key="neighbourhood.id", primary_key=True, index=True, ondelete="CASCADE"
    )
    duty: str = Field(primary_key=True, max_length=20)
    granted_at: datetime = Field(default_factory=utcnow)


class BlockSeverity(StrEnum):
    """Mastodon's names, so that block lists travel between servers as they are."""

    NOOP = "noop"  # nothing but what the flags say (reject media, reject reports)
    SILENCE = "silence"  # its people are limited: seen by their followers only
    SUSPEND = "suspend"  # nothing in, nothing out, follows ended


class DomainBlock(SQLModel, table=True):
    """An admin's decision about a whole server, apart from whether it answers (`RemoteDomain`)."""

    __tablename__ = "domain_block"

    domain: str = Field(primary_key=True, max_length=255)
    severity: str = Field(default=BlockSeverity.SUSPEND, max_length=20)
    reject_media: bool = Field(default=False)
    reject_reports: bool = Field(default=False)
    private_comment: str = Field(default="", max_length=1000)  # for admins only
    public_comment: str = Field(default="", max_length=1000)  # on the public list of blocks
    obfuscate: bool = Field(default=False)  # the public list shows the name partly hidden
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ReportCategory(StrEnum):
    SPAM = "spam"
    HARASSMENT = "harassment"  # intimidatie
    DISCRIMINATION = "discrimination"
    THREAT = "threat"  # bedreiging
    PRIVACY = "privacy"
    OTHER = "other"


class ReportStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"  # in behandeling: a moderator took it
    RESOLVED = "resolved"  # afgehandeld: acted upon
    DISMISSED = "dismissed"  # afgewezen: nothing wrong found


class Report(SQLModel, table=True):
    """A report about a person (and some of their posts), by a resident or by another server.

    A report from another server (a `Flag`) has no reporter here: `reporter_domain` names the
    server, which is all that is shown. The reported person never sees who reported.
    """

    __table_args__ = (sa.Index("ix_report_queue", "neighbourhood_id", "status", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    reporter_id: int | None = Field(default=None, foreign_key="account.id", ondelete="SET NULL")
    reporter_domain: str | None = Field(default=None, max_length=255)
    uri: str | None = Field(default=None, max_length=URI_LENGTH, unique=True)  # the Flag's id
    target_account_id: int | None = Field(
        default=None, foreign_key="account.id", index=True, ondelete="SET NULL"
    )
    # Whose moderators handle it: the reported person's, or for someone elsewhere the reporter's.
    neighbourhood_id: int | None = Field(
        default=None, foreign_key="neighbourhood.id", ondelete="SET NULL"
    )
    category: str = Field(default=ReportCategory.OTHER, max_length=20)
    comment: str = Field(default="", max_length=2000)
    status: str = Field(default=ReportStatus.OPEN, max_length=20)
    assigned_to_id: int | None = Field(default=None, foreign_key="account.id", ondelete="SET NULL")
    outcome: str = Field(default="", max_length=1000)  # what the reporter is told
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    # When a moderator first took it up or closed it: the time to a first response.
    responded_at: datetime | None = None
    forwarded_at: datetime | None = None  # sent on to the reported person's server as a `Flag`


class ReportedPost(SQLModel, table=True):
    """A post as it was when reported: kept when the post is edited or deleted since."""

    __tablename__ = "reported_post"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True, ondelete="CASCADE")
    post_id: int | None = Field(default=None, index=True)  # no foreign key: the post may go
    post_uri: str | None = Field(default=None, max_length=URI_LENGTH)  # for a post elsewhere
    kind: str = Field(max_length=20)  # message, help request, offer, activity; a reply is a post
    is_reply: bool = Field(default=False)
    summary: str = Field(default="", max_length=500)
    content_html: str = Field(sa_type=sa.Text)
    written_at: datetime


class ReportNote(SQLModel, table=True):
    """A moderator's note on a report, for the other moderators only."""

    __tablename__ = "report_note"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True, ondelete="CASCADE")
    author_id: int | None = Field(default=None, foreign_key="account.id", ondelete="SET NULL")
    text: str = Field(max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)


class ActionKind(StrEnum):
    REMOVE_POST = "remove_post"
    RESTORE_POST = "restore_post"  # after an appeal, or a post held for review let through
    MARK_SENSITIVE = "mark_sensitive"
    WARN = "warn"
    LIMIT = "limit"
    SUSPEND = "suspend"
    LIFT = "lift"  # a limit or a suspension ended early
    HOLD_POST = "hold_post"  # a word filter held a post for review (no moderator involved)
    APPROVE_POST = "approve_post"
    RESOLVE_REPORT = "resolve_report"
    DISMISS_REPORT = "dismiss_report"
    FORWARD_REPORT = "forward_report"
    DECIDE_APPEAL = "decide_appeal"
    BLOCK_DOMAIN = "block_domain"
    UNBLOCK_DOMAIN = "unblock_domain"
    GRANT_ROLE = "grant_role"
    REVOKE_ROLE = "revoke_role"
    APPROVE_SIGN_UP = "approve_sign_up"
    REFUSE_SIGN_UP = "refuse_sign_up"  # the account is deleted: `reason` keeps its name
    ACCEPT_FOLLOWER = "accept_follower"  # a follower of the neighbourhood elsewhere
    REFUSE_FOLLOWER = "refuse_follower"
    ADD_WORD_FILTER = "add_word_filter"
    REMOVE_WORD_FILTER = "remove_word_filter"
    CHANGE_SETTING = "change_setting"
    EXPORT = "export"  # figures leaving the instance (the liveability instrument)
    PIN_POST = "pin_post"  # a director's announcement atop the neighbourhood (`core/pins`)
    UNPIN_POST = "unpin_post"
    SEND_PASSWORD_RESET = "send_password_reset"  # an admin mailed a resident a reset link


class ModerationAction(SQLModel, table=True):
    """The audit log: who did what, when, why and to whom. Rows are only ever added.

    The moderator's name is kept as it was, so that the log reads the same after an account goes.
    `reason` is what the person concerned is told; `category` is the rule, which the
    neighbourhood's public log shows (never the person, the reporter or the removed text).
    """

    __tablename__ = "moderation_action"
    __table_args__ = (sa.Index("ix_moderation_action_neighbourhood", "neighbourhood_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30, index=True)
    moderator_id: int | None = Field(default=None, foreign_key="account.id", ondelete="SET NULL")
    moderator_name: str = Field(default="", max_length=300)  # "" for the instance itself
    target_account_id: int | None = Field(
        default=None, foreign_key="account.id", index=True, ondelete="SET NULL"
    )
    target_post_id: int | None = None  # no foreign key: the log outlives the post
    target_domain: str | None = Field(default=None, max_length=255)
    neighbourhood_id: int | None = Field(
        default=None, foreign_key="neighbourhood.id", ondelete="SET NULL"
    )
    report_id: int | None = Field(default=None, foreign_key="report.id", ondelete="SET NULL")
    category: str = Field(default="", max_length=20)
    reason: str = Field(default="", max_length=1000)
    until: datetime | None = None  # the end of a suspension or limit; None: for good
    public: bool = Field(default=False)  # shown in the neighbourhood's public log
    created_at: datetime = Field(default_factory=utcnow, index=True)


class AppealStatus(StrEnum):
    OPEN = "open"
    GRANTED = "granted"  # the action is undone
    REFUSED = "refused"  # the action stands


class Appeal(SQLModel, table=True):
    """One appeal per action, decided by another moderator than the one who acted."""

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="moderation_action.id", unique=True, ondelete="CASCADE")
    account_id: int = Field(foreign_key="account.id", index=True, ondelete="CASCADE")
    text: str = Field(max_length=2000)
    status: str = Field(default=AppealStatus.OPEN, max_length=20)
    decided_by_id: int | None = Field(default=None, foreign_key="account.id", ondelete="SET NULL")
    decision_reason: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None


class WordFilter(SQLModel, table=True):
    """A word or phrase that holds a post in its neighbourhood for a moderator."""

    __tablename__ = "word_filter"
    __table_args__ = (sa.UniqueConstraint("neighbourhood_id", "phrase"),)

    id: int | None = Field(default=None, primary_key=True)
    neighbourhood_id: int = Field(foreign_key="neighbourhood.id", index=True, ondelete="CASCADE")
    phrase: str = Field(max_length=100)  # lower case
    created_at: datetime = Field(default_factory=utcnow)


class CareConcern(StrEnum):
    ISOLATION = "isolation"  # eenzaamheid, niemand meer zien
    NEGLECT = "neglect"  # verwaarlozing van zichzelf of het huis
    DISTRESS = "distress"  # overlast die uit nood lijkt te komen
    OTHER = "other"


class CareOutcome(StrEnum):
    PASSED_ON = "passed_on"  # doorgegeven aan het wijkteam
    TALKED = "talked"  # gesprek gehad
    NO_ACTION = "no_action"  # geen actie
    OTHER = "other"


class CareSignal(SQLModel, table=True):
    """A resident's private concern about a neighbour, for the neighbourhood's director only.

    Read by the director's pages and nothing else: not moderation, not admins, not exports, not
    federation. Deleted by a scheduled job after the retention period the admin set.
    """

    __tablename__ = "care_signal"

    id: int | None = Field(default=None, primary_key=True)
    neighbourhood_id: int = Field(foreign_key="neighbourhood.id", index=True, ondelete="CASCADE")
    raised_by_id: int | None = Field(default=None, foreign_key="account.id", ondelete="SET NULL")
    concern: str = Field(max_length=20)
    about: str = Field(max_length=200)  # who or where, in the resident's words
    text: str = Field(max_length=2000)
    may_contact: bool = Field(default=False)  # the director may ask the resident more
    created_at: datetime = Field(default_factory=utcnow, index=True)
    closed_at: datetime | None = None


class CareSignalNote(SQLModel, table=True):
    """What the director did about a care signal."""

    __tablename__ = "care_signal_note"

    id: int | None = Field(default=None, primary_key=True)
    signal_id: int = Field(foreign_key="care_signal.id", index=True, ondelete="CASCADE")
    author_id: int | None = Field(default=None, foreign_key="account.id", ondelete="SET NULL")
    outcome: str = Field(max_length=20)
    text: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
