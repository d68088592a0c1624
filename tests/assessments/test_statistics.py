import math
import statistics as st

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from trainer.assessments.statistics import (
    FLAG_NEGATIVE_DISCRIMINATION,
    FLAG_NO_DISCRIMINATION,
    FLAG_TOO_EASY,
    FLAG_TOO_HARD,
    FLAG_WEAK_DISCRIMINATION,
    ItemStats,
    StatisticsInputError,
    flag_items,
    gain_summary,
    item_analysis,
    option_frequencies,
    regularized_incomplete_beta,
    t_cdf,
    t_quantile,
    wrong_to_right,
)

# Five attempts x three one-mark items.
#        q1 q2 q3   total
MARKS = [
    [1, 1, 1],  # 3
    [1, 0, 1],  # 2
    [1, 1, 0],  # 2
    [0, 0, 1],  # 1
    [0, 0, 0],  # 0
]
IDS = ["q1", "q2", "q3"]


def column(matrix, j):
    return [row[j] for row in matrix]


def totals(matrix):
    return [sum(row) for row in matrix]


def rest(matrix, j):
    return [sum(row) - row[j] for row in matrix]


# ---------------------------------------------------------------------------
# Item statistics
# ---------------------------------------------------------------------------


def test_facility_and_sd_by_hand():
    result = item_analysis(MARKS, item_ids=IDS)
    # Facility: q1 3/5, q2 2/5, q3 3/5 right.
    assert [item.facility_index for item in result.items] == pytest.approx([60.0, 40.0, 60.0])
    # Each column has three of one value and two of the other:
    # V = (3 * 0.4**2 + 2 * 0.6**2) / 4 = 0.3, SD = 100 * sqrt(0.3).
    for item in result.items:
        assert item.standard_deviation == pytest.approx(100 * math.sqrt(0.3))
        assert item.intended_weight == pytest.approx(100 / 3)
        assert item.attempts == 5


def test_discrimination_is_correlation_with_rest_of_test():
    result = item_analysis(MARKS, item_ids=IDS)
    # q1 against the rest (q2 + q3 = 2, 1, 1, 1, 0): C = (0.4*1 + 0.6*1) / 4 = 0.25,
    # V(q1) = 0.3, V(rest) = 0.5, so D = 100 * 0.25 / sqrt(0.15) = 64.55.
    assert result.items[0].discrimination_index == pytest.approx(64.5497, abs=1e-4)
    for j, item in enumerate(result.items):
        expected = 100 * st.correlation(column(MARKS, j), rest(MARKS, j))
        assert item.discrimination_index == pytest.approx(expected)
    # q3 is uncorrelated with q1 + q2.
    assert result.items[2].discrimination_index == pytest.approx(0.0, abs=1e-12)


def test_discriminative_efficiency_uses_sorted_marks():
    result = item_analysis(MARKS, item_ids=IDS)
    for j, item in enumerate(result.items):
        x, r = column(MARKS, j), rest(MARKS, j)
        cov_max = st.covariance(sorted(x), sorted(r))
        expected = 100 * st.covariance(x, r) / cov_max
        assert item.discriminative_efficiency == pytest.approx(expected)
    # q1 is already ordered like the rest of the test: efficiency 100.
    # q2: C(q2, q1+q3) = 0.15, sorted covariance 0.4, so 37.5.
    assert result.items[0].discriminative_efficiency == pytest.approx(100.0)
    assert result.items[1].discriminative_efficiency == pytest.approx(37.5)


def test_effective_weight_by_hand():
    result = item_analysis(MARKS, item_ids=IDS)
    # Covariances with the total: q1 0.55, q2 0.45, q3 0.30 (they add up to V(T) = 1.3).
    covs = [st.covariance(column(MARKS, j), totals(MARKS)) for j in range(3)]
    assert covs == pytest.approx([0.55, 0.45, 0.30])
    roots = [math.sqrt(c) for c in covs]
    expected = [100 * root / sum(roots) for root in roots]
    assert [item.effective_weight for item in result.items] == pytest.approx(expected)
    assert sum(item.effective_weight for item in result.items) == pytest.approx(100.0)


