"""The node kinds of the flow language, one module each."""

from .action import Action
from .ask import Ask
from .base import NodeKind
from .branch import Branch
from .end import End
from .flow import EnterFlow
from .menu import Menu
from .message import Message
from .set import Set

KINDS: dict[str, NodeKind] = {k.name: k for k in (Message(), Menu(), Ask(), Branch(), Set(), Action(), End(), EnterFlow())}

__all__ = ["KINDS", "NodeKind"]
