"""sparse_item_analysis: random forms (NaN = not on the form), checked by hand and
against item_analysis on complete matrices."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from trainer.assessments.statistics import (
    FLAG_NEGATIVE_DISCRIMINATION,
    StatisticsInputError,
    flag_items,
    item_analysis,
    sparse_item_analysis,
)

N = math.nan
# Five attempts, each drew two of the three items (a form of length 2).
#          a  b  c     total
SPARSE = [
    [1, 1, N],  # 2
    [1, N, 0],  # 1
    [0, 0, N],  # 0
    [N, 1, 1],  # 2
    [0, N, 1],  # 1
]


def by_id(result):
    return {item.item_id: item for item in result.items}


def test_per_item_statistics_over_the_attempts_that_drew_it():
    items = by_id(sparse_item_analysis(SPARSE, item_ids=["a", "b", "c"]))
    a, b, c = items["a"], items["b"], items["c"]
    assert (a.attempts, b.attempts, c.attempts) == (4, 3, 3)
    # a: marks 1, 1, 0, 0 against totals 2, 1, 0, 1 -> rest 1, 0, 0, 1.
    assert a.facility_index == pytest.approx(50.0)
    assert a.standard_deviation == pytest.approx(100 * math.sqrt(1 / 3))
    # C(a, rest) = (.25 - .25 + .25 - .25) / 3 = 0.
    assert a.discrimination_index == pytest.approx(0.0, abs=1e-12)
    assert a.discriminative_efficiency == pytest.approx(0.0, abs=1e-12)
    # b: marks 1, 0, 1, rest 1, 0, 1 (the same): D = 100, efficiency 100.
    assert b.facility_index == pytest.approx(200 / 3)
    assert b.discrimination_index == pytest.approx(100.0)
    assert b.discriminative_efficiency == pytest.approx(100.0)
    # c: marks 0, 1, 1, rest 1, 1, 0: C = -1/6, V = 1/3 each, so D = -50;
    # sorted covariance 1/3, so efficiency -50 too.
    assert c.discrimination_index == pytest.approx(-50.0)
    assert c.discriminative_efficiency == pytest.approx(-50.0)


def test_weights_sum_over_a_form_not_over_the_bank():
    items = by_id(sparse_item_analysis(SPARSE, item_ids=["a", "b", "c"]))
    # Shares that drew each item: 4/5, 3/5, 3/5 -> an expected form has 2 marks.
    for item in items.values():
        assert item.intended_weight == pytest.approx(50.0)
    # C(x, T) over the attempts with the item: a 1/3, b 2/3, c 1/6.
    roots = {"a": math.sqrt(1 / 3), "b": math.sqrt(2 / 3), "c": math.sqrt(1 / 6)}
    shares = {"a": 0.8, "b": 0.6, "c": 0.6}
    denominator = sum(shares[k] * roots[k] for k in roots)
    for key, item in items.items():
        assert item.effective_weight == pytest.approx(100 * roots[key] / denominator)
    expected_form = sum(shares[k] * items[k].effective_weight for k in roots)
    assert expected_form == pytest.approx(100.0)


def test_test_statistics_of_equal_forms():
    test = sparse_item_analysis(SPARSE).test
    # Totals 2, 1, 0, 2, 1 out of 2 each.
    assert test.attempts == 5 and test.items == 3 and test.max_total == 2.0
    assert test.mean == pytest.approx(60.0)
    assert test.median == pytest.approx(50.0)
    assert test.standard_deviation == pytest.approx(100 * math.sqrt(0.7) / 2)
    # p = 2 items per form; expected sum of item variances 0.8/3 + 0.6/3 + 0.6/3 = 2/3;
    # k2 = V(T) = 0.7.
    cic = 100 * 2 * (1 - (2 / 3) / 0.7)
    assert test.coefficient_of_internal_consistency == pytest.approx(cic)
    assert test.error_ratio == pytest.approx(100 * math.sqrt(1 - cic / 100))
    assert test.standard_error == pytest.approx(test.error_ratio / 100 * test.standard_deviation)


def test_unequal_forms_use_each_attempts_own_maximum_and_skip_reliability():
    marks = [*SPARSE, [1, 1, 1]]  # one attempt with three items, all right
    test = sparse_item_analysis(marks).test
    percents = [100, 50, 0, 100, 50, 100]
    assert test.mean == pytest.approx(sum(percents) / 6)
    assert test.median == pytest.approx(75.0)
    assert test.standard_deviation == pytest.approx(float(np.std(percents, ddof=1)))
    assert test.coefficient_of_internal_consistency is None
    assert test.error_ratio is None and test.standard_error is None
    # Expected maximum of a form: 5/6 + 4/6 + 4/6 = 13/6.
    assert test.max_total == pytest.approx(13 / 6)


def test_an_item_drawn_once_has_no_spread_statistics():
    marks = [[1, 1, N], [0, 1, N], [1, 0, 1], [0, 0, N]]
    items = by_id(sparse_item_analysis(marks, item_ids=["a", "b", "once"]))
    once = items["once"]
    assert once.attempts == 1 and once.facility_index == 100.0
    assert once.standard_deviation is None
    assert once.discrimination_index is None
    assert once.effective_weight is None
    assert items["a"].effective_weight is not None


def test_flags_work_on_sparse_results():
    result = sparse_item_analysis(SPARSE, item_ids=["a", "b", "c"])
    assert ("c", FLAG_NEGATIVE_DISCRIMINATION) in flag_items(result.items)


@pytest.mark.parametrize(
    ("marks", "message"),
    [
        ([[1, N], [0, N]], "'2' have no marks"),
        ([[1, 0], [N, N]], "attempt row 2 has no marks"),
        ([[1, math.inf], [0, 1]], "finite"),
        ([[1, -1], [0, 1]], "negative"),
        ([[2, N], [0, 1]], "above"),
        ([1, 0, N], "matrix"),
    ],
)
def test_bad_input(marks, message):
    with pytest.raises(StatisticsInputError, match=message):
        sparse_item_analysis(marks)


def test_item_analysis_still_refuses_missing_marks():
    with pytest.raises(StatisticsInputError, match="missing marks are not allowed"):
        item_analysis(SPARSE)


# --- reduction: with nothing missing, the sparse analysis is item_analysis ------------

complete = hs.integers(min_value=1, max_value=14).flatmap(
    lambda attempts: hs.integers(min_value=1, max_value=6).flatmap(
        lambda items: hs.lists(
            hs.lists(hs.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0]), min_size=items, max_size=items),
            min_size=attempts,
            max_size=attempts,
        )
    )
)


def assert_same(dense, sparse):
    assert dense.keys() == sparse.keys()
    for key, value in dense.items():
        other = sparse[key]
        if isinstance(value, float):
            assert other is not None, key
            assert other == pytest.approx(value, rel=1e-9, abs=1e-9), key
        else:
            assert other == value, key


@settings(max_examples=200, deadline=None)
@given(complete, hs.sampled_from([2.0, [2.0, 2.0, 2.0, 2.0, 2.0, 2.0]]))
def test_reduces_to_item_analysis_when_nothing_is_missing(marks, max_marks):
    width = len(marks[0])
    maxima = max_marks if isinstance(max_marks, float) else max_marks[:width]
    dense = item_analysis(marks, max_marks=maxima).to_dict()
    sparse = sparse_item_analysis(marks, max_marks=maxima).to_dict()
    assert_same(dense["test"], sparse["test"])
    for d_item, s_item in zip(dense["items"], sparse["items"], strict=True):
        assert_same(d_item, s_item)


def test_reduces_on_the_hand_computed_matrix_of_test_statistics():
    marks = [[1, 1, 1], [1, 0, 1], [1, 1, 0], [0, 0, 1], [0, 0, 0]]
    dense = item_analysis(marks).to_dict()
    sparse = sparse_item_analysis(marks).to_dict()
    assert_same(dense["test"], sparse["test"])
    for d_item, s_item in zip(dense["items"], sparse["items"], strict=True):
        assert_same(d_item, s_item)


def test_unequal_maxima_reduce_too():
    marks = [[2, 1], [1, 0], [0.5, 1], [0, 0]]
    dense = item_analysis(marks, max_marks=[2, 1]).to_dict()
    sparse = sparse_item_analysis(marks, max_marks=[2, 1]).to_dict()
    assert_same(dense["test"], sparse["test"])
    for d_item, s_item in zip(dense["items"], sparse["items"], strict=True):
        assert_same(d_item, s_item)
