"""Every figure of one module version: gains, distribution, items, options, transitions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from flask_babel import lazy_gettext as _l

from trainer.assessments import scoring
from trainer.assessments.statistics import (
    GainSummary,
    ItemAnalysis,
    flag_items,
    gain_summary,
    wrong_to_right,
)
from trainer.catalog.models import ModuleVersion
from trainer.core.text import localized
from trainer.outcomes.groups import group_tables, withhold_small_selection
from trainer.outcomes.queries import (
    KINDS,
    POST,
    PRE,
    Counter_,
    Filters,
    MarksMatrix,
    Run,
    analyse_marks,
    answer_counts,
    build_runs,
    lesson_seconds,
    load_attempts,
    marks_matrix,
    parse_scores,
    selected_runs,
)
from trainer.outcomes.tables import (
    FLAG_REASONS,
    Column,
    Outcomes,
    Table,
    bin_counts,
    item_text,
    mean,
    median,
    metric_table,
    pct,
    ratio,
    score_bins,
    share,
)


def module_outcomes(
    version: ModuleVersion, filters: Filters, kind: str = POST, language: str = "en"
) -> Outcomes:
    """Compute every figure of a module version for the selected learners and attempts."""
    kind = kind if kind in KINDS else POST
    rows = load_attempts(version.id, filters)
    runs = build_runs(rows)
    chosen = selected_runs(runs)
    pairs = [
        (float(run.pre.score), float(run.first_post.score))
        for run in chosen
        if run.pre is not None and run.pre.score is not None and run.first_post.score is not None
    ]
    gain = gain_summary(pairs)
    pass_rate = mean([1.0 if run.first_post.passed else 0.0 for run in chosen])
    mean_attempts = mean([float(len(run.posts)) for run in chosen])
    seconds = lesson_seconds(version.id)
    minutes = [seconds.get(run.run_id, 0) / 60.0 for run in chosen]
    learners = len({run.user_id for run in chosen})

    needed = {row.id: row for row in rows if row.selected and row.scores}
    for run in chosen:
        if run.pre is not None and run.pre.scores:
            needed[run.pre.id] = run.pre
    scores = parse_scores(list(needed.values()))

    bank = {str(item["id"]): item for item in version.items}
    matrices = {k: marks_matrix(rows, k, list(bank), scores) for k in KINDS}
    matrix = matrices[kind]
    analysis = analyse_marks(matrix)

    tables: dict[str, Table] = {}
    tables["gains"] = _gains_table(
        len(chosen),
        learners,
        gain,
        pass_rate,
        mean_attempts,
        mean(minutes),
        median(minutes),
    )
    tables["distribution"] = _distribution_table(pairs)
    tables["items"] = _items_table(analysis, bank, language)
    tables["test"] = _test_table(analysis)
    tables["flags"] = _flags_table(analysis, bank, language)
    option_counts = answer_counts(version.id, filters, kind)
    tables["options"] = _options_table(analysis, option_counts, bank, language)
    tables["transitions"] = _transitions_table(matrices, chosen, scores, bank, language)
    tables.update(group_tables(chosen))
    tables = withhold_small_selection(tables, learners)
    return Outcomes(
        version_id=version.id,
        kind=kind,
        runs=len(chosen),
        learners=learners,
        gain=gain,
        first_attempt_pass_rate=pass_rate,
        mean_attempts=mean_attempts,
        lesson_minutes_mean=mean(minutes),
        lesson_minutes_median=median(minutes),
        analysis=analysis,
        matrix=matrix,
        tables=tables,
    )


def _gains_table(
    runs: int,
    learners: int,
    gain: GainSummary,
    pass_rate: float | None,
    mean_attempts: float | None,
    minutes_mean: float | None,
    minutes_median: float | None,
) -> Table:
    """The headline figures of a module version."""
    return metric_table(
        "gains",
        _l("Learning gains"),
        [
            ("runs", _l("Learners with a post-test"), runs, "int"),
            ("learners", _l("Distinct learners"), learners, "int"),
            ("pairs", _l("Learners with both a pre-test and a post-test"), gain.n, "int"),
            ("pre_mean", _l("Pre-test mean (%)"), pct(gain.pre_mean), "percent"),
            ("post_mean", _l("Post-test mean (%)"), pct(gain.post_mean), "percent"),
            ("mean_gain", _l("Mean paired gain (points)"), pct(gain.mean_gain), "percent"),
            (
                "normalized_gain",
                _l("Normalized gain, per learner averaged"),
                ratio(gain.normalized_gain),
                "ratio",
            ),
            (
                "normalized_gain_excluded",
                _l("Learners left out of it (100% on the pre-test)"),
                gain.normalized_gain_excluded,
                "int",
            ),
            (
                "class_normalized_gain",
                _l("Normalized gain on the class means"),
                ratio(gain.class_normalized_gain),
                "ratio",
            ),
            ("cohen_dz", _l("Effect size (Cohen's d_z)"), ratio(gain.cohen_dz), "ratio"),
            (
                "cohen_dz_ci_low",
                _l("Effect size, 95% confidence interval, low"),
                ratio(gain.cohen_dz_ci_low),
                "ratio",
            ),
            (
                "cohen_dz_ci_high",
                _l("Effect size, 95% confidence interval, high"),
                ratio(gain.cohen_dz_ci_high),
                "ratio",
            ),
            (
                "share_improved",
                _l("Learners who improved (%)"),
                share(gain.share_improved),
                "percent",
            ),
            (
                "first_attempt_pass_rate",
                _l("Passed the post-test at the first attempt (%)"),
                share(pass_rate),
                "percent",
            ),
            (
                "mean_attempts",
                _l("Post-test attempts per learner, mean"),
                ratio(mean_attempts),
                "ratio",
            ),
            (
                "lesson_minutes_mean",
                _l("Minutes on lessons, mean"),
                pct(minutes_mean),
                "percent",
            ),
            (
                "lesson_minutes_median",
                _l("Minutes on lessons, median"),
                pct(minutes_median),
                "percent",
            ),
        ],
    )


def _distribution_table(pairs: Sequence[tuple[float, float]]) -> Table:
    """How many learners scored in each band, before and after."""
    pre = bin_counts(p for p, _ in pairs)
    post = bin_counts(q for _, q in pairs)
    rows = []
    for (low, high), before, after in zip(score_bins(), pre, post, strict=True):
        label = f"{low}-{high}"
        rows.append((label, before, after))
    return Table(
        "distribution",
        _l("Score distribution"),
        (
            Column("band", _l("Score band (%)")),
            Column("pre_learners", _l("Pre-test"), "int"),
            Column("post_learners", _l("Post-test"), "int"),
        ),
        tuple(rows),
    )


ITEM_COLUMNS = (
    Column("item_id", _l("Item key")),
    Column("text", _l("Question")),
    Column("attempts", _l("Attempts"), "int"),
    Column("facility_index", _l("Facility index (%)"), "percent"),
    Column("standard_deviation", _l("Standard deviation (%)"), "percent"),
    Column("discrimination_index", _l("Discrimination index (%)"), "percent"),
    Column("discriminative_efficiency", _l("Discriminative efficiency (%)"), "percent"),
    Column("intended_weight", _l("Intended weight (%)"), "percent"),
    Column("effective_weight", _l("Effective weight (%)"), "percent"),
    Column("review", _l("Review")),
)


def _items_table(analysis: ItemAnalysis | None, bank: Mapping[str, Any], language: str) -> Table:
    """Moodle's item statistics, one row per item, with its review flags."""
    rows = []
    if analysis is not None:
        reasons: dict[str, list[str]] = defaultdict(list)
        for item_id, reason in flag_items(analysis.items):
            reasons[item_id].append(reason)
        for item in analysis.items:
            rows.append(
                (
                    item.item_id,
                    item_text(bank.get(item.item_id), language),
                    item.attempts,
                    pct(item.facility_index),
                    pct(item.standard_deviation),
                    pct(item.discrimination_index),
                    pct(item.discriminative_efficiency),
                    pct(item.intended_weight),
                    pct(item.effective_weight),
                    " ".join(reasons.get(item.item_id, [])),
                )
            )
    return Table("items", _l("Item analysis"), ITEM_COLUMNS, tuple(rows))


