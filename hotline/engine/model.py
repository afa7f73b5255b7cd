"""The loaded form of a flow: plain objects the stepper reads and the linter walks."""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.config.yamlsource import Map


@dataclass
class Node:
    id: str
    kind: str
    spec: Map  # the node's YAML mapping, checked against its kind's fields
    line: int
    data: dict = field(default_factory=dict)  # what the kind parsed once at load (actions, choices)

    def line_of(self, key: str) -> int:
        return self.spec.line_of(key)


@dataclass
class Handler:
    """A keyword heard anywhere in the flow, ahead of the node's own matching."""

    id: str
    match: list[str]  # normalised keywords; "$safe_word" stands for the configured safe word
    anywhere: bool  # True: the keyword may stand anywhere in the message, not only alone
    say: list[str]
    actions: list[dict]
    set: dict
    then: str  # resume | restart | end | hold | a node id
    line: int
    lexicon: list[str] = field(default_factory=list)  # lexicon categories heard anywhere (danger)
    written: str | None = None  # only for a message written in this language (its script or Tanglish)
    otherwise: bool = False  # only when the step cannot read the message as its answer
    channel: str | None = None  # only on this channel (sms, whatsapp or voice): a call can be put through


@dataclass
class Flow:
    name: str
    file: str
    version: str  # a hash of the file: a conversation keeps the version it started with
    start: str
    expire_after: int
    retries: int
    languages: list[str]
    region: str
    messages: dict[str, str]  # id -> English default text
    message_lines: dict[str, int]
    handlers: list[Handler]
    nodes: dict[str, Node]
    districts: dict[str, list[str]] = field(default_factory=dict)
    line: int = 1
    start_line: int = 1  # where start: stands, for the linter
    languages_line: int = 1  # where languages: stands
    broken: set[str] = field(default_factory=set)  # nodes of no known kind (reported once, at their kind:)

    def message(self, msg_id: str) -> str:
        return self.messages.get(msg_id, msg_id)
