"""Alembic environment: runs on the connection handed over by hipnerve.storage.db.upgrade."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from hipnerve.storage.tables import Base

config = context.config
connection = config.attributes.get("connection")

if connection is None:
    connectable = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with connectable.connect() as new_connection:
        context.configure(connection=new_connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
