"""Program outcomes: what the training changed, per module version, from the attempts.

Rules only: no request, no commit. The numbers come from the pure functions of
``trainer.assessments.statistics``; this module selects the attempts, shapes them into
the inputs those functions take, and lays the results out as tables (the page, its
charts and the CSV export all read the same tables, so they always agree).

Definitions used throughout:

* A *run* is one learner's way through one module version in one enrollment (a
  ``ModuleProgress``); a learner who takes the same version again in a later cycle has a
  second run. Only submitted attempts count.
* A run's outcome is measured by its **first** post-test attempt: it follows the lessons
  once, before any retake, so every learner is measured at the same point. The run is
  dated (and its language taken) from that attempt; the run's pre-test is the baseline.
* Filters: organization, department and job role select learners (as they are now);
  language and date range select attempts (the language the test was taken in, and the
  day it was submitted in the program's time zone). Item statistics, option counts and
  facility indices use every selected attempt of the chosen kind (pre or post).
* Random forms: each attempt draws its own items, so the marks matrix has holes; item
  statistics are computed with ``sparse_item_analysis`` (per item over the attempts that
  drew it).
* Wrong to right: for learners whose pre-test and first post-test both had the item
  (possible only where the module lets the two forms share items), the share of those
  wrong on the pre-test who were right on the post-test. "Right" means full marks.
* Snapshots: computing a page reads every attempt of the version (seconds at city
  scale), so the pages save their tables (``OutcomeSnapshot``) and show them again until
  they are older than the configured age, as Moodle does with its quiz statistics.

The code is in one module per part, re-exported here so callers import from this module:
``queries`` (filters, loading the attempts, runs, the marks matrix), ``tables`` (the
table type and its number formats), ``figures`` (every figure of one module version),
``summary`` (the version index and the program summary) and ``snapshots`` (saved pages).
"""

from __future__ import annotations

from trainer.outcomes.figures import (
    ITEM_COLUMNS,
    TRANSITIONS_COLUMNS,
    TRANSITIONS_TITLE,
    module_outcomes,
)
from trainer.outcomes.groups import (
    MIN_GROUP,
    SUPPRESSED,
    group_tables,
    suppressed_groups,
    withhold_small_selection,
)
from trainer.outcomes.queries import (
    KINDS,
    POST,
    PRE,
    Counter_,
    Filters,
    K,
    MarksMatrix,
    Run,
    analyse_marks,
    build_runs,
    load_attempts,
    marks_matrix,
    parse_scores,
    selected_runs,
    write_marks_csv,
)
from trainer.outcomes.snapshots import (
    DEFAULT_MAX_AGE_MINUTES,
    SNAPSHOT_RETENTION,
    SNAPSHOT_SCHEMA,
    VERSION_COLUMNS,
    Snapshot,
    index_snapshot,
    module_snapshot,
    snapshot_key,
    summary_snapshot,
)
from trainer.outcomes.summary import (
    ORG_KIND_LABELS,
    SUMMARY_COLUMNS,
    VersionRow,
    find_version,
    organizations_in_scope,
    program_summary,
    version_rows,
)
from trainer.outcomes.tables import (
    BIN_WIDTH,
    FLAG_REASONS,
    METRIC_COLUMNS,
    Column,
    Outcomes,
    Table,
    bin_counts,
    score_bins,
)

__all__ = [
    "BIN_WIDTH",
    "DEFAULT_MAX_AGE_MINUTES",
    "FLAG_REASONS",
    "ITEM_COLUMNS",
    "KINDS",
    "METRIC_COLUMNS",
    "MIN_GROUP",
    "ORG_KIND_LABELS",
    "POST",
    "PRE",
    "SNAPSHOT_RETENTION",
    "SNAPSHOT_SCHEMA",
    "SUMMARY_COLUMNS",
    "SUPPRESSED",
    "TRANSITIONS_COLUMNS",
    "TRANSITIONS_TITLE",
    "VERSION_COLUMNS",
    "Column",
    "Counter_",
    "Filters",
    "K",
    "MarksMatrix",
    "Outcomes",
    "Run",
    "Snapshot",
    "Table",
    "VersionRow",
    "analyse_marks",
    "bin_counts",
    "build_runs",
    "find_version",
    "group_tables",
    "index_snapshot",
    "load_attempts",
    "marks_matrix",
    "module_outcomes",
    "module_snapshot",
    "organizations_in_scope",
    "parse_scores",
    "program_summary",
    "score_bins",
    "selected_runs",
    "snapshot_key",
    "summary_snapshot",
    "suppressed_groups",
    "version_rows",
    "withhold_small_selection",
    "write_marks_csv",
]
