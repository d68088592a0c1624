"""Time helpers: every stored time is UTC and timezone-aware in Python; "today" is the
date in the program's time zone (`PROGRAM_TIMEZONE`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

#: The zone used outside an application (a bare script); the app reads PROGRAM_TIMEZONE.
DEFAULT_PROGRAM_TIMEZONE = "America/Chicago"


def utcnow() -> datetime:
    """Return the current time in UTC (the server's clock, used for pacing and records)."""
    return datetime.now(UTC)


def program_timezone() -> ZoneInfo:
    """The program's time zone (`PROGRAM_TIMEZONE`, America/Chicago for Houston)."""
    name = DEFAULT_PROGRAM_TIMEZONE
    if has_app_context():
        name = current_app.config.get("PROGRAM_TIMEZONE") or DEFAULT_PROGRAM_TIMEZONE
    return ZoneInfo(name)


def today() -> date:
    """Today's date in the program's time zone: the one "today" of due dates, expiry
    dates, filing years and reports, whatever zone the server's clock is set to."""
    return utcnow().astimezone(program_timezone()).date()


def local_date(moment: datetime) -> date:
    """The date a stored (UTC) time falls on in the program's time zone."""
    return moment.astimezone(program_timezone()).date()


class UTCDateTime(TypeDecorator):
    """A DateTime column that stores UTC and always gives back aware datetimes.

    SQLite keeps no time zone; PostgreSQL does. This type makes both behave the same.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        """Convert to UTC before storing."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timeutil.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        """Give back an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
