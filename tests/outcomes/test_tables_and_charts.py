"""Pure pieces of the outcomes pages: tables as CSV and as saved data, and the SVG charts."""

from __future__ import annotations

from datetime import date

from tests.outcomes.pages import csv_rows
from trainer.outcomes.charts import bar_chart
from trainer.outcomes.services import SUPPRESSED, Column, Filters, Table

TABLE = Table(
    "demo",
    "Demo",
    (Column("name", "Name"), Column("count", "Count", "int"), Column("share", "Share", "percent")),
    (
        ("=HYPERLINK(1)", 3, 12.5),
        ("plain", None, None),
        ("group", SUPPRESSED, None),
        ("flag", True, 0.1),
    ),
)


def test_csv_neutralizes_formulas_and_writes_empty_cells_for_undefined():
    rows = csv_rows(TABLE.to_csv())
    assert rows[0]["name"].startswith("'=")
    assert rows[0]["count"] == "3" and rows[0]["share"] == "12.5"
    assert rows[1]["count"] == "" and rows[1]["share"] == ""
    assert rows[2]["count"] == "<5"
    assert rows[3]["count"] == "yes"


def test_tables_survive_being_saved():
    restored = Table.from_payload("demo", TABLE.to_payload())
    assert restored.rows == TABLE.rows
    assert [c.key for c in restored.columns] == ["name", "count", "share"]
    assert restored.to_csv() == TABLE.to_csv()


def test_filters_never_put_the_scope_in_the_url():
    filters = Filters(
        organization_id=3, language="es", date_from=date(2026, 1, 2), jurisdiction="houston-tx"
    )
    assert filters.query_args() == {"org": "3", "language": "es", "date_from": "2026-01-02"}
    assert Filters(jurisdiction="houston-tx").active is False


def test_bar_chart_is_accessible_and_escapes_text(app):
    with app.test_request_context():
        svg = str(
            bar_chart(
                "c1",
                "A <title>",
                "Summary & more",
                ["<script>alert(1)</script>", "b"],
                [("One", [50.0, None]), ("Two", [100, 0])],
                max_value=100.0,
                unit="%",
            )
        )
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">A &lt;title&gt;</title>' in svg
    assert '<desc id="c1-desc">Summary &amp; more</desc>' in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert ">50%<" in svg and ">100%<" in svg and ">—<" in svg
    # The second series is hatched and named in the legend: not colour alone.
    assert "url(#c1-hatch)" in svg and ">Two<" in svg
    assert "style=" not in svg
