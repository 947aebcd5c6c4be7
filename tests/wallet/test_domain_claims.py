"""Claims flattening for "My data": ordered, labelled in Thai or English, readable values."""

from __future__ import annotations

import base64

from civid.wallet.domain import ClaimLine, Language, claim_label, flatten_claims, format_national_id

SUBJECT = {
    "id": "did:key:z6MkholderExample",
    "type": "Citizen",
    "address": {
        "type": "ThaiAddress",
        "houseNumber": "99/1",
        "moo": "4",
        "subDistrict": "บางรัก",
        "district": "บางรัก",
        "province": "กรุงเทพมหานคร",
        "postalCode": "10500",
        "houseCode": "10040123456",
    },
    "birthDate": "1985-01-15",
    "familyNameTh": "ใจดี",
    "givenNameTh": "สมชาย",
    "titleTh": "นาย",
    "nationalIdNumber": "1101700203451",
    "laserCode": "JT0-1234567-89",
    "cardExpiryDate": "2032-01-14",
    "favouriteColour": "blue",
}


def test_claims_come_in_card_order_then_unknown_terms() -> None:
    keys = [line.key for line in flatten_claims(SUBJECT)]
    assert keys == [
        "nationalIdNumber",
        "titleTh",
        "givenNameTh",
        "familyNameTh",
        "birthDate",
        "address.houseNumber",
        "address.moo",
        "address.subDistrict",
        "address.district",
        "address.province",
        "address.postalCode",
        "address.houseCode",
        "cardExpiryDate",
        "laserCode",
        "id",
        "favouriteColour",
    ]


def test_thai_labels_and_buddhist_era_dates() -> None:
    lines = {line.key: line for line in flatten_claims(SUBJECT, Language.TH)}
    assert lines["birthDate"] == ClaimLine("birthDate", "วันเกิด", "15 ม.ค. 2528 (15 Jan. 1985)")
    assert lines["address.province"] == ClaimLine("address.province", "จังหวัด", "กรุงเทพมหานคร")
    assert lines["nationalIdNumber"].value == "1 1017 00203 45 1"


def test_english_labels_and_common_era_dates() -> None:
    lines = {line.key: line for line in flatten_claims(SUBJECT, Language.EN)}
    assert lines["birthDate"] == ClaimLine("birthDate", "Date of birth", "15 Jan. 1985")
    assert lines["cardExpiryDate"].label == "Date of expiry"
    assert lines["address.subDistrict"].label == "Sub-district"


def test_every_listed_vocabulary_term_has_both_labels() -> None:
    terms = [
        "nationalIdNumber", "laserCode", "titleTh", "givenNameTh", "familyNameTh", "titleEn",
        "givenNameEn", "familyNameEn", "birthDate", "sex", "religion", "photo", "cardIssueDate",
        "cardExpiryDate", "cardIssuingOffice", "address.houseNumber", "address.moo", "address.soi",
        "address.road", "address.subDistrict", "address.district", "address.province",
        "address.postalCode", "address.houseCode",
    ]  # fmt: skip
    for term in terms:
        assert claim_label(term, Language.TH) != term
        assert claim_label(term, Language.EN) != term
        assert claim_label(term, Language.TH) != claim_label(term, Language.EN)


def test_unknown_terms_keep_their_name_and_raw_value() -> None:
    (line,) = [line for line in flatten_claims(SUBJECT) if line.key == "favouriteColour"]
    assert line == ClaimLine("favouriteColour", "favouriteColour", "blue")


def test_type_markers_are_not_shown_as_claims() -> None:
    assert all(not line.key.endswith("type") for line in flatten_claims(SUBJECT))


def test_a_photo_is_summarised_not_dumped() -> None:
    photo = "data:image/jpeg;base64," + base64.b64encode(b"\xff" * 3072).decode()
    (line,) = flatten_claims({"photo": photo}, Language.EN)
    assert line.value == "JPEG image, 3 KB"
    assert flatten_claims({"photo": photo}, Language.TH)[0].value == "รูปภาพ JPEG 3 KB"


def test_lists_of_objects_are_numbered_and_lists_of_values_joined() -> None:
    lines = flatten_claims(
        {"members": [{"givenNameTh": "สมชาย"}, {"givenNameTh": "สมหญิง"}], "tags": ["a", "b"]}
    )
    assert [(line.key, line.value) for line in lines] == [
        ("members[0].givenNameTh", "สมชาย"),
        ("members[1].givenNameTh", "สมหญิง"),
        ("tags", "a, b"),
    ]


def test_booleans_read_as_yes_or_no_in_the_chosen_language() -> None:
    assert flatten_claims({"isHouseOwner": True}, Language.TH)[0].value == "ใช่"
    assert flatten_claims({"isHouseOwner": False}, Language.EN)[0].value == "no"


def test_an_unparseable_date_is_shown_as_given() -> None:
    assert flatten_claims({"birthDate": "unknown"})[0].value == "unknown"


def test_national_id_is_grouped_as_on_the_card() -> None:
    assert format_national_id("1101700203451") == "1 1017 00203 45 1"
