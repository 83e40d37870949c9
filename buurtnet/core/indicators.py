"""The liveability indicators, defined once: what each measures, in which dimension of the
coat-rack, and what kind of figure it is, which decides how it may be shown (shared METRICS.md
section 1; `core/metric_figures` applies the rules, `core/metric_rollups` computes the values).

Labels are English gettext ids; the pages translate them (Dutch first).
"""

from dataclasses import dataclass
from enum import StrEnum


def N_(message: str) -> str:
    """Marks a label for translation where it is defined; the page translates it."""
    return message


class Dimension(StrEnum):
    CONNECTION = "connection"  # verbinding
    PARTICIPATION = "participation"  # participatie
    GROWTH = "growth"  # groei
    SIGNALS = "signals"  # signalen


DIMENSION_LABELS = {
    Dimension.CONNECTION: N_("Connection"),
    Dimension.PARTICIPATION: N_("Participation"),
    Dimension.GROWTH: N_("Growth"),
    Dimension.SIGNALS: N_("Signals"),
}


class Measure(StrEnum):
    """What kind of figure an indicator is; the disclosure rules follow from it."""

    PEOPLE = "people"  # counts people, or what people did one each (sign-ups, votes, reports)
    COUNT = "count"  # counts things (activities, posts, litter bags): shown as it is
    SHARE = "share"  # a percentage of people: worked out from the published counts only
    PER_100 = "per_100"  # so many per 100 members: worked out from the published counts only
    RATIO = "ratio"  # things per thing (replies per post)
    HOURS = "hours"  # a median time, resting on the count of its `basis`


@dataclass(frozen=True)
class Indicator:
    key: str  # the rollup's `indicator` and the export's column
    dimension: Dimension
    measure: Measure
    label: str
    # SHARE and PER_100: the indicators it is worked out from; HOURS: `numerator` is its basis.
    numerator: str | None = None
    denominator: str | None = None
    # Counted at the end of the period (a stock), not over it: not added up across periods.
    at_end: bool = False
    director_only: bool = False  # care signals: never to partners, never public


INDICATORS: tuple[Indicator, ...] = (
    # Connection
    Indicator(
        "active_residents",
        Dimension.CONNECTION,
        Measure.PEOPLE,
        N_("Active residents (posted, replied, reacted, voted or signed up)"),
    ),
    Indicator(
        "active_share",
        Dimension.CONNECTION,
        Measure.SHARE,
        N_("Share of members who were active"),
        numerator="active_residents",
        denominator="members",
    ),
    Indicator(
        "interacting_pairs",
        Dimension.CONNECTION,
        Measure.PEOPLE,
        N_("Pairs of residents who reacted to each other"),
    ),
    Indicator("replies_per_post", Dimension.CONNECTION, Measure.RATIO, N_("Replies per post")),
    # Participation
    Indicator("events_held", Dimension.PARTICIPATION, Measure.COUNT, N_("Activities held")),
    Indicator("sign_ups", Dimension.PARTICIPATION, Measure.PEOPLE, N_("Sign-ups for activities")),
    Indicator(
        "attendance",
        Dimension.PARTICIPATION,
        Measure.PEOPLE,
        N_("Attendance, as organisers recorded it"),
    ),
    Indicator("clean_ups_held", Dimension.PARTICIPATION, Measure.COUNT, N_("Clean-ups held")),
    Indicator(
        "clean_up_bags", Dimension.PARTICIPATION, Measure.COUNT, N_("Bags of litter collected")
    ),
    Indicator(
        "clean_up_participants",
        Dimension.PARTICIPATION,
        Measure.PEOPLE,
        N_("Participants in clean-ups"),
    ),
    Indicator("polls_held", Dimension.PARTICIPATION, Measure.COUNT, N_("Polls")),
    Indicator("votes", Dimension.PARTICIPATION, Measure.PEOPLE, N_("Votes in polls")),
    Indicator("help_asked", Dimension.PARTICIPATION, Measure.COUNT, N_("Requests for help")),
    Indicator("help_offered", Dimension.PARTICIPATION, Measure.COUNT, N_("Offers of help")),
    Indicator(
        "help_answered",
        Dimension.PARTICIPATION,
        Measure.COUNT,
        N_("Requests for help that got an answer"),
    ),
    # Growth
    Indicator(
        "members",
        Dimension.GROWTH,
        Measure.PEOPLE,
        N_("Members at the end of the period"),
        at_end=True,
    ),
    Indicator("new_members", Dimension.GROWTH, Measure.PEOPLE, N_("New members")),
    Indicator("members_left", Dimension.GROWTH, Measure.PEOPLE, N_("Members who left")),
    Indicator(
        "homes", Dimension.GROWTH, Measure.COUNT, N_("Homes in the neighbourhood"), at_end=True
    ),
    Indicator(
        "households_reached",
        Dimension.GROWTH,
        Measure.SHARE,
        N_("Share of households reached"),
        numerator="members",
        denominator="homes",
        at_end=True,
    ),
    # Signals
    Indicator("reports", Dimension.SIGNALS, Measure.PEOPLE, N_("Reports")),
    Indicator(
        "reports_per_100",
        Dimension.SIGNALS,
        Measure.PER_100,
        N_("Reports per 100 members"),
        numerator="reports",
        denominator="members",
    ),
    Indicator(
        "reports_responded",
        Dimension.SIGNALS,
        Measure.PEOPLE,
        N_("Reports taken up by a moderator"),
    ),
    Indicator(
        "first_response_hours",
        Dimension.SIGNALS,
        Measure.HOURS,
        N_("Median hours to a first response"),
        numerator="reports_responded",
    ),
    Indicator("reports_resolved", Dimension.SIGNALS, Measure.PEOPLE, N_("Reports closed")),
    Indicator(
        "resolution_hours",
        Dimension.SIGNALS,
        Measure.HOURS,
        N_("Median hours to closing a report"),
        numerator="reports_resolved",
    ),
    Indicator(
        "care_signals",
        Dimension.SIGNALS,
        Measure.PEOPLE,
        N_("Care signals raised"),
        director_only=True,
    ),
)

BY_KEY = {indicator.key: indicator for indicator in INDICATORS}

# What the rollup job stores; SHARE and PER_100 are worked out on the way out, from what may be
# shown, so no stored value is more precise than the published counts behind it.
STORED = tuple(
    indicator.key
    for indicator in INDICATORS
    if indicator.measure not in (Measure.SHARE, Measure.PER_100)
)


def of_dimension(dimension: Dimension, *, director: bool) -> tuple[Indicator, ...]:
    return tuple(
        indicator
        for indicator in INDICATORS
        if indicator.dimension == dimension and (director or not indicator.director_only)
    )
