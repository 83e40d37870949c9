"""The database tables, a module per area, all of them importable from here.

Times are aware and in UTC (`utcnow()`); SQLModel stores them so on SQLite and PostgreSQL alike.
Enumerations are stored as short strings; the `StrEnum`s name the allowed values.
"""

from buurtnet.models.accounts import (
    Account,
    AccountStatus,
    InviteCode,
    LoginSession,
    Neighbourhood,
    RateLimitHit,
    RegistrationMode,
    Role,
    SiteSetting,
)
from buurtnet.models.common import MAX_ROW_ID, URI_LENGTH, utcnow
from buurtnet.models.events import (
    CalendarFeed,
    Event,
    EventCategory,
    EventTask,
    Participation,
    ParticipationStatus,
    TaskVolunteer,
)
from buurtnet.models.federation import DeferredActivity, KeyPair, ReceivedActivity, RemoteDomain
from buurtnet.models.jobs import Job, JobStatus
from buurtnet.models.notifications import Notification, NotificationKind
from buurtnet.models.polls import Poll, PollOption, PollVote
from buurtnet.models.posts import (
    Hashtag,
    Like,
    MediaAttachment,
    Mention,
    Post,
    PostEdit,
    PostHashtag,
    PostKind,
    Share,
    Visibility,
)
from buurtnet.models.relations import Block, Follow, FollowRequest, Mute, NeighbourhoodFollower

__all__ = [
    "MAX_ROW_ID",
    "URI_LENGTH",
    "Account",
    "AccountStatus",
    "Block",
    "CalendarFeed",
    "DeferredActivity",
    "Event",
    "EventCategory",
    "EventTask",
    "Follow",
    "FollowRequest",
    "Hashtag",
    "InviteCode",
    "Job",
    "JobStatus",
    "KeyPair",
    "Like",
    "LoginSession",
    "MediaAttachment",
    "Mention",
    "Mute",
    "Neighbourhood",
    "NeighbourhoodFollower",
    "Notification",
    "NotificationKind",
    "Participation",
    "ParticipationStatus",
    "Poll",
    "PollOption",
    "PollVote",
    "Post",
    "PostEdit",
    "PostHashtag",
    "PostKind",
    "RateLimitHit",
    "ReceivedActivity",
    "RegistrationMode",
    "RemoteDomain",
    "Role",
    "Share",
    "SiteSetting",
    "TaskVolunteer",
    "Visibility",
    "utcnow",
]
