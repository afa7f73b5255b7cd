"""The flow language and its engine. Pure: nothing here imports Flask, Redis or Twilio."""

from hotline.config.yamlsource import Problem
from hotline.engine.flowset import FlowSet, load, load_one
from hotline.engine.stepper import Event, FlowError, Step, keyword, step

__all__ = ["Event", "FlowError", "FlowSet", "Problem", "Step", "keyword", "load", "load_one", "step"]
