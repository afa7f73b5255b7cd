"""Languages: the Babel catalogs under locales/, detection of the caller's language, locale
formatting, the flows extractor (extract.py) and the catalog lint (lint.py)."""

from .catalog import Catalog
from .detect import detect
from .formatting import language_name

__all__ = ["Catalog", "detect", "language_name"]
