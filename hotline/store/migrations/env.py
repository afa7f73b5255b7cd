"""Alembic's environment: the store's own engine and metadata (see hotline/store/db.py)."""

from alembic import context

from hotline.store.models import Base

connection = context.config.attributes.get("connection")
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