def test_effective_weight_is_none_for_negative_covariance():
    # q3 is right exactly for the weakest attempts: C(q3, T) = -0.2 < 0.
    marks = [[1, 1, 0], [1, 1, 0], [1, 0, 0], [0, 0, 1], [0, 0, 1]]
    assert st.covariance(column(marks, 2), totals(marks)) < 0
    result = item_analysis(marks)
    q1, q2, q3 = result.items
    assert q3.effective_weight is None
    assert q3.discrimination_index is not None and q3.discrimination_index < 0
    assert q1.effective_weight + q2.effective_weight == pytest.approx(100.0)
    assert (q3.item_id, FLAG_NEGATIVE_DISCRIMINATION) in flag_items(result.items)


def test_constant_item_has_no_discrimination_and_zero_effective_weight():
    marks = [[1, 1, 1], [1, 0, 1], [1, 1, 0], [1, 0, 1]]
    result = item_analysis(marks, item_ids=["always", "b", "c"])
    always = result.items[0]
    assert always.facility_index == 100.0
    assert always.standard_deviation == 0.0
    assert always.discrimination_index is None
    assert always.discriminative_efficiency is None
    assert always.effective_weight == 0.0
    assert ("always", FLAG_NO_DISCRIMINATION) in flag_items(result.items)


def test_partial_marks_use_each_items_maximum():
    # q1 out of 2, q2 out of 1.
    marks = [[2, 1], [1, 0], [0.5, 1], [0, 0]]
    result = item_analysis(marks, max_marks=[2, 1], item_ids=["a", "b"])
    a, b = result.items
    # Facility a = mean(2, 1, 0.5, 0) / 2 = 0.875 / 2.
    assert a.facility_index == pytest.approx(43.75)
    assert a.standard_deviation == pytest.approx(100 * st.stdev([2, 1, 0.5, 0]) / 2)
    assert b.facility_index == pytest.approx(50.0)
    assert a.intended_weight == pytest.approx(200 / 3)
    assert result.test.max_total == 3.0
    assert result.test.mean == pytest.approx(100 * st.mean([3, 1, 1.5, 0]) / 3)


# ---------------------------------------------------------------------------
# Test statistics
# ---------------------------------------------------------------------------


def test_test_statistics_by_hand():
    test = item_analysis(MARKS, item_ids=IDS).test
    t = totals(MARKS)  # 3, 2, 2, 1, 0 out of 3
    assert test.attempts == 5 and test.items == 3
    assert test.mean == pytest.approx(100 * 1.6 / 3)
    assert test.median == pytest.approx(100 * 2 / 3)
    assert test.standard_deviation == pytest.approx(100 * st.stdev(t) / 3)
    # Cronbach's alpha: 3/2 * (1 - (0.3 + 0.3 + 0.3) / 1.3) = 0.4615.
    alpha = 3 / 2 * (1 - sum(st.variance(column(MARKS, j)) for j in range(3)) / st.variance(t))
    assert alpha == pytest.approx(0.6 / 1.3)
    assert test.coefficient_of_internal_consistency == pytest.approx(100 * alpha)
    assert test.error_ratio == pytest.approx(100 * math.sqrt(1 - alpha))
    assert test.standard_error == pytest.approx(math.sqrt(1 - alpha) * test.standard_deviation)


