"""An engine step as SMS: one message body, a menu as numbered lines."""

from __future__ import annotations

from hotline.i18n import Catalog


def render(outputs: list[dict], lang: str, catalog: Catalog, params: dict | None = None) -> str:
    """The reply text. One body: Twilio splits it into segments, and one body arrives in order."""
    parts = []
    for output in outputs:
        parts.append(catalog.output(output, lang, params))
        for choice in output.get("choices", []):
            parts.append(catalog.own("sms_choice", lang, key=choice["key"], label=catalog.choice(output, choice, lang)))
    return "\n".join(parts)
