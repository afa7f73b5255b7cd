"""Languages: the Babel catalogs under locales/, detection of the caller's language, formatting."""

from .catalog import Catalog
from .detect import detect

__all__ = ["Catalog", "detect"]
