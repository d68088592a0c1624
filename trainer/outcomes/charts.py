"""Server-rendered SVG bar charts: no script, no style attribute, text for every value.

Each chart is drawn from the same table the page shows next to it (and the CSV export
writes), so the picture, the table and the file always carry the same numbers. The SVG
has a ``<title>`` and a ``<desc>`` (named by ``aria-labelledby``), writes every value as
text beside its bar, and tells series apart by a pattern and a legend as well as by
colour.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from markupsafe import Markup, escape

from trainer.outcomes.services import SUPPRESSED, Table

#: Fill and pattern of each series (the second is hatched, so colour is not the only cue).
SERIES_FILLS = ("#0b4f8a", "url(#{id}-hatch)")
HATCH_COLOR = "#8a4b00"
INK = "#1b1f24"

#: Drawn 360 units wide with 14-unit text, so on a 390 px phone (about 358 px for the
#: content) every text is drawn at 13.9 px or more, and never above 14 px on a desktop.
WIDTH = 360
FONT_SIZE = 14
#: Each category's label sits on its own line above its bars, so labels never squeeze them.
LABEL_HEIGHT = 18
VALUE_ROOM = 64
BAR_HEIGHT = 16
BAR_GAP = 3
GROUP_GAP = 12
TOP = 12
LEGEND_HEIGHT = 24
LABEL_CHARS = 46


def number(value: Any) -> str:
    """A figure as the page writes it (the same digits as the CSV, grouped by locale)."""
    if value is None:
        return "—"
    if value == SUPPRESSED:
        return _("fewer than 5")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int):
        return format_decimal(value, format="#,##0")
    if isinstance(value, float):
        return format_decimal(value, format="#,##0.###")
    return str(value)


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    """A category label that fits its column."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | int | None]]],
    max_value: float | None = None,
    unit: str = "",
) -> Markup:
    """A horizontal grouped bar chart as inline, accessible SVG markup."""
    values = [v for _name, vals in series for v in vals if isinstance(v, int | float)]
    top = max_value if max_value else max(values, default=0) or 1
    bar_room = WIDTH - VALUE_ROOM
    legend = len(series) > 1
    bars_height = len(series) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
    group_height = LABEL_HEIGHT + bars_height
    start_y = TOP + (LEGEND_HEIGHT if legend else 0)
    height = start_y + len(categories) * (group_height + GROUP_GAP) + TOP
    cid = escape(chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{cid}-title {cid}-desc" font-family="sans-serif" '
        f'font-size="{FONT_SIZE}">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(description)}</desc>',
        f'<defs><pattern id="{cid}-hatch" width="6" height="6" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#ffffff"/>'
        f'<rect width="3" height="6" fill="{HATCH_COLOR}"/></pattern></defs>',
    ]
    if legend:
        x = 0
        for index, (name, _vals) in enumerate(series):
            fill = SERIES_FILLS[index % 2].format(id=cid)
            parts.append(
                f'<rect x="{x + 1}" y="{TOP - 2}" width="14" height="14" fill="{fill}" '
                f'stroke="{INK}" stroke-width="1"/>'
                f'<text x="{x + 21}" y="{TOP + 10}" fill="{INK}">{escape(name)}</text>'
            )
            x += 32 + 8 * len(name)
    for row, category in enumerate(categories):
        y0 = start_y + row * (group_height + GROUP_GAP)
        parts.append(
            f'<text x="0" y="{y0 + LABEL_HEIGHT - 5}" fill="{INK}">'
            f"{escape(_short(category))}</text>"
        )
        for index, (name, vals) in enumerate(series):
            value = vals[row] if row < len(vals) else None
            y = y0 + LABEL_HEIGHT + index * (BAR_HEIGHT + BAR_GAP)
            if isinstance(value, int | float):
                width = max(0.0, min(float(value) / top, 1.0)) * bar_room
                fill = SERIES_FILLS[index % 2].format(id=cid)
                label = number(value) + unit
                parts.append(
                    f'<rect x="1" y="{y}" width="{width:.1f}" '
                    f'height="{BAR_HEIGHT}" fill="{fill}" stroke="{INK}" stroke-width="0.5">'
                    f"<title>{escape(category)}, {escape(name)}: {escape(label)}</title></rect>"
                    f'<text x="{width + 6:.1f}" y="{y + BAR_HEIGHT - 3}" '
                    f'fill="{INK}">{escape(label)}</text>'
                )
            else:
                parts.append(
                    f'<text x="6" y="{y + BAR_HEIGHT - 3}" '
                    f'fill="{INK}">{escape(number(value))}</text>'
                )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped


@dataclass(frozen=True)
class Chart:
    """A chart with its title, its text summary and the table holding its numbers."""

    key: str
    title: str
    summary: str
    svg: Markup
    table: Table


