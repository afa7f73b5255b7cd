"""The casework's words, English by default and translated in the catalogs (context
"casework.<id>"). `pgettext` here only marks a text for `pybabel extract`; `say` looks it up."""

from __future__ import annotations


def pgettext(context: str, text: str) -> tuple[str, str]:
    """A marker: (context, English text), found by pybabel's default keywords."""
    return context, text


def say(catalog, label: tuple[str, str], lang: str, **params) -> str:
    context, default = label
    return catalog.text(context, default, lang, params)
