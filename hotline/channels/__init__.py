"""Rendering one engine step for a channel: SMS text or voice TwiML."""