def _pct(value: Any) -> str:
    return number(value) + "%"


def means_chart(gains: Table) -> Chart:
    """Mean pre-test and post-test scores of the paired learners."""
    pre, post, pairs = gains.value("pre_mean"), gains.value("post_mean"), gains.value("pairs")
    title = _("Mean score before and after the training")
    if pre is None or post is None:
        summary = _("No learner has both a pre-test and a post-test in this selection yet.")
    else:
        summary = _(
            "For the %(n)s learners with both tests, the mean score went from %(pre)s on the "
            "pre-test to %(post)s on the post-test, a gain of %(gain)s points.",
            n=number(pairs),
            pre=_pct(pre),
            post=_pct(post),
            gain=number(gains.value("mean_gain")),
        )
    svg = bar_chart(
        "chart-means",
        title,
        summary,
        [_("Pre-test"), _("Post-test")],
        [(_("Mean score"), [pre, post])],
        max_value=100.0,
        unit="%",
    )
    return Chart("gains", title, summary, svg, gains)


def distribution_chart(distribution: Table) -> Chart:
    """How many learners scored in each band, before and after."""
    pre = distribution.column("pre_learners")
    post = distribution.column("post_learners")
    title = _("Score distribution before and after")
    top_pre = _top_band(distribution, "pre_learners")
    top_post = _top_band(distribution, "post_learners")
    if not any(pre) and not any(post):
        summary = _("No learner has both tests in this selection yet.")
    else:
        summary = _(
            "Most learners scored %(pre)s%% on the pre-test and %(post)s%% on the post-test.",
            pre=top_pre,
            post=top_post,
        )
    svg = bar_chart(
        "chart-distribution",
        title,
        summary,
        distribution.column("band"),
        [(_("Pre-test"), pre), (_("Post-test"), post)],
    )
    return Chart("distribution", title, summary, svg, distribution)


def _top_band(table: Table, column: str) -> str:
    """The band holding the most learners in one column."""
    counts = table.column(column)
    best = max(range(len(counts)), key=lambda i: (counts[i], -i))
    return str(table.column("band")[best])


def facility_chart(items: Table, kind_label: str) -> Chart:
    """Facility index of each item: how many got it right."""
    ids = [
        text or item_id
        for item_id, text in zip(items.column("item_id"), items.column("text"), strict=True)
    ]
    facility = items.column("facility_index")
    title = _("Facility index by item (%(kind)s)", kind=kind_label)
    if not ids:
        summary = _("No attempt in this selection yet.")
    else:
        hardest = min(range(len(ids)), key=lambda i: facility[i])
        easiest = max(range(len(ids)), key=lambda i: facility[i])
        summary = ngettext(
            "%(num)d item. The hardest was %(hard)s (%(hard_value)s right), the easiest "
            "%(easy)s (%(easy_value)s right).",
            "%(num)d items. The hardest was %(hard)s (%(hard_value)s right), the easiest "
            "%(easy)s (%(easy_value)s right).",
            len(ids),
            hard=ids[hardest],
            hard_value=_pct(facility[hardest]),
            easy=ids[easiest],
            easy_value=_pct(facility[easiest]),
        )
    svg = bar_chart(
        "chart-facility",
        title,
        summary,
        ids,
        [(_("Facility index"), facility)],
        max_value=100.0,
        unit="%",
    )
    return Chart("items", title, summary, svg, items)


def summary_chart(summary: Table, label: Callable[[tuple[Any, ...]], str]) -> Chart:
    """Pre-test and post-test means per module version (suppressed rows left out)."""
    rows = [row for row in summary.rows if row[summary_index(summary, "learners")] != SUPPRESSED]
    pre_i, post_i = summary_index(summary, "pre_mean"), summary_index(summary, "post_mean")
    title = _("Mean scores before and after, by module")
    posts = [row[post_i] for row in rows if row[post_i] is not None]
    if posts:
        text = ngettext(
            "%(num)d module version with at least 5 learners. Its post-test mean is %(low)s.",
            "%(num)d module versions with at least 5 learners. Post-test means range from "
            "%(low)s to %(high)s.",
            len(rows),
            low=_pct(min(posts)),
            high=_pct(max(posts)),
        )
    else:
        text = _("No module has outcomes from at least 5 learners yet.")
    svg = bar_chart(
        "chart-summary",
        title,
        text,
        [label(row) for row in rows],
        [
            (_("Pre-test"), [row[pre_i] for row in rows]),
            (_("Post-test"), [row[post_i] for row in rows]),
        ],
        max_value=100.0,
        unit="%",
    )
    return Chart("summary", title, text, svg, summary)


def summary_index(table: Table, key: str) -> int:
    """The position of a column in a table."""
    return [column.key for column in table.columns].index(key)
