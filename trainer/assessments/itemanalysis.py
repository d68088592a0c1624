"""Item analysis: each item's facility and discrimination, and a test's reliability.

From a full or a sparse matrix of marks; the formulas are described in
`trainer.assessments.statistics`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray


class StatisticsInputError(ValueError):
    """Input that the statistics cannot be computed from, with a readable message."""


# ---------------------------------------------------------------------------
# Item analysis
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemStats:
    item_id: str
    max_mark: float
    attempts: int
    mean_mark: float
    facility_index: float
    standard_deviation: float | None
    intended_weight: float
    effective_weight: float | None
    discrimination_index: float | None
    discriminative_efficiency: float | None


@dataclass(frozen=True)
class OverallStats:
    attempts: int
    items: int
    max_total: float
    mean: float
    median: float
    standard_deviation: float | None
    skewness: float | None
    kurtosis: float | None
    coefficient_of_internal_consistency: float | None
    error_ratio: float | None
    standard_error: float | None


@dataclass(frozen=True)
class ItemAnalysis:
    items: tuple[ItemStats, ...]
    test: OverallStats

    def to_dict(self) -> dict[str, Any]:
        """Return the analysis as plain dictionaries and lists (JSON-ready)."""
        return {"items": [asdict(item) for item in self.items], "test": asdict(self.test)}


def _optional(value: float, defined: bool) -> float | None:
    """Return ``value`` as a Python float when ``defined`` and finite, else None."""
    return float(value) if defined and math.isfinite(value) else None


def _dot(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    """The dot product of two vectors, without BLAS.

    A threaded BLAS on a busy server can make one 100,000-long dot product take
    milliseconds instead of microseconds; einsum runs it in one plain loop.
    """
    return float(np.einsum("i,i->", a, b))


#: A covariance this small relative to its Cauchy-Schwarz bound is rounding noise.
_ROUNDING = 1e-10


def _snap_to_zero(
    covariance: NDArray[np.float64], bound: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Set covariances within rounding noise of zero to exactly zero.

    The effective weight takes a square root of ``C(x_i, T)``, which turns a rounding
    error of 1e-16 into 1e-8 (or, below zero, into "undefined"); a covariance that is
    zero in exact arithmetic must come out as zero whatever order the sums ran in.
    """
    return np.where(np.abs(covariance) <= _ROUNDING * bound, 0.0, covariance)


