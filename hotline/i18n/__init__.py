"""Languages: the Babel catalogs under locales/, detection of the caller's language, locale
formatting, the flows extractor (extract.py) and the catalog lint (lint.py)."""

from hotline.i18n.catalog import Catalog
from hotline.i18n.detect import detect
from hotline.i18n.formatting import language_name

__all__ = ["Catalog", "detect", "language_name"]
