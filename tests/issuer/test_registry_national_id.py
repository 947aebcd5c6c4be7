import pytest

from civid.core.errors import CividError, ErrorCode
from civid.issuer.registry import (
    check_digit,
    format_national_id,
    is_valid_laser_code,
    is_valid_national_id,
    parse_laser_code,
    parse_national_id,
)


@pytest.mark.parametrize(
    ("first12", "expected"),
    [
        ("110370207181", 1),  # worked by hand: Σ = 197, 197 mod 11 = 10, 11 - 10 = 1
        ("000000000000", 1),  # Σ mod 11 = 0 → 11 mod 10 = 1
        ("000000000006", 0),  # Σ = 12, mod 11 = 1 → 10 mod 10 = 0
        ("000000000001", 9),  # Σ = 2 → 9
        ("310060044547", 3),  # Σ = 195, mod 11 = 8 → 3
    ],
)
def test_check_digit_matches_the_mod_11_rule(first12: str, expected: int) -> None:
    assert check_digit(first12) == expected


@pytest.mark.parametrize("text", ["1103702071811", "1-1037-02071-81-1", "1 1037 02071 81 1", "3100600445473"])
def test_valid_national_ids_are_accepted_with_or_without_separators(text: str) -> None:
    assert is_valid_national_id(text)


@pytest.mark.parametrize(
    "text",
    [
        "1103702071812",
        "3100600445470",
        "110370207181",
        "11037020718111",
        "1103702O71811",
        "",
        "๑๑๐๓๗๐๒๐๗๑๘๑๑",
    ],
)
def test_wrong_check_digit_length_or_characters_are_rejected(text: str) -> None:
    assert not is_valid_national_id(text)


def test_format_prints_the_card_grouping() -> None:
    assert format_national_id("1103702071811") == "1-1037-02071-81-1"


def test_parse_rejects_an_invalid_id_with_its_code() -> None:
    with pytest.raises(CividError) as err:
        parse_national_id("1103702071812")
    assert err.value.code is ErrorCode.INVALID_NATIONAL_ID


@pytest.mark.parametrize("text", ["JT0-1234567-89", "jt0-1234567-89", "JT0123456789", " ME1-0000001-00 "])
def test_laser_codes_of_the_card_shape_are_accepted(text: str) -> None:
    assert is_valid_laser_code(text)


def test_laser_code_is_normalized_to_upper_case_with_dashes() -> None:
    assert parse_laser_code("jt01234567 89".replace(" ", "")) == "JT0-1234567-89"


@pytest.mark.parametrize(
    "text",
    [
        "J10-1234567-89",
        "JTA-1234567-89",
        "JT0-123456-89",
        "JT0-1234567-8",
        "JT0-12345678-89",
        "",
        "JT0_1234567_89",
    ],
)
def test_laser_codes_of_another_shape_are_rejected(text: str) -> None:
    assert not is_valid_laser_code(text)
    with pytest.raises(CividError) as err:
        parse_laser_code(text)
    assert err.value.code is ErrorCode.INVALID_LASER_CODE
