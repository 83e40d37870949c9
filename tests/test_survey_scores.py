"""The survey's scores against hand-computed examples, a textbook t-interval and t tables."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from buurtnet.core import survey_scores
from buurtnet.core.survey_scores import (
    COHESION_ITEMS,
    Answer,
    Estimate,
    cohesion_estimate,
    cohesion_score,
    mark_estimate,
    mean_interval,
    published,
    t_critical,
)

A = Answer
# Answers that score 6, 7 and 8 (item 1 is reversed: agreeing that people hardly know each other
# counts against cohesion).
SIX = [A.NEUTRAL, A.AGREE, A.AGREE, A.NEUTRAL, A.NEUTRAL]  # 2 + 3 + 3 + 2 + 2 = 12 -> 6.0
SEVEN = [A.NEUTRAL, A.AGREE, A.AGREE, A.AGREE, A.AGREE]  # 2 + 3 + 3 + 3 + 3 = 14 -> 7.0
EIGHT = [A.DISAGREE, A.AGREE, A.AGREE, A.AGREE, A.STRONGLY_AGREE]  # 3 + 3+3+3+4 = 16 -> 8.0

answer_sets = st.lists(st.sampled_from(Answer), min_size=5, max_size=5)


def test_stored_values_stay_stable() -> None:
    assert [answer.value for answer in Answer] == [
        "strongly_agree",
        "agree",
        "neutral",
        "disagree",
        "strongly_disagree",
    ]


def test_only_the_first_item_is_reversed() -> None:
    assert [item.reversed for item in COHESION_ITEMS] == [True, False, False, False, False]
    assert COHESION_ITEMS[0].text == "De mensen kennen elkaar in deze buurt nauwelijks."


def test_item_one_is_reversed() -> None:
    # Agreeing fully with everything: item 1 gives 4 - 4 = 0, items 2-5 give 4 each: 16 -> 8.0.
    assert cohesion_score([A.STRONGLY_AGREE] * 5) == 8.0
    # Disagreeing fully with item 1 only: 4 + 4 * 4 = 20 -> 20 * 10 / 20 = 10.0.
    assert cohesion_score([A.STRONGLY_DISAGREE] + [A.STRONGLY_AGREE] * 4) == 10.0
    # The opposite: item 1 fully agreed (0), the others fully disagreed (0): 0.
    assert cohesion_score([A.STRONGLY_AGREE] + [A.STRONGLY_DISAGREE] * 4) == 0.0


def test_hand_computed_person_scores() -> None:
    # Neutral everywhere: 5 * 2 = 10 -> 10 * 10 / 20 = 5.0 (the reversal leaves 2 at 2).
    assert cohesion_score([A.NEUTRAL] * 5) == 5.0
    # Item 1 agreed (4 - 3 = 1), then agree 3, neutral 2, disagree 1, strongly disagree 0:
    # 1 + 3 + 2 + 1 + 0 = 7 -> 3.5.
    assert cohesion_score([A.AGREE, A.AGREE, A.NEUTRAL, A.DISAGREE, A.STRONGLY_DISAGREE]) == 3.5
    assert [cohesion_score(answers) for answers in (SIX, SEVEN, EIGHT)] == [6.0, 7.0, 8.0]


def test_an_incomplete_scale_has_no_score() -> None:
    assert cohesion_score([A.AGREE, A.AGREE, None, A.AGREE, A.AGREE]) is None
    with pytest.raises(ValueError, match="expected 5 answers"):
        cohesion_score([A.AGREE] * 4)


def test_hand_computed_neighbourhood_score() -> None:
    # Scores 6, 7, 7, 8 (the incomplete scale is left out): mean 28 / 4 = 7;
    # s^2 = (1 + 0 + 0 + 1) / 3 = 0.6667, s = 0.81650, s / sqrt(4) = 0.408248;
    # t(0.975, 3) = 3.18245, so 7 -/+ 3.182446 * 0.408248 = 7 -/+ 1.299228.
    incomplete = [None, A.AGREE, A.AGREE, A.AGREE, A.AGREE]
    result = cohesion_estimate([SIX, SEVEN, incomplete, SEVEN, EIGHT])
    assert result is not None
    assert (result.n, result.mean) == (4, 7.0)
    assert result.low == pytest.approx(5.700772, abs=1e-6)
    assert result.high == pytest.approx(8.299228, abs=1e-6)


def test_the_interval_is_clipped_to_the_scale() -> None:
    # Scores 10, 5, 3.5: mean 18.5 / 3 = 6.1667; deviations 3.8333, -1.1667, -2.6667, squares
    # sum 23.1667, s^2 = 11.5833, s = 3.4034, s / sqrt(3) = 1.9650; t(0.975, 2) = 4.3027:
    # 6.1667 -/+ 8.4546 = (-2.29, 14.62), clipped to the scale's (0, 10).
    people = [
        [A.STRONGLY_DISAGREE] + [A.STRONGLY_AGREE] * 4,
        [A.NEUTRAL] * 5,
        [A.AGREE, A.AGREE, A.NEUTRAL, A.DISAGREE, A.STRONGLY_DISAGREE],
    ]
    result = cohesion_estimate(people)
    assert result is not None
    assert result.mean == pytest.approx(6.16667, abs=1e-5)
    assert (result.low, result.high) == (0.0, 10.0)
    unclipped = mean_interval([10.0, 5.0, 3.5])
    assert unclipped is not None and unclipped.low == pytest.approx(-2.288, abs=1e-3)


def test_hand_computed_report_marks() -> None:
    # Marks 7, 8, 6, 9, 7: mean 37 / 5 = 7.4; squared deviations 0.16 + 0.36 + 1.96 + 2.56 + 0.16
    # = 5.2, s^2 = 5.2 / 4 = 1.3, s = 1.140175, s / sqrt(5) = 0.509902; t(0.975, 4) = 2.776445:
    # 7.4 -/+ 2.776445 * 0.509902 = 7.4 -/+ 1.415715 = (5.984285, 8.815715).
    result = mark_estimate([7, 8, 6, 9, 7])
    assert result is not None
    assert (result.n, result.mean) == (5, 7.4)
    assert result.low == pytest.approx(5.984285, abs=1e-6)
    assert result.high == pytest.approx(8.815715, abs=1e-6)


@pytest.mark.parametrize("mark", [0, 11])
def test_a_mark_off_the_scale_is_refused(mark: int) -> None:
    with pytest.raises(ValueError, match="from 1 to 10"):
        mark_estimate([7, mark])


def test_textbook_t_interval() -> None:
    # Student (1908) / Cushny and Peebles, the "sleep" data of R: extra hours of sleep with
    # L- minus D-hyoscyamine for 10 patients. Sum 15.8, mean 1.58; squared deviations sum to
    # 13.616, s^2 = 13.616 / 9 = 1.51289, s = 1.22999, s / sqrt(10) = 0.38896;
    # t(0.975, 9) = 2.26216: 1.58 -/+ 0.87989 = (0.70011, 2.45989), as R's
    # t.test(extra ~ group, data = sleep, paired = TRUE) prints (-2.4598858, -0.7001142).
    differences = [1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4]
    result = mean_interval(differences)
    assert result is not None
    assert result.n == 10
    assert result.mean == pytest.approx(1.58)
    assert result.low == pytest.approx(0.7001142, abs=1e-7)
    assert result.high == pytest.approx(2.4598858, abs=1e-7)


def test_too_few_answers_for_an_interval() -> None:
    assert mean_interval([]) is None
    assert cohesion_estimate([[A.AGREE, None, A.AGREE, A.AGREE, A.AGREE]]) is None
    assert mean_interval([7.0]) == Estimate(1, 7.0, None, None)
    assert mark_estimate([7]) == Estimate(1, 7.0, None, None)


@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.706), (2, 4.303), (5, 2.571), (9, 2.262), (10, 2.228), (30, 2.042), (100, 1.984)],
)
def test_t_critical_values_match_the_tables(df: int, expected: float) -> None:
    assert round(t_critical(df), 3) == expected


def test_t_critical_approaches_the_normal_quantile() -> None:
    assert round(t_critical(1000), 3) == 1.962
    assert round(t_critical(1001), 3) == 1.962  # the expansion takes over without a step
    assert round(t_critical(10**6), 3) == 1.960
    assert t_critical(10**6) > 1.959963984540054


def test_t_critical_needs_a_degree_of_freedom() -> None:
    with pytest.raises(ValueError, match="degree of freedom"):
        t_critical(0)


def test_published_only_from_the_threshold_on() -> None:
    nine, ten = Estimate(9, 6.0, 5.0, 7.0), Estimate(10, 6.0, 5.0, 7.0)
    assert published(nine) is None
    assert published(ten) == ten
    assert published(None) is None
    # k is never below disclosure's minimum of 5, whatever the caller asks.
    assert published(Estimate(4, 6.0, 5.0, 7.0), k=3) is None
    assert published(Estimate(5, 6.0, 5.0, 7.0), k=3) is not None


def test_cbs_references() -> None:
    assert (
        survey_scores.CBS_COHESION_VERY_STRONGLY_URBAN
        < survey_scores.CBS_COHESION_NATIONAL
        < survey_scores.CBS_COHESION_NON_URBAN
    )


@given(answer_sets)
def test_a_person_score_is_on_the_scale_in_half_points(answers: list[Answer]) -> None:
    score = cohesion_score(answers)
    assert score is not None
    assert 0.0 <= score <= 10.0
    assert (score * 2).is_integer()


@given(st.lists(answer_sets, min_size=1))
def test_the_mean_lies_within_its_interval(people: list[list[Answer]]) -> None:
    result = cohesion_estimate(people)
    assert result is not None and result.n == len(people)
    if result.low is not None and result.high is not None:
        assert 0.0 <= result.low <= result.mean <= result.high <= 10.0


@given(st.lists(st.integers(min_value=1, max_value=10), min_size=2))
def test_the_mean_mark_lies_within_its_interval(marks: list[int]) -> None:
    result = mark_estimate(marks)
    assert result is not None and result.low is not None and result.high is not None
    assert 1.0 <= result.low <= result.mean <= result.high <= 10.0


@given(st.data())
def test_the_order_of_answers_does_not_matter(data: st.DataObject) -> None:
    people = data.draw(st.lists(answer_sets))
    shuffled = data.draw(st.permutations(people))
    assert cohesion_estimate(shuffled) == cohesion_estimate(people)
    marks = data.draw(st.lists(st.integers(min_value=1, max_value=10)))
    assert mark_estimate(data.draw(st.permutations(marks))) == mark_estimate(marks)
