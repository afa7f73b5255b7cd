"""The durable store (SQLAlchemy): what must survive a lost Redis or a killed worker."""

from hotline.store.db import Store, normalise_url
from hotline.store.models import Action, Audit, OptOut, Outbox

__all__ = ["Action", "Audit", "OptOut", "Outbox", "Store", "normalise_url"]
