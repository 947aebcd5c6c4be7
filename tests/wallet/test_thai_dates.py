"""Buddhist Era dates as printed on the Thai ID card."""

from __future__ import annotations

from datetime import date

import pytest

from civid.core.errors import CividError, ErrorCode
from civid.wallet.thai_dates import (
    ENGLISH_MONTHS_ABBR,
    THAI_MONTHS,
    THAI_MONTHS_ABBR,
    CalendarDate,
    format_card_date,
    format_english,
    format_thai,
    parse_iso_date,
    to_buddhist_era,
    to_common_era,
)


def test_buddhist_era_is_common_era_plus_543() -> None:
    assert to_buddhist_era(1985) == 2528
    assert to_common_era(2528) == 1985


def test_birth_date_prints_as_on_the_card() -> None:
    assert format_thai("1985-01-15") == "15 ม.ค. 2528"
    assert format_english("1985-01-15") == "15 Jan. 1985"


def test_card_date_shows_the_common_era_beside_the_buddhist_era() -> None:
    assert format_card_date("1985-01-15") == "15 ม.ค. 2528 (15 Jan. 1985)"


def test_full_thai_form_uses_the_month_name_and_the_era_prefix() -> None:
    assert format_thai(date(2024, 12, 31), full=True) == "31 ธันวาคม พ.ศ. 2567"


@pytest.mark.parametrize(
    ("month", "abbr", "full", "english"),
    [
        (1, "ม.ค.", "มกราคม", "Jan."),
        (2, "ก.พ.", "กุมภาพันธ์", "Feb."),
        (3, "มี.ค.", "มีนาคม", "Mar."),
        (4, "เม.ย.", "เมษายน", "Apr."),
        (5, "พ.ค.", "พฤษภาคม", "May"),
        (6, "มิ.ย.", "มิถุนายน", "Jun."),
        (7, "ก.ค.", "กรกฎาคม", "Jul."),
        (8, "ส.ค.", "สิงหาคม", "Aug."),
        (9, "ก.ย.", "กันยายน", "Sep."),
        (10, "ต.ค.", "ตุลาคม", "Oct."),
        (11, "พ.ย.", "พฤศจิกายน", "Nov."),
        (12, "ธ.ค.", "ธันวาคม", "Dec."),
    ],
)
def test_every_month_has_its_thai_abbreviation_full_name_and_english_abbreviation(
    month: int, abbr: str, full: str, english: str
) -> None:
    assert (THAI_MONTHS_ABBR[month - 1], THAI_MONTHS[month - 1], ENGLISH_MONTHS_ABBR[month - 1]) == (
        abbr,
        full,
        english,
    )
    assert format_thai(f"2000-{month:02d}-01") == f"1 {abbr} 2543"


def test_a_birth_record_with_only_a_year_prints_only_the_year() -> None:
    assert format_card_date("1957") == "2500 (1957)"


def test_a_birth_record_with_year_and_month_prints_both() -> None:
    assert format_card_date("1957-03") == "มี.ค. 2500 (Mar. 1957)"


def test_a_utc_datetime_is_read_as_the_date_in_thailand() -> None:
    assert parse_iso_date("2032-01-14T17:00:00Z") == CalendarDate(2032, 1, 15)
    assert parse_iso_date("2032-01-14T16:59:59Z") == CalendarDate(2032, 1, 14)


def test_leap_day_is_accepted() -> None:
    assert format_thai("2024-02-29") == "29 ก.พ. 2567"


@pytest.mark.parametrize("text", ["1985-02-30", "15/01/1985", "1985-13", "2032-01-14T17:00:00", ""])
def test_invalid_dates_fail_with_invalid_datetime(text: str) -> None:
    with pytest.raises(CividError) as caught:
        parse_iso_date(text)
    assert caught.value.code is ErrorCode.INVALID_DATETIME
