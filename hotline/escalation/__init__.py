"""Escalation: policies, the chain of notifications and timers on RQ, staff commands, the relay."""
