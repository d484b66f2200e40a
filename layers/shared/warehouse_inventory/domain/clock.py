"""The services' default clock: aware UTC times, which the stored ISO strings keep."""

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
