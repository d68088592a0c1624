"""Benchmark: certificate rendering against WeasyPrint alone on the same HTML.

Run from the repository root:

    .venv/bin/python bench/bench_certificates_render.py [--runs 20]

It renders a sample certificate ``--runs`` times with ``render_certificate_pdf`` (template,
QR code, locale, fetcher and WeasyPrint) and the same number of times with WeasyPrint
alone on the already-rendered HTML (same fetcher and options), then prints the medians
and their ratio. The goal is a ratio of at most 1.3.
"""

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from flask_babel import Babel  # noqa: E402
from weasyprint import HTML  # noqa: E402

from trainer.certificates.render import (  # noqa: E402
    BASE_URL,
    PDF_VARIANT,
    CertificateData,
    ModuleLine,
    ShippedFontFetcher,
    render_certificate_html,
    render_certificate_pdf,
)

GOAL_RATIO = 1.3

SAMPLE = CertificateData(
    serial="HOU-2025-000123",
    verification_code="K7QX-4MZP-93TR",
    verify_url="https://training.example.org/verify/K7QX-4MZP-93TR",
    holder_name="Nguyễn Thị Hường",
    organization_name="Bayou City Suites",
    organization_address="1200 Main St, Houston, TX 77002",
    permit_number="HTL-004512",
    track_title="Hotel staff: front desk and housekeeping",
    modules=(
        ModuleLine("Recognizing human trafficking", 3, 92, 35),
        ModuleLine("Hotels and lodging: what to notice and how to report", 2, 88, 40),
        ModuleLine("Front desk procedures", 1, 100, 20),
    ),
    total_minutes=95,
    completed_on=date(2025, 3, 1),
    issued_on=date(2025, 3, 2),
    expires_on=date(2026, 3, 2),
    expiry_rule="yearly (Houston City Code ch. 28)",
    legal_reference="Houston City Code ch. 28, sec. 28-212",
    language="en",
)


def time_runs(function: Callable[[], object], runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return timings


def weasyprint_alone(html: str) -> bytes | None:
    return HTML(string=html, base_url=BASE_URL, url_fetcher=ShippedFontFetcher()).write_pdf(
        pdf_variant=PDF_VARIANT
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    app = Flask(__name__, template_folder=str(ROOT / "templates"))
    Babel(app, default_locale="en")
    with app.app_context():
        html = render_certificate_html(SAMPLE)
        # One warm-up each: imports, Fontconfig cache and template compilation.
        render_certificate_pdf(SAMPLE)
        weasyprint_alone(html)
        full = time_runs(lambda: render_certificate_pdf(SAMPLE), args.runs)
        alone = time_runs(lambda: weasyprint_alone(html), args.runs)

    full_median = statistics.median(full)
    alone_median = statistics.median(alone)
    ratio = full_median / alone_median
    print(f"runs: {args.runs}")
    print(f"render_certificate_pdf median: {full_median * 1000:.1f} ms")
    print(f"WeasyPrint alone median:       {alone_median * 1000:.1f} ms")
    print(f"ratio: {ratio:.2f} (goal <= {GOAL_RATIO})")
    return 0 if ratio <= GOAL_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
