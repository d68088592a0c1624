"""Outcome statistics: pre/post learning gains and item analysis of a test.

Everything here is pure: numbers in, numbers out, no database and no Flask. The item
analysis is computed in `itemanalysis` and the t distribution in `tdistribution`; their
names stay importable from here.
A value that is undefined for the data given (too few learners, a zero spread, ...)
is ``None``, never NaN.

Learning gains (``gain_summary``), one ``(pre %, post %)`` pair per learner:

* mean gain ``mean(post - pre)``;
* normalized gain per learner ``g = (post - pre) / (100 - pre)``, averaged over the
  learners whose pre-test score is below 100 (those at 100 cannot gain and are counted
  in ``normalized_gain_excluded``);
* normalized gain on the class means ``(mean post - mean pre) / (100 - mean pre)``;
* Cohen's ``d_z = mean(diff) / sd(diff)`` (sample sd, n - 1) with an approximate 95 %
  confidence interval ``d_z +/- t(0.975, n - 1) * se``, ``se = sqrt(1/n + d_z**2 / (2n))``
  (the usual large-sample standard error, not the exact noncentral-t interval);
* share improved: learners with ``post > pre`` over all learners.

Item analysis (``item_analysis``) follows Moodle's quiz statistics report. With ``x_i``
the marks of item ``i`` over the ``s`` attempts, ``T`` the attempt totals, ``X_i = T - x_i``
the rest of the test, ``V`` the sample variance and ``C`` the sample covariance
(divisor ``s - 1``):

* Facility index ``F = 100 * mean(x_i) / max_i``.
* Standard deviation ``SD = 100 * sqrt(V(x_i)) / max_i``.
* Intended weight ``100 * max_i / sum(max)``.
* Discrimination index ``D = 100 * C(x_i, X_i) / sqrt(V(x_i) V(X_i))``; undefined when
  either variance is zero.
* Discriminative efficiency ``100 * C(x_i, X_i) / Cmax``, ``Cmax`` the covariance of
  the item's marks and the rest-of-test marks each sorted ascending (the largest
  covariance those marks allow); undefined when ``Cmax`` is zero.
* Effective weight ``100 * sqrt(C(x_i, T)) / sum_j sqrt(C(x_j, T))`` where the sum runs
  over items with ``C(x_j, T) >= 0``; undefined for an item with a negative covariance
  with the total, and for every item when the sum is zero.

Test statistics, with ``m_k = sum((T - mean T)**k) / s``:

* Mean, median and standard deviation of ``T`` (sd with divisor ``s - 1``).
* Skewness ``k3 / k2**1.5`` and kurtosis ``k4 / k2**2`` (excess), with
  ``k2 = s m2 / (s-1)``, ``k3 = s**2 m3 / ((s-1)(s-2))`` and
  ``k4 = s**2 ((s+1) m4 - 3 (s-1) m2**2) / ((s-1)(s-2)(s-3))``; skewness needs 3 attempts,
  kurtosis 4.
* Coefficient of internal consistency ``CIC = 100 * p/(p-1) * (1 - sum_i V(x_i) / k2)``
  (Cronbach's alpha in percent, ``p`` items); error ratio ``ER = 100 * sqrt(1 - CIC/100)``;
  standard error ``SE = ER/100 * SD``. As in Moodle these are computed only with at least
  3 attempts, 2 items and a non-zero ``k2``.

Mean, median, standard deviation and standard error are reported, as Moodle shows them,
as percentages of the maximum total ``sum(max)``; skewness and kurtosis have no unit.

Random forms (``sparse_item_analysis``): when each attempt draws its own items from a
bank, the marks matrix has holes (NaN: the item was not on that attempt's form). As
Moodle does for the questions drawn into random slots, every per-item statistic is then
computed over the ``s_i`` attempts that drew item ``i``, with each attempt's own total
``T`` (the sum of the marks it has) as the reference, so ``X_i = T - x_i`` is that
attempt's rest of test. Sums over the items of a test become their expectation over one
form: item ``j`` counts with weight ``pi_j = s_j / s``, the share of attempts that drew it.
So the intended weight is ``100 * max_i / sum_j(pi_j max_j)``, the effective weight
divides by ``sum_j pi_j sqrt(C(x_j, T))``, and the coefficient of internal consistency
uses ``sum_j pi_j V(x_j)`` with ``p`` the form length; it is computed only when every
form has the same length and the same maximum total (otherwise it is undefined). The
test statistics are those of the attempts' totals as percentages of each attempt's own
maximum. With no mark missing, every ``pi_j`` is 1 and all of this is exactly
``item_analysis``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from trainer.assessments.itemanalysis import (
    ItemAnalysis,
    ItemStats,
    OverallStats,
    StatisticsInputError,
    item_analysis,
    sparse_item_analysis,
)
from trainer.assessments.tdistribution import (
    regularized_incomplete_beta,
    t_cdf,
    t_quantile,
)

K = TypeVar("K", bound=Hashable)
O = TypeVar("O", bound=Hashable)  # noqa: E741

#: Review thresholds used by ``flag_items`` (all on Moodle's percentage scales).
TOO_EASY_FACILITY = 95.0
TOO_HARD_FACILITY = 20.0
WEAK_DISCRIMINATION = 20.0

#: Reason codes returned by ``flag_items``; the web UI translates them for display.
FLAG_TOO_EASY = "too_easy"
FLAG_TOO_HARD = "too_hard"
FLAG_NO_DISCRIMINATION = "no_discrimination"
FLAG_NEGATIVE_DISCRIMINATION = "negative_discrimination"
FLAG_WEAK_DISCRIMINATION = "weak_discrimination"


# ---------------------------------------------------------------------------
# Learning gains
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GainSummary:
    n: int
    pre_mean: float | None
    post_mean: float | None
    mean_gain: float | None
    normalized_gain: float | None
    normalized_gain_n: int
    normalized_gain_excluded: int
    class_normalized_gain: float | None
    cohen_dz: float | None
    cohen_dz_ci_low: float | None
    cohen_dz_ci_high: float | None
    share_improved: float | None

    def to_dict(self) -> dict[str, Any]:
        """Return the summary as a plain dictionary."""
        return asdict(self)


def gain_summary(pairs: Sequence[tuple[float, float]]) -> GainSummary:
    """Summarize pre/post learning gains; each pair is one learner's (pre %, post %)."""
    checked: list[tuple[float, float]] = []
    for index, pair in enumerate(pairs):
        pre, post = float(pair[0]), float(pair[1])
        for label, value in (("pre", pre), ("post", post)):
            if not math.isfinite(value) or not 0.0 <= value <= 100.0:
                raise StatisticsInputError(
                    f"learner {index}: {label} score {value!r} is not a percentage in 0..100"
                )
        checked.append((pre, post))

    n = len(checked)
    if n == 0:
        return GainSummary(0, None, None, None, None, 0, 0, None, None, None, None, None)

    pre_mean = math.fsum(pre for pre, _ in checked) / n
    post_mean = math.fsum(post for _, post in checked) / n
    diffs = [post - pre for pre, post in checked]
    mean_gain = math.fsum(diffs) / n

    normalized = [(post - pre) / (100.0 - pre) for pre, post in checked if pre < 100.0]
    normalized_gain = math.fsum(normalized) / len(normalized) if normalized else None
    class_gain = (post_mean - pre_mean) / (100.0 - pre_mean) if pre_mean < 100.0 else None

    dz: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    if n >= 2:
        variance = math.fsum((d - mean_gain) ** 2 for d in diffs) / (n - 1)
        if variance > 0.0:
            dz = mean_gain / math.sqrt(variance)
            se = math.sqrt(1.0 / n + dz * dz / (2.0 * n))
            half = t_quantile(0.975, n - 1) * se
            ci_low, ci_high = dz - half, dz + half

    return GainSummary(
        n=n,
        pre_mean=pre_mean,
        post_mean=post_mean,
        mean_gain=mean_gain,
        normalized_gain=normalized_gain,
        normalized_gain_n=len(normalized),
        normalized_gain_excluded=n - len(normalized),
        class_normalized_gain=class_gain,
        cohen_dz=dz,
        cohen_dz_ci_low=ci_low,
        cohen_dz_ci_high=ci_high,
        share_improved=sum(1 for d in diffs if d > 0.0) / n,
    )


