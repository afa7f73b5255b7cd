"""The node kinds of the flow language, one module each."""

from hotline.engine.nodes.action import Action
from hotline.engine.nodes.ask import Ask
from hotline.engine.nodes.base import NodeKind
from hotline.engine.nodes.branch import Branch
from hotline.engine.nodes.end import End
from hotline.engine.nodes.flow import EnterFlow
from hotline.engine.nodes.menu import Menu
from hotline.engine.nodes.message import Message
from hotline.engine.nodes.set import Set

KINDS: dict[str, NodeKind] = {k.name: k for k in (Message(), Menu(), Ask(), Branch(), Set(), Action(), End(), EnterFlow())}

__all__ = ["KINDS", "NodeKind"]