def test_skewness_and_kurtosis_match_the_adjusted_moment_formulas():
    test = item_analysis(MARKS).test
    t = totals(MARKS)
    n = len(t)
    mean = st.fmean(t)
    m2 = sum((v - mean) ** 2 for v in t) / n
    m3 = sum((v - mean) ** 3 for v in t) / n
    m4 = sum((v - mean) ** 4 for v in t) / n
    # Adjusted Fisher-Pearson skewness G1 and excess kurtosis G2 (the usual textbook forms).
    g1 = m3 / m2**1.5
    big_g1 = g1 * math.sqrt(n * (n - 1)) / (n - 2)
    g2 = m4 / m2**2 - 3
    big_g2 = ((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3))
    assert test.skewness == pytest.approx(big_g1)
    assert test.kurtosis == pytest.approx(big_g2)
    # By hand: k3 = 25 * -0.288 / 12 = -0.6, k2 = 1.3, skewness = -0.6 / 1.3**1.5.
    assert test.skewness == pytest.approx(-0.6 / 1.3**1.5)
    # k4 = 25 * (6 * 2.1152 - 12 * 1.04**2) / 24 = -0.3, kurtosis = -0.3 / 1.69.
    assert test.kurtosis == pytest.approx(-0.3 / 1.69)


def test_moodle_attempt_count_conventions():
    one = item_analysis([[1, 0]])
    assert one.items[0].standard_deviation is None
    assert one.items[0].discrimination_index is None
    assert one.items[0].effective_weight is None
    assert one.test.standard_deviation is None
    assert one.test.mean == 50.0

    two = item_analysis([[1, 0], [0, 1]])
    assert two.test.standard_deviation == pytest.approx(0.0)
    assert two.test.skewness is None
    assert two.test.coefficient_of_internal_consistency is None

    three = item_analysis([[1, 1], [1, 0], [0, 0]])
    assert three.test.skewness is not None
    assert three.test.kurtosis is None
    assert three.test.coefficient_of_internal_consistency is not None

    single_item = item_analysis([[1], [0], [1], [0]])
    assert single_item.test.coefficient_of_internal_consistency is None
    # The rest of a one-item test is always 0.
    assert single_item.items[0].discrimination_index is None


@pytest.mark.parametrize(
    ("marks", "kwargs", "message"),
    [
        ([1, 0, 1], {}, "matrix"),
        ([[1, 0], [1]], {}, "numeric matrix"),
        ([[1, float("nan")]], {}, "finite"),
        ([[1, -1]], {}, "negative"),
        ([[1, 2]], {}, "above"),
        ([[1, 0]], {"max_marks": 0}, "positive"),
        ([[1, 0]], {"item_ids": ["a"]}, "item ids"),
        ([[1, 0]], {"item_ids": ["a", "a"]}, "unique"),
        (np.zeros((0, 3)), {}, "at least one"),
    ],
)
def test_item_analysis_rejects_bad_input(marks, kwargs, message):
    with pytest.raises(StatisticsInputError, match=message):
        item_analysis(marks, **kwargs)


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

matrices = hs.integers(min_value=1, max_value=12).flatmap(
    lambda attempts: hs.integers(min_value=1, max_value=5).flatmap(
        lambda items: hs.lists(
            hs.lists(hs.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0]), min_size=items, max_size=items),
            min_size=attempts,
            max_size=attempts,
        )
    )
)


@settings(max_examples=150, deadline=None)
@given(matrices)
def test_indices_stay_within_their_ranges(marks):
    result = item_analysis(marks, max_marks=2.0)
    for item in result.items:
        assert 0.0 <= item.facility_index <= 100.0
        if item.discrimination_index is not None:
            assert -100.0 <= item.discrimination_index <= 100.0
            # Sorting maximizes the covariance, so efficiency never falls short of D.
            if item.discrimination_index > 0:
                assert item.discriminative_efficiency >= item.discrimination_index - 1e-9
        if item.discriminative_efficiency is not None:
            assert item.discriminative_efficiency <= 100.0
    weights = [item.effective_weight for item in result.items if item.effective_weight]
    if weights:
        assert sum(weights) <= 100.0 + 1e-9
    assert 0.0 <= result.test.mean <= 100.0
    assert 0.0 <= result.test.median <= 100.0


