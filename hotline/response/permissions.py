"""Who may answer an alert, and how: one rule for the staff's SMS commands and the console's
buttons. A person alerted about an escalation, or who holds it, or a coordinator may take or pass
it; only the one who holds it (or a coordinator) may close it; notes and follow-ups are for those
involved. Whether the escalation's state allows the command is the command's own answer (a second
ACK hears who has it); the console offers only the buttons that would work."""

from __future__ import annotations

from hotline.config.vocabulary import Role


def may(command: str, *, notified: bool, holds: bool, coordinator: bool) -> bool:
    """Whether this person may give `command` on an escalation at all."""
    if command in ("ack", "pass", "note", "followup"):
        return notified or holds or coordinator
    if command == "done":
        return holds or coordinator
    return False


def offered(status: str, *, notified: bool, holds: bool, coordinator: bool) -> tuple[str, ...]:
    """The commands the console offers on an escalation in `status` (open, acked, …)."""
    fits = {"ack": status == "open", "pass": status == "open" or (status == "acked" and holds),
            "done": status == "acked"}
    return tuple(c for c, ok in fits.items()
                 if ok and may(c, notified=notified, holds=holds, coordinator=coordinator))


def is_coordinator(roles) -> bool:
    return Role.COORDINATOR in roles
