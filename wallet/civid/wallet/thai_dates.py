"""Dates as printed on the Thai national ID card: Buddhist Era in Thai, Common Era in English.

The card prints the birth date as ``15 ม.ค. 2528`` with ``15 Jan. 1985`` beside it. The Buddhist Era
year is the Common Era year plus 543. Thai civil records sometimes know only the year (or year and month)
of a birth, so partial ISO dates (``1985``, ``1985-01``) are accepted and printed partially. A dateTime with
a timezone is read as a date in Thailand (UTC+7, no daylight saving).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from civid.core.errors import CividError, ErrorCode

BE_OFFSET = 543
THAILAND_TIME = timezone(timedelta(hours=7), "ICT")

THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
THAI_MONTHS_ABBR = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
ENGLISH_MONTHS_ABBR = (
    "Jan.", "Feb.", "Mar.", "Apr.", "May", "Jun.",
    "Jul.", "Aug.", "Sep.", "Oct.", "Nov.", "Dec.",
)  # fmt: skip

_PARTIAL = re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?")


def to_buddhist_era(ce_year: int) -> int:
    """1985 → 2528."""
    return ce_year + BE_OFFSET


def to_common_era(be_year: int) -> int:
    """2528 → 1985."""
    return be_year - BE_OFFSET


@dataclass(frozen=True)
class CalendarDate:
    """A Common Era date whose month and day may be unknown (as in some Thai birth records)."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise CividError(ErrorCode.INVALID_DATETIME, "a date with a day must have a month")
        try:
            date(self.year, self.month or 1, self.day or 1)
        except ValueError as exc:
            raise CividError(ErrorCode.INVALID_DATETIME, f"not a calendar date: {exc}") from exc

    @classmethod
    def of(cls, value: date) -> CalendarDate:
        return cls(value.year, value.month, value.day)

    @property
    def buddhist_year(self) -> int:
        return to_buddhist_era(self.year)


def parse_iso_date(text: str) -> CalendarDate:
    """Read ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or an XML Schema dateTime with a timezone."""
    text = text.strip()
    match = _PARTIAL.fullmatch(text)
    if match:
        month, day = match["month"], match["day"]
        return CalendarDate(int(match["year"]), int(month) if month else None, int(day) if day else None)
    return CalendarDate.of(_datetime_in_thailand(text))


def _datetime_in_thailand(text: str) -> date:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise CividError(ErrorCode.INVALID_DATETIME, f"not an ISO 8601 date: {text!r}") from exc
    if moment.tzinfo is None:
        raise CividError(ErrorCode.INVALID_DATETIME, f"a dateTime needs a timezone: {text!r}")
    return moment.astimezone(THAILAND_TIME).date()


def _calendar(value: CalendarDate | date | str) -> CalendarDate:
    if isinstance(value, CalendarDate):
        return value
    if isinstance(value, date):
        return CalendarDate.of(value)
    return parse_iso_date(value)


def format_thai(value: CalendarDate | date | str, *, full: bool = False) -> str:
    """``15 ม.ค. 2528`` (as on the card), or with ``full`` ``15 มกราคม พ.ศ. 2528``."""
    d = _calendar(value)
    months = THAI_MONTHS if full else THAI_MONTHS_ABBR
    year = f"พ.ศ. {d.buddhist_year}" if full else str(d.buddhist_year)
    return _join(d.day, months[d.month - 1] if d.month else None, year)


def format_english(value: CalendarDate | date | str) -> str:
    """``15 Jan. 1985``, as the card prints the Common Era date."""
    d = _calendar(value)
    return _join(d.day, ENGLISH_MONTHS_ABBR[d.month - 1] if d.month else None, str(d.year))


def format_card_date(value: CalendarDate | date | str) -> str:
    """``15 ม.ค. 2528 (15 Jan. 1985)``: the Buddhist Era date with the Common Era beside it."""
    d = _calendar(value)
    return f"{format_thai(d)} ({format_english(d)})"


def _join(day: int | None, month: str | None, year: str) -> str:
    return " ".join(part for part in (str(day) if day else None, month, year) if part)