# ---------------------------------------------------------------------------
# Responses, transitions and review flags
# ---------------------------------------------------------------------------


def option_frequencies(responses: Iterable[tuple[K, O]]) -> dict[K, dict[O, int]]:
    """Count how often each option was chosen per item from ``(item, option)`` pairs."""
    counts: dict[K, Counter[O]] = {}
    for item, option in responses:
        counts.setdefault(item, Counter())[option] += 1
    return {item: dict(counter) for item, counter in counts.items()}


def wrong_to_right(
    pairs_by_item: Mapping[K, Iterable[tuple[bool, bool]]],
) -> dict[K, float | None]:
    """Share of learners wrong on the pre-test who are right on the post-test, per item.

    Each pair is one learner's ``(pre correct, post correct)``. The share is None for an
    item that no learner got wrong on the pre-test.
    """
    shares: dict[K, float | None] = {}
    for item, pairs in pairs_by_item.items():
        wrong_before = 0
        fixed = 0
        for pre_correct, post_correct in pairs:
            if not pre_correct:
                wrong_before += 1
                if post_correct:
                    fixed += 1
        shares[item] = fixed / wrong_before if wrong_before else None
    return shares


def flag_items(items: Iterable[ItemStats]) -> list[tuple[str, str]]:
    """List ``(item_id, reason)`` for items worth reviewing, in item order.

    Rules (percent scales as in Moodle): facility index above ``TOO_EASY_FACILITY`` (95)
    is ``too_easy``, below ``TOO_HARD_FACILITY`` (20) ``too_hard``. An undefined
    discrimination index (no spread in the item or the rest of the test) is
    ``no_discrimination``; a negative one ``negative_discrimination``; one below
    ``WEAK_DISCRIMINATION`` (20) ``weak_discrimination``. Moodle's "dubious" mark
    (discriminative efficiency below 15) is covered: the efficiency is never smaller than
    a positive discrimination index, so such an item is already weak or negative here.
    An item may have one facility reason and one discrimination reason.
    """
    flags: list[tuple[str, str]] = []
    for item in items:
        if item.facility_index > TOO_EASY_FACILITY:
            flags.append((item.item_id, FLAG_TOO_EASY))
        elif item.facility_index < TOO_HARD_FACILITY:
            flags.append((item.item_id, FLAG_TOO_HARD))
        discrimination = item.discrimination_index
        if discrimination is None:
            flags.append((item.item_id, FLAG_NO_DISCRIMINATION))
        elif discrimination < 0:
            flags.append((item.item_id, FLAG_NEGATIVE_DISCRIMINATION))
        elif discrimination < WEAK_DISCRIMINATION:
            flags.append((item.item_id, FLAG_WEAK_DISCRIMINATION))
    return flags


#: The names moved to the modules above stay importable from here.
__all__ = [
    "FLAG_NEGATIVE_DISCRIMINATION",
    "FLAG_NO_DISCRIMINATION",
    "FLAG_TOO_EASY",
    "FLAG_TOO_HARD",
    "FLAG_WEAK_DISCRIMINATION",
    "TOO_EASY_FACILITY",
    "TOO_HARD_FACILITY",
    "WEAK_DISCRIMINATION",
    "GainSummary",
    "ItemAnalysis",
    "ItemStats",
    "OverallStats",
    "StatisticsInputError",
    "flag_items",
    "gain_summary",
    "item_analysis",
    "option_frequencies",
    "regularized_incomplete_beta",
    "sparse_item_analysis",
    "t_cdf",
    "t_quantile",
    "wrong_to_right",
]
