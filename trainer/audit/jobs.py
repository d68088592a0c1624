"""The audit log's daily job: verify the chain, then checkpoint its head outside the database."""

from __future__ import annotations

import logging

from trainer.audit import services

log = logging.getLogger(__name__)


def daily_checkpoint(day: str) -> str:
    """Verify the whole chain; checkpoint the head only when it is intact."""
    report = services.verify_chain()
    if not report.ok:
        log.error("audit chain broken at event %s: %s", report.first_broken_seq, report.reason)
        return f"broken at event {report.first_broken_seq}: {report.reason}"
    written = services.write_checkpoint()
    return f"ok: {report.count} events; checkpoint at event {written.seq}"
