"""The words every part of the hotline shares: who people are (roles) and how urgent a request
is (priorities). One definition each; the flows, the staff file, the policies and the console
check against these."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    COUNSELLOR = "counsellor"
    NGO = "ngo"
    COORDINATOR = "coordinator"
    POLICE = "police"


ROLES = tuple(Role)  # what a staff file may say (police write by SMS; they hold no console)
RESPONDER_ROLES = (Role.COUNSELLOR, Role.NGO, Role.COORDINATOR)  # whom an escalation reaches; the console's users


class Priority(StrEnum):
    EMERGENCY = "emergency"
    HIGH = "high"
    NORMAL = "normal"


PRIORITIES = tuple(Priority)