@settings(max_examples=100, deadline=None)
@given(
    hs.lists(hs.sampled_from([0.0, 1.0]), min_size=3, max_size=30).filter(lambda c: len(set(c)) > 1)
)
def test_alpha_of_two_identical_columns_is_one(col):
    result = item_analysis([[v, v] for v in col])
    assert result.test.coefficient_of_internal_consistency == pytest.approx(100.0)
    assert result.test.error_ratio == pytest.approx(0.0, abs=1e-5)
    assert result.items[0].discrimination_index == pytest.approx(100.0)


# ---------------------------------------------------------------------------
# Gains
# ---------------------------------------------------------------------------


def test_gain_summary_by_hand():
    summary = gain_summary([(40, 70), (50, 50), (100, 90), (20, 60)])
    assert summary.n == 4
    assert summary.pre_mean == pytest.approx(52.5)
    assert summary.post_mean == pytest.approx(67.5)
    # Differences 30, 0, -10, 40.
    assert summary.mean_gain == pytest.approx(15.0)
    # Per learner: 30/60, 0/50, (pre = 100 left out), 40/80.
    assert summary.normalized_gain == pytest.approx((0.5 + 0.0 + 0.5) / 3)
    assert summary.normalized_gain_n == 3
    assert summary.normalized_gain_excluded == 1
    assert summary.class_normalized_gain == pytest.approx(15 / 47.5)
    # sd of the differences: sqrt((15**2 + 15**2 + 25**2 + 25**2) / 3) = sqrt(1700 / 3).
    dz = 15 / math.sqrt(1700 / 3)
    assert summary.cohen_dz == pytest.approx(dz)
    se = math.sqrt(1 / 4 + dz**2 / 8)
    t = 3.182446305284263  # t(0.975, 3) from the published tables
    assert summary.cohen_dz_ci_low == pytest.approx(dz - t * se)
    assert summary.cohen_dz_ci_high == pytest.approx(dz + t * se)
    assert summary.share_improved == pytest.approx(0.5)


def test_gain_summary_single_learner():
    summary = gain_summary([(60, 80)])
    assert summary.n == 1
    assert summary.mean_gain == 20.0
    assert summary.normalized_gain == pytest.approx(0.5)
    assert summary.class_normalized_gain == pytest.approx(0.5)
    assert summary.cohen_dz is None
    assert summary.cohen_dz_ci_low is None and summary.cohen_dz_ci_high is None
    assert summary.share_improved == 1.0


def test_gain_summary_everyone_perfect_before():
    summary = gain_summary([(100, 100), (100, 90)])
    assert summary.normalized_gain is None
    assert summary.normalized_gain_n == 0
    assert summary.normalized_gain_excluded == 2
    assert summary.class_normalized_gain is None
    assert summary.share_improved == 0.0
    assert summary.cohen_dz == pytest.approx(-5 / st.stdev([0, -10]))


def test_gain_summary_zero_spread_and_empty():
    same = gain_summary([(10, 20), (30, 40), (50, 60)])
    assert same.mean_gain == pytest.approx(10.0)
    assert same.cohen_dz is None
    empty = gain_summary([])
    assert empty.n == 0
    assert empty.pre_mean is None and empty.share_improved is None
    assert empty.to_dict()["normalized_gain_n"] == 0


@pytest.mark.parametrize("pair", [(-1, 50), (50, 101), (float("nan"), 10), (0, float("inf"))])
def test_gain_summary_rejects_scores_outside_percent(pair):
    with pytest.raises(StatisticsInputError, match="learner 1"):
        gain_summary([(10, 20), pair])


# ---------------------------------------------------------------------------
# Student's t
# ---------------------------------------------------------------------------


def t_cdf_closed_form(t: float, df: int) -> float:
    """Integer-df Student t CDF by the classical finite series (Abramowitz & Stegun 26.7.3)."""
    theta = math.atan(t / math.sqrt(df))
    s, c = math.sin(theta), math.cos(theta)
    if df % 2 == 1:
        term, total = c, 0.0
        if df > 1:
            total = c
            for k in range(3, df - 1, 2):
                term *= (k - 1) / k * c * c
                total += term
        a = 2 / math.pi * (theta + s * total)
    else:
        term, total = 1.0, 1.0
        for k in range(2, df - 1, 2):
            term *= (k - 1) / k * c * c
            total += term
        a = s * total
    return 0.5 + a / 2


