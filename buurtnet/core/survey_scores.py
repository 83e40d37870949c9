"""The resident survey's questions and scores (docs: shared METRICS.md, section 2).

One definition of the questions, the answer scale and the scoring, so the survey page, the
storage and the dashboard cannot drift apart. Pure: no database, no web.

A neighbourhood's score is the mean of its residents' scores with a 95% confidence interval from
Student's t-distribution, and it is published only when at least k residents answered, by the
same threshold rule as every other figure (`disclosure.threshold`).
"""

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from buurtnet.core import disclosure


class Answer(StrEnum):
    """The five points of the cohesion items; the values are what storage keeps."""

    STRONGLY_AGREE = "strongly_agree"  # helemaal mee eens
    AGREE = "agree"  # mee eens
    NEUTRAL = "neutral"  # niet eens / niet oneens
    DISAGREE = "disagree"  # mee oneens
    STRONGLY_DISAGREE = "strongly_disagree"  # helemaal mee oneens


# 0 (helemaal mee oneens) to 4 (helemaal mee eens), for a positively worded item.
_POINTS = {
    Answer.STRONGLY_DISAGREE: 0,
    Answer.DISAGREE: 1,
    Answer.NEUTRAL: 2,
    Answer.AGREE: 3,
    Answer.STRONGLY_AGREE: 4,
}
HIGHEST_POINTS = 4


@dataclass(frozen=True)
class CohesionItem:
    """One statement of the scale; `reversed` when agreeing means less cohesion."""

    key: str
    text: str
    reversed: bool = False


# The CBS Veiligheidsmonitor social cohesion scale, five-item form, in the order it is asked.
COHESION_ITEMS: tuple[CohesionItem, ...] = (
    CohesionItem(
        "know_each_other", "De mensen kennen elkaar in deze buurt nauwelijks.", reversed=True
    ),
    CohesionItem("pleasant", "De mensen gaan in deze buurt op een prettige manier met elkaar om."),
    CohesionItem("close_knit", "Ik woon in een gezellige buurt, waar veel saamhorigheid is."),
    CohesionItem("at_home", "Ik voel me thuis bij de mensen die in deze buurt wonen."),
    CohesionItem("help_each_other", "De mensen in deze buurt helpen elkaar en doen dingen samen."),
)
COHESION_LOWEST = 0.0
COHESION_HIGHEST = 10.0

# The two report marks, as in the Veiligheidsmonitor: whole numbers from 1 to 10.
LIVEABILITY_MARK = "Welk rapportcijfer geeft u de leefbaarheid in uw buurt?"
AT_HOME_MARK = "Welk rapportcijfer geeft u uw thuisgevoel in deze buurt?"
MARK_LOWEST = 1
MARK_HIGHEST = 10

OPEN_QUESTION = "Wat zou uw buurt fijner maken?"

# CBS reference scores of the cohesion scale, as METRICS.md section 2 quotes them (source: CBS,
# Veiligheidsmonitor 2021 and 2023, "sociale cohesie in de buurt", scale 0-10).
CBS_COHESION_NATIONAL = 6.4  # the Netherlands, 2021 and 2023
CBS_COHESION_NON_URBAN = 7.1  # niet-stedelijk
CBS_COHESION_VERY_STRONGLY_URBAN = 5.8  # zeer sterk stedelijk


@dataclass(frozen=True)
class Estimate:
    """A mean over n residents with its 95% interval (None when n < 2: no spread to go on)."""

    n: int
    mean: float
    low: float | None
    high: float | None


def item_points(item: CohesionItem, answer: Answer) -> int:
    """The answer's points on this item, 0 to 4, reversed for a negatively worded item."""
    points = _POINTS[answer]
    return HIGHEST_POINTS - points if item.reversed else points


def cohesion_score(answers: Sequence[Answer | None]) -> float | None:
    """One person's score from 0 to 10, in steps of 0.5: the sum of points * 10 / 20.

    `answers` holds one answer per item of COHESION_ITEMS, in that order; None marks an item left
    open, and then the person has no score (CBS counts only fully answered scales).
    """
    if len(answers) != len(COHESION_ITEMS):
        raise ValueError(f"expected {len(COHESION_ITEMS)} answers, got {len(answers)}")
    points = 0
    for item, answer in zip(COHESION_ITEMS, answers, strict=True):
        if answer is None:
            return None
        points += item_points(item, answer)
    return points * COHESION_HIGHEST / (HIGHEST_POINTS * len(COHESION_ITEMS))


