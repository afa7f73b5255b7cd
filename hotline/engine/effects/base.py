"""What every effect is: a frozen record of what a flow asked for, with the language, flow and
node it was raised in. The engine only names effects; the host carries them out, each type in
one handler (hotline/conversation/effects.py)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

from hotline.config import schema


def value(v: object) -> str | None:
    """A setting: text, a number, or a $variable."""
    return None if isinstance(v, (str, int)) and not isinstance(v, bool) else "must be text or $variable"


@dataclass(frozen=True, kw_only=True)
class Effect:
    name: ClassVar[str]
    doc: ClassVar[str]
    params: ClassVar[dict[str, schema.Check]] = {}
    required: ClassVar[tuple[str, ...]] = ()
    main: ClassVar[str | None] = None  # the setting a bare value fills in (`- send_resources: shelter`)
    control: ClassVar[bool] = False  # hers to command even while she writes to a counsellor, or the line is degraded
    sms_only: ClassVar[bool] = False  # refused on a call: caller ID proves nothing (README, "Controls by voice")

    lang: str = "en"
    flow: str | None = None
    node: str | None = None

    def is_control(self) -> bool:
        return self.control

    def settings(self) -> dict:
        """The effect's own settings (not where it was raised)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("lang", "flow", "node")}
