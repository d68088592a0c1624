"""`flask content check --stats`: per module, the bank's sizes and the figures the
item-writing rules look at, as a table or as JSON (modules/README.md, "Statistics")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from trainer.catalog import bank, itemrules
from trainer.catalog.loader import LoadedContent, ModuleSpec


@dataclass(frozen=True)
class Share:
    """A share rule's figures: questions counted (not acknowledged), acknowledged, total."""

    counted: int
    acknowledged: int
    total: int

    @property
    def percent(self) -> int:
        """The counted share, in whole percent (0 for no questions)."""
        return round(100 * self.counted / self.total) if self.total else 0


@dataclass(frozen=True)
class ModuleStats:
    """One module's bank and item-writing figures."""

    slug: str
    component: int
    languages: tuple[str, ...]
    items: int
    pre_usable: int
    pre: int
    post: int
    both: int
    types: dict[str, int]
    required_groups: dict[str, int]
    attempts: int
    pre_test_length: int
    post_test_length: int
    worst_case_overlap: int
    longest_option: dict[str, Share]
    key_length_questions: int
    multi_all_but_one: Share
    findings: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        """The figures as JSON-ready data (shares with their percent)."""
        data = asdict(self)
        data["languages"] = list(self.languages)
        data["longest_option"] = {
            lang: {**asdict(share), "percent": share.percent}
            for lang, share in self.longest_option.items()
        }
        data["multi_all_but_one"] = {
            **asdict(self.multi_all_but_one),
            "percent": self.multi_all_but_one.percent,
        }
        return data


def _share(code: str, candidates: Sequence[itemrules.Question], total: int) -> Share:
    counted, _ = itemrules.counted_share(code, candidates, total)
    return Share(counted, len(candidates) - counted, total)


def _key_length_questions(module_bank: itemrules.ModuleBank) -> int:
    """Questions with a keyed option over 1.5x the others' mean in some language."""
    return sum(
        1
        for question in itemrules.questions_of(module_bank)
        if question.kind in ("single", "multiple")
        and not question.accepts("key-length")
        and any(itemrules.long_keys(question.question, lang) for lang in module_bank.languages)
    )


def module_stats(
    spec: ModuleSpec, module_bank: itemrules.ModuleBank, findings: Sequence[itemrules.Finding]
) -> ModuleStats:
    """Return one module's figures; `findings` are all the content's findings."""
    items = spec.items
    counts = bank.bank_counts(items, spec.post_test_requires)
    return ModuleStats(
        slug=spec.slug,
        component=spec.component,
        languages=spec.languages,
        items=len(items),
        pre_usable=counts.pre_usable,
        pre=counts.pre_only,
        post=counts.post_only,
        both=counts.both,
        types={kind: sum(1 for i in items if i["type"] == kind) for kind in _TYPES},
        required_groups=dict(counts.groups),
        attempts=spec.attempts,
        pre_test_length=spec.pre_test_length,
        post_test_length=spec.post_test_length,
        worst_case_overlap=bank.worst_case_repeats(
            items,
            pre_test_length=spec.pre_test_length,
            post_test_length=spec.post_test_length,
            attempts=spec.attempts,
            share_items=spec.share_items,
            requires=spec.post_test_requires,
        ),
        longest_option={
            lang: _share("longest-option", *itemrules.longest_option_candidates(module_bank, lang))
            for lang in spec.languages
        },
        key_length_questions=_key_length_questions(module_bank),
        multi_all_but_one=_share(
            "multi-all-but-one", *itemrules.all_but_one_candidates(module_bank)
        ),
        findings=dict(sorted(Counter(f.code for f in findings if f.module == spec.slug).items())),
    )


_TYPES = ("single", "multiple", "true_false", "scenario")


def content_stats(content: LoadedContent) -> list[ModuleStats]:
    """Return the figures of every valid module, by component then slug."""
    specs = sorted(content.modules.values(), key=lambda spec: (spec.component, spec.slug))
    return [module_stats(spec, content.banks[spec.slug], content.findings) for spec in specs]


def stats_json(content: LoadedContent) -> dict[str, Any]:
    """The problems, findings and per-module figures as one JSON-ready object."""
    return {
        "problems": [str(problem) for problem in content.problems],
        "findings": [
            {
                "path": f.path,
                "line": f.line,
                "code": f.code,
                "module": f.module or None,
                "message": f.message,
            }
            for f in content.findings
        ],
        "modules": {stats.slug: stats.as_json() for stats in content_stats(content)},
    }


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Columns padded to their widest cell: the first left-aligned, the rest right."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        first = str(cells[0]).ljust(widths[0])
        rest = [str(cell).rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    return [line(headers), line(["-" * width for width in widths]), *map(line, rows)]


def _percent(share: Share) -> str:
    acknowledged = f"+{share.acknowledged}" if share.acknowledged else ""
    return f"{share.percent}% ({share.counted}{acknowledged}/{share.total})"


def other_findings(content: LoadedContent) -> dict[str, int]:
    """Findings per rule outside any module (tracks.yaml, rules/), or in modules with
    problems."""
    valid = set(content.modules)
    return dict(sorted(Counter(f.code for f in content.findings if f.module not in valid).items()))


def stats_table(stats: Sequence[ModuleStats], others: dict[str, int] | None = None) -> list[str]:
    """The figures as readable lines: one table of bank and rule figures, one of findings
    per rule (with a row for `others`: findings outside the modules)."""
    others = others or {}
    rows = []
    for module in stats:
        longest = " ".join(
            f"{lang} {_percent(share)}" for lang, share in module.longest_option.items()
        )
        groups = ",".join(f"{g}:{n}" for g, n in module.required_groups.items()) or "-"
        rows.append(
            [
                module.slug,
                str(module.items),
                f"{module.pre}/{module.post}/{module.both}",
                "/".join(str(module.types[kind]) for kind in _TYPES),
                groups,
                f"{module.attempts}x{module.post_test_length}",
                str(module.worst_case_overlap),
                longest,
                str(module.key_length_questions),
                _percent(module.multi_all_but_one),
            ]
        )
    lines = _table(
        [
            "module",
            "items",
            "pre/post/both",
            "single/multi/tf/scen",
            "groups",
            "attempts",
            "overlap",
            "longest-option (counted+acknowledged/questions)",
            "key-length",
            "multi-all-but-one",
        ],
        rows,
    )
    codes = sorted({code for module in stats for code in module.findings} | set(others))
    if codes:
        finding_rows = [
            [module.slug, *(str(module.findings.get(code, 0)) for code in codes)]
            for module in stats
        ]
        if others:
            finding_rows.append(["(other files)", *(str(others.get(c, 0)) for c in codes)])
        totals = [
            "total",
            *(str(sum(m.findings.get(c, 0) for m in stats) + others.get(c, 0)) for c in codes),
        ]
        lines += ["", "findings per rule:", *_table(["module", *codes], [*finding_rows, totals])]
    lines += [
        "",
        "overlap: items a learner may see twice over the pre-test and every allowed attempt "
        "(0: all fresh); shares count acknowledged questions in the total only.",
    ]
    return lines