def cohesion_estimate(people: Iterable[Sequence[Answer | None]]) -> Estimate | None:
    """The neighbourhood's cohesion score over the fully answered scales (None if none are)."""
    scores = [score for answers in people if (score := cohesion_score(answers)) is not None]
    return _within(mean_interval(scores), COHESION_LOWEST, COHESION_HIGHEST)


def mark_estimate(marks: Iterable[int]) -> Estimate | None:
    """The mean report mark (1-10) with its interval (None if nobody gave a mark)."""
    given = list(marks)
    if any(not MARK_LOWEST <= mark <= MARK_HIGHEST for mark in given):
        raise ValueError(f"a report mark is a whole number from {MARK_LOWEST} to {MARK_HIGHEST}")
    return _within(mean_interval(given), MARK_LOWEST, MARK_HIGHEST)


def mean_interval(values: Sequence[float]) -> Estimate | None:
    """The mean with its two-sided 95% t-interval, mean ± t(0.975, n - 1) · s / √n.

    None for no values; for one value the interval is undefined (low and high None), since a
    single answer says nothing about the spread.
    """
    n = len(values)
    if n == 0:
        return None
    mean = statistics.fmean(values)
    if n == 1:
        return Estimate(n, mean, None, None)
    half_width = t_critical(n - 1) * statistics.stdev(values) / math.sqrt(n)
    return Estimate(n, mean, mean - half_width, mean + half_width)


def published(estimate: Estimate | None, k: int = disclosure.DEFAULT_THRESHOLD) -> Estimate | None:
    """The estimate if it rests on at least k residents (disclosure's threshold), else None.

    The exact n stays inside the result: show it as `disclosure.suppress(n, k)`.
    """
    if estimate is None or disclosure.suppress(estimate.n, k) is None:
        return None
    return estimate


def _within(estimate: Estimate | None, lowest: float, highest: float) -> Estimate | None:
    """Clip the interval to the scale: the true mean lies on the scale, so clipping keeps the
    coverage and spares readers an impossible 10.8 out of 10 from a small sample."""
    if estimate is None or estimate.low is None or estimate.high is None:
        return estimate
    return Estimate(
        estimate.n, estimate.mean, max(estimate.low, lowest), min(estimate.high, highest)
    )


# Above this many degrees of freedom the expansion below is used; its error there is < 1e-12.
_EXACT_DF_LIMIT = 1000
_Z_975 = 1.959963984540054  # the standard normal 0.975 quantile


@lru_cache(maxsize=256)
def t_critical(df: int) -> float:
    """The two-sided 95% critical value of Student's t with df degrees of freedom, t(0.975, df).

    Without scipy: for df ≤ 1000 the exact t distribution function in closed form for whole df
    (Abramowitz & Stegun 26.7.3-4, a finite sum of positive terms, so no cancellation) is solved
    for 0.95 by bisection to full double precision; the result matches the printed tables to
    every decimal (12.706 for df 1, 2.228 for 10, 2.042 for 30). Beyond, where that sum grows
    long, the Cornish-Fisher expansion around the normal quantile (A&S 26.7.5, four terms)
    is used, whose error there is below 1e-12 (1.962 at df 1000 falling to 1.960).
    """
    if df < 1:
        raise ValueError("a t-distribution needs at least one degree of freedom")
    if df > _EXACT_DF_LIMIT:
        return _cornish_fisher(df)
    low, high = 0.0, 1.0
    while _central_probability(high, df) < 0.95:
        low, high = high, high * 2
    for _ in range(100):
        middle = (low + high) / 2
        if middle in (low, high):
            break
        if _central_probability(middle, df) < 0.95:
            low = middle
        else:
            high = middle
    return high


def _central_probability(t: float, df: int) -> float:
    """P(-t < T < t) for Student's T with whole df (A&S 26.7.3 odd df, 26.7.4 even df)."""
    cos2 = df / (df + t * t)
    sin = t / math.sqrt(df + t * t)
    term, total = 1.0, 1.0
    if df % 2 == 0:
        for j in range(1, df // 2):
            term *= cos2 * (2 * j - 1) / (2 * j)
            total += term
        return sin * total
    theta = math.atan(t / math.sqrt(df))
    if df == 1:
        return 2 * theta / math.pi
    for j in range(1, (df - 1) // 2):
        term *= cos2 * (2 * j) / (2 * j + 1)
        total += term
    return 2 / math.pi * (theta + sin * math.sqrt(cos2) * total)


def _cornish_fisher(df: int) -> float:
    """t(0.975, df) ≈ z + g1(z)/df + g2(z)/df² + g3(z)/df³ + g4(z)/df⁴ (A&S 26.7.5)."""
    z = _Z_975
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4