def _test_table(analysis: ItemAnalysis | None) -> Table:
    """Moodle's test statistics."""
    test = analysis.test if analysis is not None else None

    def get(name: str) -> Any:
        return getattr(test, name) if test is not None else None

    return metric_table(
        "test",
        _l("Test statistics"),
        [
            ("attempts", _l("Attempts analysed"), get("attempts") or 0, "int"),
            ("items", _l("Items drawn at least once"), get("items") or 0, "int"),
            ("mean", _l("Mean score (%)"), pct(get("mean")), "percent"),
            ("median", _l("Median score (%)"), pct(get("median")), "percent"),
            (
                "standard_deviation",
                _l("Standard deviation (%)"),
                pct(get("standard_deviation")),
                "percent",
            ),
            ("skewness", _l("Skewness"), ratio(get("skewness")), "ratio"),
            ("kurtosis", _l("Excess kurtosis"), ratio(get("kurtosis")), "ratio"),
            (
                "coefficient_of_internal_consistency",
                _l("Coefficient of internal consistency (%)"),
                pct(get("coefficient_of_internal_consistency")),
                "percent",
            ),
            ("error_ratio", _l("Error ratio (%)"), pct(get("error_ratio")), "percent"),
            ("standard_error", _l("Standard error (%)"), pct(get("standard_error")), "percent"),
        ],
    )