def _numeric_matrix(marks: ArrayLike) -> NDArray[np.float64]:
    """The marks as a float matrix (one row per attempt), or StatisticsInputError."""
    try:
        x = np.asarray(marks, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise StatisticsInputError(f"marks are not a numeric matrix: {exc}") from None
    if x.ndim != 2:
        raise StatisticsInputError(
            "marks must be a matrix: one row per attempt, one column per item"
        )
    return x


def _as_marks(
    marks: ArrayLike, max_marks: float | Sequence[float], item_ids: Sequence[str] | None
) -> tuple[NDArray[np.float64], NDArray[np.float64], list[str]]:
    """Validate the marks matrix, the maxima and the item ids."""
    x = _numeric_matrix(marks)
    attempts, items = x.shape
    if attempts < 1 or items < 1:
        raise StatisticsInputError("marks need at least one attempt and one item")
    try:
        maxima = np.broadcast_to(np.asarray(max_marks, dtype=np.float64), (items,)).copy()
    except (TypeError, ValueError):
        raise StatisticsInputError("max_marks must be one number or one number per item") from None
    if not np.all(np.isfinite(maxima)) or np.any(maxima <= 0):
        raise StatisticsInputError("every maximum mark must be a positive number")
    if not np.all(np.isfinite(x)):
        raise StatisticsInputError("marks must be finite numbers; missing marks are not allowed")
    if np.any(x < 0):
        raise StatisticsInputError("marks must not be negative")
    if np.any(x > maxima):
        raise StatisticsInputError("a mark is above its item's maximum")
    ids = [str(i + 1) for i in range(items)] if item_ids is None else [str(i) for i in item_ids]
    if len(ids) != items:
        raise StatisticsInputError(f"{len(ids)} item ids given for {items} items")
    if len(set(ids)) != len(ids):
        raise StatisticsInputError("item ids must be unique")
    return x, maxima, ids


def item_analysis(
    marks: ArrayLike,
    max_marks: float | Sequence[float] = 1.0,
    item_ids: Sequence[str] | None = None,
) -> ItemAnalysis:
    """Compute Moodle's item and test statistics for a matrix of attempts x items marks."""
    x, maxima, ids = _as_marks(marks, max_marks, item_ids)
    s, p = x.shape
    dof = s - 1

    item_mean = x.mean(axis=0)
    total = x.sum(axis=1)
    total_mean = float(total.mean())
    rest = total[:, None] - x
    rest_mean = total_mean - item_mean

    # Exact tests for "no spread", so that rounding noise never passes for a variance.
    item_constant = x.max(axis=0) == x.min(axis=0)
    rest_constant = rest.max(axis=0) == rest.min(axis=0)
    total_constant = bool(total.max() == total.min())

    # Clipping only absorbs rounding: the true values lie within these ranges.
    facility = np.clip(100.0 * item_mean / maxima, 0.0, 100.0)
    intended = 100.0 * maxima / maxima.sum()

    if s > 1:
        xc = x - item_mean
        tc = total - total_mean
        rc = tc[:, None] - xc
        var_item = np.where(item_constant, 0.0, np.einsum("ij,ij->j", xc, xc) / dof)
        var_rest = np.where(rest_constant, 0.0, np.einsum("ij,ij->j", rc, rc) / dof)
        cov_rest = np.einsum("ij,ij->j", xc, rc) / dof
        var_total = _dot(tc, tc) / dof
        cov_total = np.where(item_constant, 0.0, np.einsum("i,ij->j", tc, xc) / dof)
        cov_total = _snap_to_zero(cov_total, np.sqrt(var_item * var_total))
        sorted_items = np.sort(x, axis=0) - item_mean
        sorted_rest = np.sort(rest, axis=0) - rest_mean
        cov_max = np.einsum("ij,ij->j", sorted_items, sorted_rest) / dof
        spread = ~item_constant & ~rest_constant
        with np.errstate(divide="ignore", invalid="ignore"):
            discrimination = np.clip(100.0 * cov_rest / np.sqrt(var_item * var_rest), -100, 100)
            efficiency = np.minimum(100.0 * cov_rest / cov_max, 100.0)
        sd_item = 100.0 * np.sqrt(var_item) / maxima
        nonneg = cov_total >= 0
        root_sum = float(np.sqrt(cov_total[nonneg]).sum())
        with np.errstate(invalid="ignore", divide="ignore"):
            effective = 100.0 * np.sqrt(np.where(nonneg, cov_total, 0.0)) / root_sum
        has_effective = nonneg & (root_sum > 0.0)
    else:
        spread = np.zeros(p, dtype=bool)
        has_effective = spread
        discrimination = efficiency = effective = sd_item = np.zeros(p)
        var_item = np.zeros(p)

    item_stats = tuple(
        ItemStats(
            item_id=ids[i],
            max_mark=float(maxima[i]),
            attempts=s,
            mean_mark=float(item_mean[i]),
            facility_index=float(facility[i]),
            standard_deviation=_optional(sd_item[i], s > 1),
            intended_weight=float(intended[i]),
            effective_weight=_optional(effective[i], bool(has_effective[i])),
            discrimination_index=_optional(discrimination[i], bool(spread[i])),
            discriminative_efficiency=_optional(efficiency[i], bool(spread[i])),
        )
        for i in range(p)
    )
    overall = _overall_stats(total, float(maxima.sum()), p, float(var_item.sum()), total_constant)
    return ItemAnalysis(items=item_stats, test=overall)


def _overall_stats(
    total: NDArray[np.float64],
    max_total: float,
    items: int,
    sum_item_variance: float,
    total_constant: bool,
    *,
    form_length: int | None = None,
    reliability: bool = True,
) -> OverallStats:
    """Compute the test statistics of the attempt totals on Moodle's scale.

    ``form_length`` is the ``p`` of the internal consistency (the number of items when
    None); ``reliability=False`` leaves CIC, error ratio and standard error undefined.
    """
    s = int(total.shape[0])
    p = items if form_length is None else form_length
    scale = 100.0 / max_total
    mean = float(total.mean())
    median = float(np.median(total))
    sd = skewness = kurtosis = cic = error_ratio = standard_error = None
    if s > 1:
        dev = total - mean
        dev2 = dev * dev
        power2 = 0.0 if total_constant else float(dev2.sum())
        sd_raw = math.sqrt(power2 / (s - 1))
        sd = sd_raw * scale
        if s > 2 and not total_constant:
            m2 = power2 / s
            m3 = float((dev2 * dev).sum()) / s
            m4 = float((dev2 * dev2).sum()) / s
            k2 = s * m2 / (s - 1)
            k3 = s * s * m3 / ((s - 1) * (s - 2))
            skewness = k3 / k2**1.5
            if s > 3:
                k4 = s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2) / ((s - 1) * (s - 2) * (s - 3))
                kurtosis = k4 / (k2 * k2)
            if reliability and p > 1:
                cic = 100.0 * p / (p - 1) * (1.0 - sum_item_variance / k2)
                remainder = 1.0 - cic / 100.0
                if remainder < 0.0 and remainder > -1e-12:
                    remainder = 0.0
                if remainder >= 0.0:
                    error_ratio = 100.0 * math.sqrt(remainder)
                    standard_error = error_ratio / 100.0 * sd
    return OverallStats(
        attempts=s,
        items=items,
        max_total=max_total,
        mean=mean * scale,
        median=median * scale,
        standard_deviation=sd,
        skewness=skewness,
        kurtosis=kurtosis,
        coefficient_of_internal_consistency=cic,
        error_ratio=error_ratio,
        standard_error=standard_error,
    )


