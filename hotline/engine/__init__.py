"""The flow language and its engine. Pure: nothing here imports Flask, Redis or Twilio."""

from .flowset import FlowSet, load, load_one
from .stepper import Event, FlowError, Step, keyword, step
from .yamlsource import Problem

__all__ = ["Event", "FlowError", "FlowSet", "Problem", "Step", "keyword", "load", "load_one", "step"]