def _flags_table(analysis: ItemAnalysis | None, bank: Mapping[str, Any], language: str) -> Table:
    """Items to review, one row per reason."""
    rows = []
    if analysis is not None:
        for item_id, reason in flag_items(analysis.items):
            rows.append(
                (
                    item_id,
                    item_text(bank.get(item_id), language),
                    reason,
                    str(FLAG_REASONS.get(reason, reason)),
                )
            )
    return Table(
        "flags",
        _l("Items to review"),
        (
            Column("item_id", _l("Item key")),
            Column("text", _l("Question")),
            Column("reason", _l("Reason code")),
            Column("explanation", _l("Why")),
        ),
        tuple(rows),
    )


def _option_label(question: Mapping[str, Any], option_id: str, language: str) -> str:
    """The text of an option (True/False for a true-false question)."""
    if question.get("type") == "true_false":
        return str(_l("True")) if option_id == "true" else str(_l("False"))
    for option in question.get("options") or ():
        if str(option["id"]) == option_id:
            return localized(option.get("text"), language)
    return option_id


def _is_correct(question: Mapping[str, Any], option_id: str) -> bool:
    """Whether choosing this option is (part of) the correct answer."""
    correct = question.get("correct")
    if question.get("type") == "true_false":
        return (option_id == "true") == bool(correct)
    if isinstance(correct, list):
        return option_id in {str(c) for c in correct}
    return option_id == str(correct)