def _as_sparse_marks(
    marks: ArrayLike, max_marks: float | Sequence[float], item_ids: Sequence[str] | None
) -> tuple[NDArray[np.float64], NDArray[np.float64], list[str]]:
    """Validate a marks matrix in which NaN means "not on this attempt's form"."""
    x = _numeric_matrix(marks)
    present = ~np.isnan(x)
    if np.any(np.isinf(x)):
        raise StatisticsInputError("marks must be finite numbers or NaN (not on the form)")
    filled = np.where(present, x, 0.0)
    x_dense, maxima, ids = _as_marks(filled, max_marks, item_ids)
    del x_dense
    empty_items = np.flatnonzero(~present.any(axis=0))
    if empty_items.size:
        listed = ", ".join(repr(ids[i]) for i in empty_items[:5])
        raise StatisticsInputError(f"item(s) {listed} have no marks: leave them out")
    empty_attempts = np.flatnonzero(~present.any(axis=1))
    if empty_attempts.size:
        raise StatisticsInputError(
            f"attempt row {int(empty_attempts[0]) + 1} has no marks: leave it out"
        )
    return x, maxima, ids


def sparse_item_analysis(
    marks: ArrayLike,
    max_marks: float | Sequence[float] = 1.0,
    item_ids: Sequence[str] | None = None,
) -> ItemAnalysis:
    """Item analysis of random forms: NaN marks an item that was not on the attempt's form.

    Per item over the attempts that drew it, sums over items weighted by the share of
    attempts that drew each (see the module docstring); equal to ``item_analysis`` when
    no mark is missing.
    """
    x, maxima, ids = _as_sparse_marks(marks, max_marks, item_ids)
    s, p = x.shape
    present = ~np.isnan(x)
    filled = np.where(present, x, 0.0)
    total = filled.sum(axis=1)
    attempt_max = np.einsum("ij,j->i", present.astype(np.float64), maxima)
    counts = present.sum(axis=0)
    share = counts / s

    columns = np.asfortranarray(filled)
    mask = np.asfortranarray(present)
    mean_mark = np.zeros(p)
    var_item = np.zeros(p)
    sd_item = np.zeros(p)
    cov_total = np.zeros(p)
    discrimination = np.zeros(p)
    efficiency = np.zeros(p)
    spread = np.zeros(p, dtype=bool)
    has_cov = np.zeros(p, dtype=bool)
    for i in range(p):
        rows = mask[:, i]
        xi = columns[rows, i]
        ti = total[rows]
        si = xi.shape[0]
        mean_mark[i] = xi.mean()
        if si < 2:
            continue
        dof = si - 1
        ri = ti - xi
        item_constant = bool(xi.max() == xi.min())
        rest_constant = bool(ri.max() == ri.min())
        xc = xi - mean_mark[i]
        ri_mean = ri.mean()
        rc = ri - ri_mean
        tc = ti - ti.mean()
        var_item[i] = 0.0 if item_constant else _dot(xc, xc) / dof
        sd_item[i] = 100.0 * math.sqrt(var_item[i]) / maxima[i]
        if not item_constant:
            covariance = _dot(tc, xc) / dof
            scale = math.sqrt(var_item[i] * _dot(tc, tc) / dof)
            cov_total[i] = float(_snap_to_zero(np.array([covariance]), np.array([scale]))[0])
        has_cov[i] = True
        if item_constant or rest_constant:
            continue
        var_rest = _dot(rc, rc) / dof
        cov_rest = _dot(xc, rc) / dof
        cov_max = _dot(np.sort(xi) - mean_mark[i], np.sort(ri) - ri_mean) / dof
        spread[i] = True
        discrimination[i] = min(
            max(100.0 * cov_rest / math.sqrt(var_item[i] * var_rest), -100), 100
        )
        efficiency[i] = min(100.0 * cov_rest / cov_max, 100.0) if cov_max > 0 else math.nan

    facility = np.clip(100.0 * mean_mark / maxima, 0.0, 100.0)
    intended = 100.0 * maxima / (share * maxima).sum()
    nonneg = has_cov & (cov_total >= 0)
    root_sum = float((share * np.sqrt(np.where(nonneg, cov_total, 0.0)))[nonneg].sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        effective = 100.0 * np.sqrt(np.where(nonneg, cov_total, 0.0)) / root_sum
    has_effective = nonneg & (root_sum > 0.0)

    item_stats = tuple(
        ItemStats(
            item_id=ids[i],
            max_mark=float(maxima[i]),
            attempts=int(counts[i]),
            mean_mark=float(mean_mark[i]),
            facility_index=float(facility[i]),
            standard_deviation=_optional(sd_item[i], counts[i] > 1),
            intended_weight=float(intended[i]),
            effective_weight=_optional(effective[i], bool(has_effective[i])),
            discrimination_index=_optional(discrimination[i], bool(spread[i])),
            discriminative_efficiency=_optional(efficiency[i], bool(spread[i])),
        )
        for i in range(p)
    )

    lengths = present.sum(axis=1)
    same_forms = bool(lengths.min() == lengths.max() and attempt_max.min() == attempt_max.max())
    sum_variance = float((share * var_item).sum())
    if same_forms:
        overall = _overall_stats(
            total,
            float(attempt_max[0]),
            p,
            sum_variance,
            bool(total.max() == total.min()),
            form_length=int(lengths[0]),
        )
    else:
        percent = 100.0 * total / attempt_max
        overall = _overall_stats(
            percent, 100.0, p, sum_variance, bool(percent.max() == percent.min()), reliability=False
        )
        overall = replace(overall, max_total=float((share * maxima).sum()))
    return ItemAnalysis(items=item_stats, test=overall)
