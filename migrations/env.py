"""Alembic environment. The URL comes from the caller (``inspections.schema``), never from a file.

Autogenerate compares against the models' metadata; migrations themselves copy enum values rather
than importing the models, so old migrations keep working when the models move on.
"""
from alembic import context

from inspections.db import Base, make_engine
import inspections.models  # noqa: F401  (registers every table on Base.metadata)

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
        literal_binds=True, render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode alters a SQLite table by copying it, dropping the old one and renaming the copy; with foreign
        # keys enforced, dropping a table that other rows point to fails (a database with hazards and their events
        # could not be upgraded). Off while migrating (it cannot change inside a transaction), checked before commit.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()  # end the transaction the PRAGMA began, so that the migrations' own is committed
    try:
        # Batch mode lets ALTERs work on SQLite, which cannot alter constraints in place.
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
            if sqlite and (broken := connection.exec_driver_sql("PRAGMA foreign_key_check").all()):
                raise RuntimeError(f"the migration left rows pointing to rows that do not exist: {broken[:5]}")
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