def _options_table(
    analysis: ItemAnalysis | None,
    counts: Mapping[str, Counter_],
    bank: Mapping[str, Any],
    language: str,
) -> Table:
    """How often each option was chosen, per question, over the attempts that had it."""
    rows = []
    drawn = {item.item_id: item.attempts for item in analysis.items} if analysis else {}
    for item_id, attempts in drawn.items():
        item = bank.get(item_id)
        if item is None:
            continue
        for key, question in scoring.questions_of(item):
            tally = counts.get(key, Counter_())
            asked = item_text(question, language) or item_text(item, language)
            option_ids = (
                ["true", "false"]
                if question.get("type") == "true_false"
                else scoring.option_ids(question)
            )
            for option_id in option_ids:
                chosen = tally.options.get(option_id, 0)
                rows.append(
                    (
                        key,
                        asked,
                        option_id,
                        _option_label(question, option_id, language),
                        _is_correct(question, option_id),
                        chosen,
                        share(chosen / attempts) if attempts else None,
                    )
                )
            unanswered = max(attempts - tally.answers, 0)
            rows.append(
                (
                    key,
                    asked,
                    "",
                    str(_l("No answer")),
                    False,
                    unanswered,
                    share(unanswered / attempts) if attempts else None,
                )
            )
    return Table(
        "options",
        _l("How often each option was chosen"),
        (
            Column("question", _l("Question key")),
            Column("question_text", _l("Question")),
            Column("option", _l("Option")),
            Column("text", _l("Answer")),
            Column("correct", _l("Correct")),
            Column("chosen", _l("Times chosen"), "int"),
            Column("share", _l("Share of attempts with the question (%)"), "percent"),
        ),
        tuple(rows),
    )


def _facilities(matrix: MarksMatrix) -> dict[str, float]:
    """Facility index (%) per item of a marks matrix (one-mark items)."""
    present = ~np.isnan(matrix.marks)
    counts = present.sum(axis=0)
    sums = np.where(present, matrix.marks, 0.0).sum(axis=0)
    return {
        item_id: 100.0 * float(sums[j]) / int(counts[j])
        for j, item_id in enumerate(matrix.item_ids)
        if counts[j]
    }


def _right(value: Any) -> bool:
    """Full marks on an item."""
    return value is not None and float(value) >= 1.0 - 1e-9


def _transitions_table(
    matrices: Mapping[str, MarksMatrix],
    runs: Sequence[Run],
    scores: Mapping[int, Mapping[str, float]],
    bank: Mapping[str, Any],
    language: str,
) -> Table:
    """Per item: facility before and after, and the share that went from wrong to right."""
    before = _facilities(matrices[PRE])
    after = _facilities(matrices[POST])
    pairs: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for run in runs:
        if run.pre is None:
            continue
        pre_scores = scores.get(run.pre.id) or {}
        post_scores = scores.get(run.first_post.id) or {}
        for item_id, pre_value in pre_scores.items():
            if item_id in post_scores:
                pairs[item_id].append((_right(pre_value), _right(post_scores[item_id])))
    shares = wrong_to_right(pairs)
    order = [item_id for item_id in bank if item_id in before or item_id in after]
    table_rows = []
    for item_id in order:
        paired = pairs.get(item_id, [])
        wrong = sum(1 for pre_ok, _ in paired if not pre_ok)
        fixed = sum(1 for pre_ok, post_ok in paired if not pre_ok and post_ok)
        table_rows.append(
            (
                item_id,
                item_text(bank.get(item_id), language),
                pct(before.get(item_id)),
                pct(after.get(item_id)),
                len(paired),
                wrong,
                fixed,
                share(shares.get(item_id)),
            )
        )
    return Table("transitions", TRANSITIONS_TITLE, TRANSITIONS_COLUMNS, tuple(table_rows))


TRANSITIONS_TITLE = _l("Before and after, per item")
TRANSITIONS_COLUMNS = (
    Column("item_id", _l("Item key")),
    Column("text", _l("Question")),
    Column("pre_facility", _l("Facility on pre-tests (%)"), "percent"),
    Column("post_facility", _l("Facility on post-tests (%)"), "percent"),
    Column("paired", _l("Learners with the item on both"), "int"),
    Column("wrong_before", _l("Of them, wrong on the pre-test"), "int"),
    Column("wrong_to_right", _l("Then right on the post-test"), "int"),
    Column("wrong_to_right_share", _l("Wrong to right (%)"), "percent"),
)
