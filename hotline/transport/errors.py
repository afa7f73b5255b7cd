"""What a provider raises when a send did not go out."""

from __future__ import annotations


class DeliveryFailed(Exception):
    """The transport refused a send or never answered. Raised out of the job, it is written to
    the audit log (`delivery.failed`, by RQ's failure callback: hotline/jobs/tasks.py), and RQ's
    Retry (and then the sweeper) tries once more. It carries no number and no body: only what
    went wrong."""

    def __init__(self, via: str, cause: Exception, permanent: bool | None = None):
        super().__init__(f"{via} not sent: {type(cause).__name__}")
        self.via = via
        self.error = type(cause).__name__
        self.status = getattr(cause, "status", None)  # the provider's HTTP status, when it answered
        self.code = getattr(cause, "code", None)  # the provider's error code
        # a 4xx other than 429 (Twilio 21211 not a valid number, 21610 unsubscribed, ...): the same
        # request fails the same way, so it is never retried. 429, 5xx and the network are.
        self.permanent = permanent if permanent is not None else (
            isinstance(self.status, int) and 400 <= self.status < 500 and self.status != 429)

    def detail(self) -> dict:
        return {"via": self.via, "error": self.error, "status": self.status, "code": self.code,
                "permanent": self.permanent}
