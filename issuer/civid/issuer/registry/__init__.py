"""The civil registry: citizens and houses, national IDs and laser codes, the JSON Lines import."""

from civid.issuer.registry.importer import ImportReport, PhotoResolver, RowError, TemplateFn, import_jsonl
from civid.issuer.registry.laser_code import is_valid_laser_code, parse_laser_code
from civid.issuer.registry.model import Address, Citizen, House, PersonName, Sex
from civid.issuer.registry.national_id import (
    check_digit,
    format_national_id,
    is_valid_national_id,
    normalize_national_id,
    parse_national_id,
)
from civid.issuer.registry.photo import normalize_photo, photo_data_url

__all__ = [
    "Address",
    "Citizen",
    "House",
    "ImportReport",
    "PersonName",
    "PhotoResolver",
    "RowError",
    "Sex",
    "TemplateFn",
    "check_digit",
    "format_national_id",
    "import_jsonl",
    "is_valid_laser_code",
    "is_valid_national_id",
    "normalize_national_id",
    "normalize_photo",
    "parse_laser_code",
    "parse_national_id",
    "photo_data_url",
]
