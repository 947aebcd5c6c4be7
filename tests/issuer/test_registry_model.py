import io
from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest
from PIL import Image

from civid.core.errors import CividError, ErrorCode
from civid.issuer.registry import Address, House, normalize_photo, photo_data_url


def test_citizen_with_a_bad_check_digit_is_refused(citizen_factory: Callable[..., object]) -> None:
    with pytest.raises(CividError) as err:
        citizen_factory(national_id="1103702071812")
    assert err.value.code is ErrorCode.INVALID_NATIONAL_ID


def test_citizen_laser_code_must_be_in_canonical_form(citizen_factory: Callable[..., object]) -> None:
    with pytest.raises(CividError) as err:
        citizen_factory(laser_code="jt01234567 89")
    assert err.value.code is ErrorCode.INVALID_LASER_CODE


def test_card_that_expires_before_it_is_issued_is_refused(citizen_factory: Callable[..., object]) -> None:
    with pytest.raises(CividError) as err:
        citizen_factory(card_issued=date(2030, 1, 1), card_expires=date(2029, 1, 1))
    assert err.value.code is ErrorCode.INVALID_RECORD


def test_citizen_photo_must_be_a_jpeg(citizen_factory: Callable[..., object]) -> None:
    with pytest.raises(CividError):
        citizen_factory(photo_jpeg=b"\x89PNG\r\n\x1a\n...")


def test_address_house_code_must_have_11_digits() -> None:
    with pytest.raises(CividError) as err:
        Address("1", "ลาดยาว", "จตุจักร", "กรุงเทพมหานคร", "10900", "123")
    assert "house code" in err.value.message


def test_house_gives_the_address_of_its_residents() -> None:
    house = House("10300123456", "99", "ลาดยาว", "จตุจักร", "กรุงเทพมหานคร", "10900", moo="3")
    assert house.address() == Address(
        "99", "ลาดยาว", "จตุจักร", "กรุงเทพมหานคร", "10900", "10300123456", moo="3"
    )
    assert replace(house, moo="4").address().moo == "4"


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize(("width", "height"), [(1200, 900), (600, 800), (100, 100), (2000, 500)])
def test_photo_is_reencoded_as_a_small_portrait_jpeg(width: int, height: int) -> None:
    jpeg = normalize_photo(_png(width, height))
    image = Image.open(io.BytesIO(jpeg))
    assert image.format == "JPEG"
    assert image.width <= 160 and image.height <= 200
    assert image.height >= image.width  # portrait, as on the card
    assert len(jpeg) < 16_000


def test_photo_smaller_than_96_px_is_refused() -> None:
    with pytest.raises(CividError) as err:
        normalize_photo(_png(80, 120))
    assert err.value.code is ErrorCode.INVALID_PHOTO


@pytest.mark.parametrize("data", [b"not an image", b"\xff\xd8\xff\xe0" + b"\x00" * 20])
def test_unreadable_photo_is_refused(data: bytes) -> None:
    with pytest.raises(CividError) as err:
        normalize_photo(data)
    assert err.value.code is ErrorCode.INVALID_PHOTO


def test_photo_data_url_is_base64_jpeg(make_jpeg: Callable[..., bytes]) -> None:
    assert photo_data_url(make_jpeg()).startswith("data:image/jpeg;base64,/9j/")
