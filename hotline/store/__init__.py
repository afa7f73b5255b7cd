"""The durable store (SQLAlchemy): what must survive a lost Redis or a killed worker."""

from .db import Store, normalise_url
from .models import Action, Audit, OptOut, Outbox

__all__ = ["Action", "Audit", "OptOut", "Outbox", "Store", "normalise_url"]