@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.706204736), (2, 4.302652730), (3, 3.182446305), (9, 2.262157163), (30, 2.042272456)],
)
def test_t_quantile_matches_tables(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=1e-8)
    assert t_quantile(0.025, df) == pytest.approx(-expected, abs=1e-8)


@pytest.mark.parametrize("df", [1, 2, 3, 4, 5, 8, 11, 20])
@pytest.mark.parametrize("t", [-3.0, -0.7, 0.0, 0.4, 1.5, 2.5, 6.0])
def test_t_cdf_matches_closed_form(df, t):
    assert t_cdf(t, df) == pytest.approx(t_cdf_closed_form(t, df), abs=1e-12)


def test_t_quantile_approaches_normal_for_large_df():
    assert t_quantile(0.975, 1_000_000) == pytest.approx(1.959963985, abs=1e-5)


def test_incomplete_beta_edges_and_symmetry():
    assert regularized_incomplete_beta(2, 3, 0.0) == 0.0
    assert regularized_incomplete_beta(2, 3, 1.0) == 1.0
    # I_x(1, 1) = x, and I_x(a, b) = 1 - I_{1-x}(b, a).
    assert regularized_incomplete_beta(1, 1, 0.3) == pytest.approx(0.3)
    assert regularized_incomplete_beta(2.5, 4, 0.2) == pytest.approx(
        1 - regularized_incomplete_beta(4, 2.5, 0.8)
    )


# ---------------------------------------------------------------------------
# Frequencies, transitions, flags
# ---------------------------------------------------------------------------


def test_option_frequencies_counts_per_item():
    responses = [("q1", "a"), ("q1", "b"), ("q1", "a"), ("q2", "c"), ("q2", None)]
    assert option_frequencies(responses) == {"q1": {"a": 2, "b": 1}, "q2": {"c": 1, None: 1}}
    assert option_frequencies([]) == {}


def test_wrong_to_right_share():
    result = wrong_to_right(
        {
            # Three wrong before: two fixed, one still wrong; the right-before learner is
            # not counted whatever happens after.
            "q1": [(False, True), (False, True), (False, False), (True, False)],
            "q2": [(True, True), (True, False)],
            "q3": [],
        }
    )
    assert result["q1"] == pytest.approx(2 / 3)
    assert result["q2"] is None
    assert result["q3"] is None


def make_item(item_id, facility, discrimination):
    return ItemStats(
        item_id=item_id,
        max_mark=1.0,
        attempts=10,
        mean_mark=facility / 100,
        facility_index=facility,
        standard_deviation=40.0,
        intended_weight=25.0,
        effective_weight=25.0,
        discrimination_index=discrimination,
        discriminative_efficiency=None if discrimination is None else discrimination * 1.2,
    )


def test_flag_items_thresholds():
    items = [
        make_item("fine", 60.0, 45.0),
        make_item("easy", 96.0, 30.0),
        make_item("edge-easy", 95.0, 20.0),
        make_item("hard", 19.9, 25.0),
        make_item("edge-hard", 20.0, 25.0),
        make_item("weak", 50.0, 19.9),
        make_item("negative", 50.0, -5.0),
        make_item("flat", 100.0, None),
    ]
    assert flag_items(items) == [
        ("easy", FLAG_TOO_EASY),
        ("hard", FLAG_TOO_HARD),
        ("weak", FLAG_WEAK_DISCRIMINATION),
        ("negative", FLAG_NEGATIVE_DISCRIMINATION),
        ("flat", FLAG_TOO_EASY),
        ("flat", FLAG_NO_DISCRIMINATION),
    ]
